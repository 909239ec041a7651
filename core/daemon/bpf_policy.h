// The least-privilege policy of SYS_BPF (docs/security.md), for sessions without --unrestricted:
// the bpf commands tracing tools use and no others; objects the session did not create (opened
// by id or by pin: "foreign") only for reading; no helper that changes what the kernel or a
// process does; no pointer the daemon did not copy. A refusal is -EACCES and one stderr line.
#pragma once
#include "core/daemon/session.h"
#include "core/kernel/bpf_call.h"

namespace bpfd {

// Runs bpf command cmd as `call` describes, under the policy: the call's result, or -EACCES
// without calling. In an --unrestricted session only the size checks apply (every buffer holds
// what the attr tells the kernel, strings their NUL, no pointer the daemon did not copy):
// -EFAULT and one stderr line otherwise; commands the daemon does not know go unchecked. Maps
// opened by id or pin get a read-only fd where the kernel allows (the reply's attr still shows the
// client's flags).
long CallBpfUnderPolicy(Session& s, int cmd, BpfCall& call);

// True for the commands whose new fd is an object the session did not create (*_GET_FD_BY_ID,
// OBJ_GET): the session marks such fds foreign.
bool BpfCmdOpensExisting(int cmd);

// PERF_EVENT_IOC_SET_BPF of prog_fd under the policy: 0, or -EACCES for a foreign program.
int CheckPerfSetBpf(Session& s, int prog_fd);

}  // namespace bpfd
