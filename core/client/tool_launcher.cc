// bpfd remote's launcher logic; see tool_launcher.h.
#include "core/client/tool_launcher.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/base/process.h"
#include "core/base/self_exe.h"
#include "core/client/call.h"
#include "core/wire/base64.h"

namespace bpfd {
namespace {

constexpr char kBuildHint[] =
    "build it with `bazel build //cmd:libbpfd-remote.so` (it lands beside bazel-bin/cmd/bpfd), "
    "or name it with --lib PATH or BPFD_REMOTE_LIB";

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool IsRegularFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// The tool's pid for the SIGTERM/SIGHUP relay (0: none yet).
volatile sig_atomic_t g_tool_pid = 0;

void RelayToTool(int sig) {
  if (g_tool_pid > 0) kill(static_cast<pid_t>(g_tool_pid), sig);
}

// While one lives: SIGINT/SIGQUIT ignored, SIGTERM/SIGHUP blocked until Relay() passes them on
// to the tool. Everything is restored at the end.
class ToolSignals {
 public:
  ToolSignals() {
    struct sigaction ign = {};
    ign.sa_handler = SIG_IGN;
    sigaction(SIGINT, &ign, &old_int_);
    sigaction(SIGQUIT, &ign, &old_quit_);
    sigemptyset(&relayed_);
    sigaddset(&relayed_, SIGTERM);
    sigaddset(&relayed_, SIGHUP);
    sigprocmask(SIG_BLOCK, &relayed_, &old_mask_);
  }
  void Relay(pid_t tool) {
    g_tool_pid = tool;
    struct sigaction relay = {};
    relay.sa_handler = RelayToTool;
    sigaction(SIGTERM, &relay, &old_term_);
    sigaction(SIGHUP, &relay, &old_hup_);
    relaying_ = true;
    sigprocmask(SIG_UNBLOCK, &relayed_, nullptr);
  }
  ~ToolSignals() {
    sigprocmask(SIG_BLOCK, &relayed_, nullptr);
    if (relaying_) {
      sigaction(SIGTERM, &old_term_, nullptr);
      sigaction(SIGHUP, &old_hup_, nullptr);
    }
    g_tool_pid = 0;
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGQUIT, &old_quit_, nullptr);
    sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
  }

 private:
  struct sigaction old_int_, old_quit_, old_term_, old_hup_;
  sigset_t relayed_, old_mask_;
  bool relaying_ = false;
};

// Makes fd inheritable across exec, and not one of stdin/stdout/stderr (the tool's own).
int Inheritable(UniqueFd* fd) {
  if (fd->get() < 3) {
    UniqueFd moved(fcntl(fd->get(), F_DUPFD_CLOEXEC, 3));
    if (!moved) return -errno;
    *fd = std::move(moved);
  }
  int fl = fcntl(fd->get(), F_GETFD);
  if (fl < 0 || fcntl(fd->get(), F_SETFD, fl & ~FD_CLOEXEC) < 0) return -errno;
  return 0;
}

}  // namespace

std::string ArchForMachine(std::string_view m) {
  if (m == "x86_64" || m == "amd64" || m == "x86" ||
      (m.size() == 4 && m[0] == 'i' && m.substr(2) == "86"))
    return "x86";
  if (m == "aarch64" || m == "arm64" || m == "aarch64_be") return "arm64";
  if (m == "arm" || m.rfind("armv", 0) == 0) return "arm";
  return std::string(m);
}

std::vector<std::string> RemoteLibCandidates(const std::string& flag, const std::string& env,
                                             const std::string& exe) {
  std::vector<std::string> c;
  if (!flag.empty()) c.push_back(flag);
  if (!env.empty()) c.push_back(env);
  if (!exe.empty()) {
    std::string dir = DirName(exe);
    c.push_back(dir + "/" + kRemoteLibName);
    c.push_back(DirName(dir) + "/lib/bpfd/" + kRemoteLibName);
  }
  return c;
}

int FindRemoteLib(const std::string& flag, std::string* path, std::string* error) {
  const char* env = std::getenv("BPFD_REMOTE_LIB");
  std::string env_lib = env ? env : "";
  // An explicit choice that is wrong is an error, not a reason to take another library.
  for (const auto& [given, what] :
       {std::pair{flag, "--lib"}, std::pair{env_lib, "BPFD_REMOTE_LIB"}}) {
    if (given.empty()) continue;
    if (!IsRegularFile(given)) {
      *error = std::string(what) + " " + given + ": no such file; " + kBuildHint;
      return -ENOENT;
    }
    break;
  }
  std::vector<std::string> candidates = RemoteLibCandidates(flag, env_lib, SelfExePath());
  for (const std::string& c : candidates) {
    if (!IsRegularFile(c)) continue;
    char* real = realpath(c.c_str(), nullptr);
    if (!real) continue;
    *path = real;
    free(real);
    // ld.so splits LD_PRELOAD at spaces and colons.
    if (path->find_first_of(" :") != std::string::npos) {
      *error = "the library path " + *path +
               " contains a space or ':', which LD_PRELOAD cannot carry; move it or link it "
               "from a plain path and give --lib";
      return -EINVAL;
    }
    return 0;
  }
  std::string looked;
  for (const std::string& c : candidates) looked += (looked.empty() ? "" : ", ") + c;
  *error = std::string(kRemoteLibName) + " not found (looked at " + looked + "); " + kBuildHint;
  return -ENOENT;
}

std::string PrependPreload(std::string_view existing, const std::string& lib) {
  if (existing.empty()) return lib;
  return lib + ":" + std::string(existing);
}

int QueryUname(ProtocolClient& c, int timeout_ms, TargetUname* out, std::string* error,
               bool asked) {
  const CallOptions opts = {.timeout_ms = timeout_ms, .needs = "`bpfd remote`"};
  Result<CallReply> reply = asked ? Answer(c, "SYS_UNAME", opts) : Call(c, "SYS_UNAME", opts);
  if (!reply.ok()) {
    *error = reply.msg();
    return reply.err();
  }
  int64_t ret = reply->ret;
  if (ret < -4095) {
    *error = "malformed SYS_UNAME reply: ret=" + std::to_string(ret);
    return -EPROTO;
  }
  if (ret < 0) {
    *error =
        std::string("SYS_UNAME failed on the target: ") + std::strerror(static_cast<int>(-ret));
    return static_cast<int>(ret);
  }
  if (reply->data.empty() || ParseUnameLine(reply->data[0], out) < 0) {
    *error = "malformed SYS_UNAME reply: " +
             (reply->data.empty() ? std::string("(no data line)") : reply->data[0]);
    return -EPROTO;
  }
  return 0;
}

int RunToolWithSession(ProtocolClient* c, const std::vector<std::string>& argv,
                       const std::vector<std::pair<std::string, std::string>>& env, int linger_ms,
                       ToolOutcome* out, std::string* error) {
  UniqueFd rd, wr;
  int r = c->ReleaseFds(&rd, &wr);
  if (r == 0) r = Inheritable(&rd);
  if (r == 0) r = Inheritable(&wr);
  if (r < 0) {
    *error = std::string("cannot hand the daemon connection to the tool: ") + std::strerror(-r);
    out->session_close = c->Close(kSessionCleanupMs, linger_ms);
    return r;
  }
  out->handed_over = true;
  // This process only launches: the tool inherits our environment with these additions.
  std::string fds = std::to_string(rd.get()) + "," + std::to_string(wr.get());
  setenv("BPFD_REMOTE_FDS", fds.c_str(), 1);
  for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);

  int status = 0;
  {
    ToolSignals signals;
    StartOptions so;
    so.default_interrupts = true;
    pid_t pid = StartProcess(argv, so);
    rd.reset();  // the tool holds the session now: its end is the session's end
    wr.reset();
    if (pid < 0) {
      *error = "cannot run '" + argv[0] + "': " + std::strerror(-pid) +
               (pid == -ENOENT ? " (is it installed and in PATH?)" : "");
      out->session_close = c->Close(kSessionCleanupMs, linger_ms);
      return pid;
    }
    signals.Relay(pid);
    while (waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR) {
        status = 0;
        break;
      }
    }
  }
  out->session_close = c->Close(kSessionCleanupMs, linger_ms);
  out->session_stopped = c->terminated();
  out->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return 0;
}

}  // namespace bpfd
