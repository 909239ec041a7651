// The rules the daemon's policy applies to programs wherever they come from: raw SYS_BPF
// (bpf_policy.cc) or an ELF object (OBJ_LOAD, object.cc). Each returns nullptr when the
// program passes, else why it is refused, in words for the refusal line.
#pragma once
#include <linux/bpf.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace bpfd {

// A program type that decides or replaces instead of observing (LSM, struct_ops, syscall,
// fmod_ret). BPF_PROG_TYPE_EXT is the caller's to judge (whose program it replaces).
const char* RefusedProgType(uint32_t prog_type, uint32_t expected_attach_type);

// The first call in insns of a helper that changes what the kernel or a traced process does
// (bpf_probe_write_user, bpf_override_return, bpf_send_signal*): "it calls <name>, which acts
// instead of observing"; "" when there is none.
std::string ActingHelperCall(std::span<const bpf_insn> insns);

// A kfunc the policy refuses: any not known to only read or to work on BPF's own objects
// (allocations, lists, trees, cpumasks, dynptrs, iterators, locks): "it calls kfunc <name>,
// ..."; "" when it is one of those. New kernels add kfuncs that act (bpf_send_signal_task,
// bpf_set_dentry_xattr, bpf_sock_destroy), so the list says what is allowed.
std::string RefusedKfunc(std::string_view name);

// The first kfunc call in insns (BPF_PSEUDO_KFUNC_CALL: named through the kernel's BTF) that
// RefusedKfunc refuses, or one it cannot name (a module's, or no kernel BTF); "" when none.
std::string RefusedKfuncCall(std::span<const bpf_insn> insns);

}  // namespace bpfd
