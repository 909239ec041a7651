#include "core/run.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "core/unique_fd.h"

namespace bpfd {

int RunCapture(const std::vector<std::string>& argv, std::string* out) {
  if (argv.empty()) return -EINVAL;
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  int p[2], e[2];
  if (pipe2(p, O_CLOEXEC) < 0) return -errno;
  UniqueFd rd(p[0]), wr(p[1]);
  if (pipe2(e, O_CLOEXEC) < 0) return -errno;
  UniqueFd erd(e[0]), ewr(e[1]);
  pid_t pid = fork();
  if (pid < 0) return -errno;
  if (pid == 0) {
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull >= 0) dup2(devnull, 0);
    dup2(wr.get(), 1);
    execvp(cargv[0], cargv.data());
    int err = errno;
    (void)!write(ewr.get(), &err, sizeof(err));
    _exit(127);
  }
  wr.reset();
  ewr.reset();
  int err = 0;
  bool exec_failed = read(erd.get(), &err, sizeof(err)) == sizeof(err);
  out->clear();
  char buf[4096];
  ssize_t n;
  while ((n = read(rd.get(), buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) out->append(buf, static_cast<size_t>(n));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (exec_failed) return -err;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace bpfd
