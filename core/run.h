// Starting helper programs: the one fork/exec of bpfd (spawned daemons, adb, ssh).
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

namespace bpfd {

// Starts argv (PATH searched) with stdin/stdout/stderr on in_fd/out_fd/err_fd (-1: inherit
// ours; the fds are not taken) and an empty signal mask. Returns the child's pid, or -errno;
// an exec failure is reported back by the child and reaped here.
pid_t StartProcess(const std::vector<std::string>& argv, int in_fd, int out_fd, int err_fd);

// Runs argv to completion with stdin from /dev/null; *out gets its stdout (stderr passes
// through). Returns its exit status (0..255, 128+N for signal N) or -errno if it could not run.
int RunCapture(const std::vector<std::string>& argv, std::string* out);

}  // namespace bpfd
