// A throw-away mount namespace for fuzzing the handlers with kernel access: tracefs, debugfs,
// cgroupfs and /tmp become private tmpfs scratch trees (tracefs with fake regular files for
// kprobe_events, uprobe_events, dynamic_events, trace_pipe…), /sys/fs/bpf a fresh bpffs, so
// a fuzzed write lands nowhere real while bpf() calls stay real. A seccomp filter then forbids
// mounts and namespace changes, so nothing can mount the real tracefs back on top.
#pragma once
#include <string>

namespace bpfd::fuzz {

// Moves the calling (single-threaded) process into such a namespace. 0, or -errno with *why:
// -EPERM when not root and -ENOTSUP in a chroot whose / is not a mount point (the caller
// skips), anything else is a broken set-up.
int EnterScratchNamespace(std::string* why);

}  // namespace bpfd::fuzz
