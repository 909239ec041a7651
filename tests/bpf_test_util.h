// Helpers for tests that drive a real Session through HandleLine: a line runner, ret= parsing,
// base64 shorthands and a tiny eBPF assembler with jump labels (raw bytecode, no compiler).
#pragma once
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/daemon/dispatch.h"
#include "core/kernel/bpf_insns.h"
#include "core/wire/base64.h"
#include "core/wire/framing.h"
#include "core/wire/sys_bpf_record.h"

namespace bpfd::testutil {

// Empty when bpf() works here; otherwise why the BPF tests cannot run (the SKIP reason).
inline std::string BpfUnavailable() {
  int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bpfd_avail", 4, 8, 1, nullptr);
  if (fd >= 0) {
    close(fd);
    return "";
  }
  if (fd == -EPERM) return "bpf() gives EPERM: needs root outside Bazel's sandbox (tag no-sandbox)";
  if (fd == -ENOSYS) return "bpf() gives ENOSYS: qemu-user or a kernel without CONFIG_BPF_SYSCALL";
  return std::string("bpf() fails: ") + strerror(-fd);
}

#define REQUIRE_BPF()                                      \
  do {                                                     \
    std::string why_ = ::bpfd::testutil::BpfUnavailable(); \
    if (!why_.empty()) SKIP(why_);                         \
  } while (0)

// Runs one command line; returns the reply lines.
inline std::vector<std::string> Cmd(Session& s, const std::string& line) {
  Reply r;
  HandleLine(s, line, r);
  std::vector<std::string> lines;
  std::string_view body = r.body();
  while (!body.empty()) {
    size_t nl = body.find('\n');
    lines.emplace_back(body.substr(0, nl));
    body.remove_prefix(nl + 1);
  }
  return lines;
}

// The number after "ret=" on the first line; `missing` if there is none.
inline long long RetOf(const std::vector<std::string>& lines, long long missing = 1LL << 40) {
  int64_t ret;
  return !lines.empty() && ParseRet(lines[0], &ret) == 0 ? ret : missing;
}

inline long long Ret(Session& s, const std::string& line) { return RetOf(Cmd(s, line)); }

inline std::string B64(const void* p, size_t n) {
  return Base64Encode(static_cast<const uint8_t*>(p), n);
}
inline std::string B64U32(uint32_t v) { return B64(&v, sizeof(v)); }
inline std::string B64U64(uint64_t v) { return B64(&v, sizeof(v)); }
inline std::vector<uint8_t> UnB64(const std::string& s) {
  std::vector<uint8_t> out;
  if (Base64Decode(s, &out) < 0) out.clear();
  return out;
}

// A data token: "-" for no bytes, else base64 (wire/base64.h); UnData gives {} when invalid.
inline std::string Data(const void* p, size_t n) {
  std::string out;
  AppendData(static_cast<const uint8_t*>(p), n, &out);
  return out;
}
inline std::vector<uint8_t> UnData(std::string_view s) {
  std::vector<uint8_t> out;
  if (DecodeData(s, &out) < 0) out.clear();
  return out;
}

// Minimal eBPF assembler with jump labels, on kernel/bpf_insns.h's encoders.
class Asm {
 public:
  size_t pc() const { return insns_.size(); }
  Asm& Raw(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
    return Add(insn::Make(code, dst, src, off, imm));
  }
  Asm& MovImm(int dst, int32_t imm) { return Add(insn::Mov64Imm(dst, imm)); }
  Asm& MovReg(int dst, int src) { return Add(insn::Mov64Reg(dst, src)); }
  Asm& AddImm(int dst, int32_t imm) { return Add(insn::Alu64Imm(BPF_ADD, dst, imm)); }
  Asm& RshImm(int dst, int32_t imm) { return Add(insn::Alu64Imm(BPF_RSH, dst, imm)); }
  Asm& StxW(int dst, int src, int16_t off) { return Add(insn::StxMem(BPF_W, dst, src, off)); }
  Asm& StW(int dst, int16_t off, int32_t imm) { return Add(insn::StMem(BPF_W, dst, off, imm)); }
  Asm& StDw(int dst, int16_t off, int32_t imm) { return Add(insn::StMem(BPF_DW, dst, off, imm)); }
  Asm& AtomicAddDw(int dst, int src, int16_t off) { return Add(insn::AtomicAdd64(dst, src, off)); }
  Asm& LdImm64(int dst, uint64_t v, int src = 0) {
    Raw(BPF_LD | BPF_DW | BPF_IMM, dst, src, 0, static_cast<int32_t>(v & 0xffffffffu));
    return Raw(0, 0, 0, 0, static_cast<int32_t>(v >> 32));
  }
  Asm& LdMapFd(int dst, int fd) {
    return LdImm64(dst, static_cast<uint32_t>(fd), BPF_PSEUDO_MAP_FD);
  }
  Asm& Call(int32_t helper) { return Add(insn::Call(helper)); }
  Asm& Exit() { return Add(insn::Exit()); }
  // Conditional/unconditional jumps to a label resolved by Bind().
  Asm& JeqImm(int dst, int32_t imm, int label) {
    return Jump(BPF_JMP | BPF_JEQ | BPF_K, dst, imm, label);
  }
  Asm& JneImm(int dst, int32_t imm, int label) {
    return Jump(BPF_JMP | BPF_JNE | BPF_K, dst, imm, label);
  }
  Asm& Ja(int label) { return Jump(BPF_JMP | BPF_JA, 0, 0, label); }
  Asm& Bind(int label) {
    if (labels_.size() <= static_cast<size_t>(label)) labels_.resize(label + 1, -1);
    labels_[label] = static_cast<long>(pc());
    return *this;
  }
  // Resolves the jumps and returns the bytecode.
  std::string Bytes() {
    for (auto [at, label] : fixups_)
      insns_[at].off = static_cast<int16_t>(labels_[label] - static_cast<long>(at) - 1);
    return std::string(reinterpret_cast<const char*>(insns_.data()),
                       insns_.size() * sizeof(bpf_insn));
  }

 private:
  Asm& Add(const bpf_insn& i) {
    insns_.push_back(i);
    return *this;
  }
  Asm& Jump(uint8_t code, int dst, int32_t imm, int label) {
    fixups_.push_back({pc(), label});
    return Raw(code, dst, 0, 0, imm);
  }
  std::vector<bpf_insn> insns_;
  std::vector<long> labels_;
  std::vector<std::pair<size_t, int>> fixups_;
};

// "BPF_PROG_LOAD type name len license 0 b64" for the bytecode.
inline std::string ProgLoadLine(int type, const std::string& name, const std::string& bytes,
                                const std::string& license = "GPL") {
  return "BPF_PROG_LOAD " + std::to_string(type) + " " + name + " " + std::to_string(bytes.size()) +
         " " + license + " 0 " + B64(bytes.data(), bytes.size());
}

// A SYS_BPF reply, parsed: ret, the attr after the call and the o/x buffers by index.
struct SysBpfReply {
  long long ret = 1LL << 40;
  std::vector<uint8_t> attr;
  std::map<uint32_t, std::vector<uint8_t>> bufs;
  std::map<uint32_t, Sha256Digest> held;  // SYS_BPF_CACHED's "=<digest>" answers
};

// Runs "SYS_BPF cmd <attr> <groups>" (groups: InBuf/OutBuf, space-separated; `cached`:
// SYS_BPF_CACHED).
inline SysBpfReply SysBpf(Session& s, int cmd, const bpf_attr& attr, const std::string& groups = "",
                          bool cached = false) {
  auto lines = Cmd(s, SysBpfRequestHead(cmd, &attr, sizeof(attr), cached) + groups);
  SysBpfReply r;
  r.ret = RetOf(lines);
  SysBpfReplyData data;
  if (lines.size() >= 2 && ParseSysBpfReply(std::span(lines).subspan(1), &data) == 0) {
    r.attr = std::move(data.attr);
    r.bufs = std::move(data.bufs);
    r.held = std::move(data.held);
  }
  return r;
}

// A forwarding buffer group " <slot> <dir> <len> <data>" for bytes going to the kernel (i or x)
// and for bytes coming back (o).
inline std::string InBuf(BpfSlot slot, const void* p, size_t n, char dir = 'i') {
  std::string out;
  AppendSysBpfBuffer(slot, dir, n, p, &out);
  return out;
}
inline std::string OutBuf(BpfSlot slot, size_t n, std::span<const Sha256Digest> held = {}) {
  std::string out;
  AppendSysBpfBuffer(slot, 'o', n, nullptr, &out, held);
  return out;
}
#define ATTR_SLOT(field) (::bpfd::BpfSlot{-1, offsetof(bpf_attr, field)})

// BPF_PROG_LOAD of the bytecode through SYS_BPF (license GPL); with log_size > 0 the verifier
// log is buffer 2.
inline SysBpfReply SysBpfProgLoad(Session& s, uint32_t type, const std::string& code,
                                  uint32_t log_size = 0) {
  static const char license[] = "GPL";
  bpf_attr attr{};
  attr.prog_type = type;
  attr.insn_cnt = static_cast<uint32_t>(code.size() / sizeof(bpf_insn));
  attr.log_level = log_size ? 1 : 0;
  attr.log_size = log_size;
  std::string groups = InBuf(ATTR_SLOT(insns), code.data(), code.size()) +
                       InBuf(ATTR_SLOT(license), license, sizeof(license));
  if (log_size) groups += OutBuf(ATTR_SLOT(log_buf), log_size);
  return SysBpf(s, BPF_PROG_LOAD, attr, groups);
}

}  // namespace bpfd::testutil
