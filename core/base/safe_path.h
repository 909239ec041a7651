// Opening a path beneath a directory without leaving it (the FILE_* policy's resolver):
// openat2(RESOLVE_BENEATH or RESOLVE_IN_ROOT, with RESOLVE_NO_MAGICLINKS), or where the kernel
// lacks openat2 (ENOSYS; EPERM from a seccomp filter, as on Android; E2BIG) a walk of the path
// one component at a time with O_PATH|O_NOFOLLOW fds that resolves symlinks itself.
#pragma once
#include <sys/types.h>

#include <string_view>

#include "core/base/unique_fd.h"

namespace bpfd {

enum class Resolve {
  kBeneath,  // `..` at the anchor or an absolute symlink: -EXDEV
  kInRoot,   // the anchor is "/": `..` at it stays, absolute symlinks restart from it
};

enum class Resolver {
  kAuto,      // openat2, the walk when the kernel refuses it
  kFallback,  // the walk only (tests run both on the same cases)
};

// Opens `rel` (relative; "" or "." is the anchor itself) beneath the directory `anchor` with
// open(2) `flags` (O_CLOEXEC is added; O_NOFOLLOW leaves a last-component symlink unfollowed:
// with O_PATH the link itself is opened) and `mode`. Never crosses a magic link (/proc/PID/
// exe, root, fd/N…: -ELOOP), more than 40 symlinks (-ELOOP), or out of the anchor (-EXDEV).
// Returns 0 with the fd in *out, or -errno.
int OpenBeneath(int anchor, std::string_view rel, int flags, mode_t mode, Resolve how,
                UniqueFd* out, Resolver resolver = Resolver::kAuto);

// access(2) of what fd (an O_PATH fd will do) refers to: 0 or -errno. faccessat2(AT_EMPTY_PATH),
// or access(2) of /proc/self/fd/<fd> before Linux 5.8.
int AccessFd(int fd, int mode);

}  // namespace bpfd
