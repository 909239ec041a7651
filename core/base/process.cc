#include "core/base/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "core/base/unique_fd.h"

namespace bpfd {

pid_t StartProcess(const std::vector<std::string>& argv, int in_fd, int out_fd, int err_fd) {
  StartOptions opts;
  opts.in_fd = in_fd;
  opts.out_fd = out_fd;
  opts.err_fd = err_fd;
  return StartProcess(argv, opts);
}

pid_t StartProcess(const std::vector<std::string>& argv, const StartOptions& opts) {
  if (argv.empty() || argv[0].empty()) return -EINVAL;
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  int report[2];  // the child's exec errno; closed by a successful exec
  if (pipe2(report, O_CLOEXEC) < 0) return -errno;
  UniqueFd report_r(report[0]), report_w(report[1]);

  pid_t pid = fork();
  if (pid < 0) return -errno;
  if (pid == 0) {
    // Child: only async-signal-safe calls from here on. Move the fds above 2 first so the
    // dup2s cannot clobber one another when the parent had stdio closed.
    const int want[3] = {opts.in_fd, opts.out_fd, opts.err_fd};
    int moved[3] = {-1, -1, -1};
    int e = 0;
    for (int i = 0; i < 3 && e == 0; ++i)
      if (want[i] >= 0 && (moved[i] = fcntl(want[i], F_DUPFD_CLOEXEC, 3)) < 0) e = errno;
    for (int i = 0; i < 3 && e == 0; ++i)
      if (moved[i] >= 0 && dup2(moved[i], i) < 0) e = errno;
    if (e == 0 && opts.new_session && setsid() < 0) e = errno;
    if (e == 0) {
      if (opts.default_interrupts) {
        struct sigaction dfl = {};
        dfl.sa_handler = SIG_DFL;
        sigaction(SIGINT, &dfl, nullptr);
        sigaction(SIGQUIT, &dfl, nullptr);
      }
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      execvp(cargv[0], cargv.data());
      e = errno;
    }
    while (write(report_w.get(), &e, sizeof(e)) < 0 && errno == EINTR) {
    }
    _exit(127);
  }
  report_w.reset();
  int child_errno = 0;
  ssize_t n;
  do {
    n = read(report_r.get(), &child_errno, sizeof(child_errno));
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof(child_errno))) {  // exec failed
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    return child_errno > 0 ? -child_errno : -ECHILD;
  }
  return pid;
}

int RunCapture(const std::vector<std::string>& argv, std::string* out) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) return -errno;
  UniqueFd rd(p[0]), wr(p[1]);
  UniqueFd devnull(open("/dev/null", O_RDONLY | O_CLOEXEC));
  pid_t pid = StartProcess(argv, devnull.get(), wr.get(), -1);
  if (pid < 0) return pid;
  wr.reset();
  out->clear();
  char buf[4096];
  ssize_t n;
  while ((n = read(rd.get(), buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) out->append(buf, static_cast<size_t>(n));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace bpfd
