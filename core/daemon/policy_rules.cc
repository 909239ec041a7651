#include "core/daemon/policy_rules.h"

namespace bpfd {
namespace {

struct Helper {
  int id;
  const char* name;
};
constexpr Helper kActingHelpers[] = {
    {BPF_FUNC_probe_write_user, "bpf_probe_write_user"},
    {BPF_FUNC_override_return, "bpf_override_return"},
    {BPF_FUNC_send_signal, "bpf_send_signal"},
    {BPF_FUNC_send_signal_thread, "bpf_send_signal_thread"},
};

}  // namespace

const char* RefusedProgType(uint32_t prog_type, uint32_t expected_attach_type) {
  switch (prog_type) {
    case BPF_PROG_TYPE_LSM:
      return "an LSM program makes security decisions";
    case BPF_PROG_TYPE_STRUCT_OPS:
      return "a struct_ops program replaces kernel code";
    case BPF_PROG_TYPE_SYSCALL:
      return "a syscall program runs bpf commands the policy cannot see";
    case BPF_PROG_TYPE_TRACING:
      if (expected_attach_type == BPF_MODIFY_RETURN)
        return "an fmod_ret program changes what kernel functions return";
      break;
  }
  return nullptr;
}

std::string ActingHelperCall(std::span<const bpf_insn> insns) {
  for (const bpf_insn& in : insns) {
    if (in.code != (BPF_JMP | BPF_CALL) || in.src_reg != 0) continue;
    for (const Helper& h : kActingHelpers)
      if (in.imm == h.id)
        return std::string("it calls ") + h.name + ", which acts instead of observing";
  }
  return "";
}

}  // namespace bpfd
