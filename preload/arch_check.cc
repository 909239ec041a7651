// FirstContextLoad and ArchLeak: pure, unit-tested by arch_check_test.cc (CheckProgArch, the
// glue to the library's state, is in arch_guard.cc).
#include "preload/arch_check.h"

#include <bitset>
#include <set>

namespace bpfd::preload {
namespace {

constexpr uint8_t kClass(uint8_t code) { return code & 0x07; }

}  // namespace

int64_t FirstContextLoad(const struct bpf_insn* insns, uint32_t cnt) {
  std::bitset<11> ctx;      // registers holding the context pointer (plus a constant)
  std::set<int16_t> slots;  // stack slots (off from r10) holding it
  ctx.set(BPF_REG_1);
  for (uint32_t i = 0; i < cnt; ++i) {
    const struct bpf_insn& x = insns[i];
    const uint8_t cls = kClass(x.code), op = x.code & 0xf0, dst = x.dst_reg, src = x.src_reg;
    if (dst > BPF_REG_10 || src > BPF_REG_10) continue;
    switch (cls) {
      case BPF_LDX:
        if (BPF_MODE(x.code) == BPF_MEM && ctx[src]) return x.off;
        ctx[dst] = src == BPF_REG_10 && BPF_SIZE(x.code) == BPF_DW && slots.count(x.off);
        break;
      case BPF_ST:
      case BPF_STX:
        if (dst == BPF_REG_10) {
          if (cls == BPF_STX && BPF_MODE(x.code) == BPF_MEM && BPF_SIZE(x.code) == BPF_DW &&
              ctx[src]) {
            slots.insert(x.off);
          } else {
            slots.erase(x.off);
          }
        }
        break;
      case BPF_ALU64:
        if (op == BPF_MOV) {
          ctx[dst] = BPF_SRC(x.code) == BPF_X && ctx[src];
        } else if (!((op == BPF_ADD || op == BPF_SUB) && BPF_SRC(x.code) == BPF_K)) {
          ctx[dst] = false;
        }
        break;
      case BPF_ALU:
        ctx[dst] = false;
        break;
      case BPF_LD:
        ctx[dst] = false;
        if (x.code == (BPF_LD | BPF_DW | BPF_IMM)) ++i;
        break;
      case BPF_JMP:
        if (op == BPF_CALL) {
          for (int r = BPF_REG_0; r <= BPF_REG_5; ++r) ctx[r] = false;
        } else if (op == BPF_EXIT) {
          // The next instruction starts a subprogram (or is dead): its r1 is its own argument.
          ctx.reset();
          slots.clear();
          ctx.set(BPF_REG_1);
        }
        break;
      default:
        break;
    }
  }
  return -1;
}

std::string ArchLeak(uint32_t prog_type, const struct bpf_insn* insns, uint32_t cnt,
                     std::string_view host_machine, std::string_view target_machine) {
  if (prog_type != BPF_PROG_TYPE_KPROBE && prog_type != BPF_PROG_TYPE_PERF_EVENT) return "";
  if (host_machine.empty() || target_machine.empty() || host_machine == target_machine) return "";
  int64_t off = FirstContextLoad(insns, cnt);
  if (off < 0) return "";
  const char* kind = prog_type == BPF_PROG_TYPE_KPROBE ? "kprobe/uprobe" : "perf event";
  return "refused a " + std::string(kind) +
         " program that reads registers from its context (struct pt_regs, offset " +
         std::to_string(off) + ") as laid out for " + std::string(host_machine) +
         ": the target is " + std::string(target_machine) +
         " and it would read the wrong registers (bpftrace's argN, retval, reg()). Use "
         "tracepoint args (tracepoint:...{ args->... }) or kfunc/kretfunc (BTF-typed args) instead";
}

}  // namespace bpfd::preload
