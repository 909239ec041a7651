// Least privilege for a daemon session (docs/security.md): no new privileges through exec, and
// unless the daemon runs --unrestricted, only the capabilities BPF tracing needs.
#pragma once
#include <cstdint>

namespace bpfd {

// The capabilities a tracing session keeps, as a mask of 1 << CAP_*: CAP_BPF and CAP_PERFMON
// where the kernel has them; CAP_SYS_ADMIN (bpf() before 5.8, and still for *_GET_FD_BY_ID,
// *_GET_NEXT_ID and mounting tracefs/bpffs); CAP_SYS_RESOURCE and CAP_IPC_LOCK (memlock before
// 5.11); CAP_SYSLOG (kallsyms addresses under kptr_restrict); CAP_SYS_PTRACE (other users'
// /proc/PID/maps, root, exe); CAP_DAC_READ_SEARCH (traced binaries in private directories).
uint64_t TracingCapabilities();

// Sets PR_SET_NO_NEW_PRIVS. Then, unless keep_caps or the process is not root (euid 0), drops
// every capability outside TracingCapabilities() from the bounding set (each one this kernel
// knows), clears the ambient and inheritable sets and limits permitted and effective to it.
// Returns 0, or the -errno of the first step that failed (the later ones are not tried).
int DropPrivileges(bool keep_caps);

// Kernels before 5.11 charge BPF maps to the creator's RLIMIT_MEMLOCK (often 64 KiB): raises
// it to unlimited, as libbpf's bump does, or failing that the soft limit to the hard one.
// 0, or -errno when neither was possible.
int RaiseMemlockLimit();

}  // namespace bpfd
