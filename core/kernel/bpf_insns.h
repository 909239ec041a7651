// Tiny header-only builder for raw eBPF instructions (struct bpf_insn), for self-tests and
// kernel feature probes. Pure functions; no kernel calls.
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <vector>

namespace bpfd::insn {

inline bpf_insn Make(uint8_t code, int dst, int src, int16_t off, int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = static_cast<uint8_t>(dst) & 0xf;
  i.src_reg = static_cast<uint8_t>(src) & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}

// dst = imm / dst = src / dst op= imm / dst op= src (64-bit ALU; op is BPF_ADD, BPF_RSH, ...)
inline bpf_insn Mov64Imm(int dst, int32_t imm) {
  return Make(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
}
inline bpf_insn Mov64Reg(int dst, int src) {
  return Make(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
}
inline bpf_insn Alu64Imm(int op, int dst, int32_t imm) {
  return Make(static_cast<uint8_t>(BPF_ALU64 | op | BPF_K), dst, 0, 0, imm);
}
inline bpf_insn Alu64Reg(int op, int dst, int src) {
  return Make(static_cast<uint8_t>(BPF_ALU64 | op | BPF_X), dst, src, 0, 0);
}

// *(size *)(dst + off) = imm / = src; dst = *(size *)(src + off). size: BPF_B/H/W/DW.
inline bpf_insn StMem(int size, int dst, int16_t off, int32_t imm) {
  return Make(static_cast<uint8_t>(BPF_ST | size | BPF_MEM), dst, 0, off, imm);
}
inline bpf_insn StxMem(int size, int dst, int src, int16_t off) {
  return Make(static_cast<uint8_t>(BPF_STX | size | BPF_MEM), dst, src, off, 0);
}
inline bpf_insn LdxMem(int size, int dst, int src, int16_t off) {
  return Make(static_cast<uint8_t>(BPF_LDX | size | BPF_MEM), dst, src, off, 0);
}
// lock *(u64 *)(dst + off) += src
inline bpf_insn AtomicAdd64(int dst, int src, int16_t off) {
  return Make(BPF_STX | BPF_DW | BPF_ATOMIC, dst, src, off, BPF_ADD);
}

// if (dst op imm/src) goto pc + 1 + off. op: BPF_JEQ, BPF_JNE, ...
inline bpf_insn JmpImm(int op, int dst, int32_t imm, int16_t off) {
  return Make(static_cast<uint8_t>(BPF_JMP | op | BPF_K), dst, 0, off, imm);
}
inline bpf_insn JmpReg(int op, int dst, int src, int16_t off) {
  return Make(static_cast<uint8_t>(BPF_JMP | op | BPF_X), dst, src, off, 0);
}
inline bpf_insn Call(int32_t helper) { return Make(BPF_JMP | BPF_CALL, 0, 0, 0, helper); }
inline bpf_insn Exit() { return Make(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

// Two-instruction 64-bit immediate loads: dst = imm64 / dst = map (by fd).
inline void LdImm64(std::vector<bpf_insn>* p, int dst, uint64_t imm) {
  p->push_back(Make(BPF_LD | BPF_DW | BPF_IMM, dst, 0, 0, static_cast<int32_t>(imm)));
  p->push_back(Make(0, 0, 0, 0, static_cast<int32_t>(imm >> 32)));
}
inline void LdMapFd(std::vector<bpf_insn>* p, int dst, int map_fd) {
  p->push_back(Make(BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, map_fd));
  p->push_back(Make(0, 0, 0, 0, 0));
}

// The body of a counting program: array_map[0] += 1 (atomically), then return 0. Clobbers
// r0-r2 and the 4 bytes at fp-4. 11 slots; the last two are "r0 = 0; exit".
inline void CountIntoSlot0(std::vector<bpf_insn>* p, int array_map_fd) {
  p->push_back(StMem(BPF_W, 10, -4, 0));  // key 0
  LdMapFd(p, 1, array_map_fd);
  p->push_back(Mov64Reg(2, 10));
  p->push_back(Alu64Imm(BPF_ADD, 2, -4));
  p->push_back(Call(BPF_FUNC_map_lookup_elem));
  p->push_back(JmpImm(BPF_JEQ, 0, 0, 2));
  p->push_back(Mov64Imm(1, 1));
  p->push_back(AtomicAdd64(0, 1, 0));
  p->push_back(Mov64Imm(0, 0));
  p->push_back(Exit());
}

}  // namespace bpfd::insn
