// Starting helper programs: the one fork/exec of bpfd (spawned daemons, adb, ssh).
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

namespace bpfd {

struct StartOptions {
  int in_fd = -1;  // the child's stdin/stdout/stderr: -1 inherits ours; the fds are not taken
  int out_fd = -1;
  int err_fd = -1;
  // The child leads a new session (setsid): the terminal's Ctrl-C and Ctrl-\ (sent to the
  // foreground process group) do not reach it, nor does a hang-up of our terminal.
  bool new_session = false;
  // SIGINT and SIGQUIT back to their default action in the child, for a parent that ignores
  // them while the child runs (ignored signals stay ignored across exec otherwise).
  bool default_interrupts = false;
};

// Starts argv (PATH searched) with an empty signal mask. Returns the child's pid, or -errno;
// an exec failure is reported back by the child and reaped here.
pid_t StartProcess(const std::vector<std::string>& argv, const StartOptions& opts);
pid_t StartProcess(const std::vector<std::string>& argv, int in_fd, int out_fd, int err_fd);

// Runs argv to completion with stdin from /dev/null; *out gets its stdout (stderr passes
// through). Returns its exit status (0..255, 128+N for signal N) or -errno if it could not run.
int RunCapture(const std::vector<std::string>& argv, std::string* out);

}  // namespace bpfd
