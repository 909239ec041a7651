// What the forwarding commands make that outlives the session's fds, recorded in the session's
// journal (journal.h) before it is made and undone at the session's end (docs/security.md
// "Leftovers"): dynamic events written to kprobe_events, uprobe_events or dynamic_events, tracefs
// knobs (their original content), BPF_OBJ_PIN pins and legacy cgroup BPF_PROG_ATTACH.
#pragma once
#include <sys/types.h>

#include <string>
#include <string_view>

#include "core/daemon/session.h"
#include "core/kernel/bpf_call.h"

namespace bpfd {

// Before FILE_OPEN opens path with flags: -EACCES and one stderr line for O_TRUNC on an events
// file (it would delete every idle event of the system); unrestricted, a tracefs file opened for
// writing that is not an events file or a trace buffer is recorded as a knob. 0 otherwise.
int TrackFileOpen(Session& s, const std::string& path, int flags);

// FILE_WRITE of data to the session's fd opened at path: one write(2), with the events an
// events-file write defines recorded (named ones before the write) and those it removes by
// name forgotten. The bytes written or -errno.
ssize_t TrackedWrite(Session& s, const std::string& path, int fd, std::string_view data);

// SYS_BPF cmd through `call` (run by `run`): unrestricted (the policy refuses both), a pin or a
// legacy cgroup attachment is recorded before it is made and forgotten if the kernel refuses
// it; BPF_PROG_DETACH forgets one.
long TrackedBpf(Session& s, int cmd, BpfCall& call, const std::function<long()>& run);

}  // namespace bpfd
