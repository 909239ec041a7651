#include "core/daemon/listener.h"
#include "core/base/clock.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if __has_include(<linux/vm_sockets.h>)
#include <linux/vm_sockets.h>
#endif

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include "core/base/unique_fd.h"
#include "core/daemon/serve.h"
#include "core/wire/auth.h"
#include "core/wire/tokens.h"

namespace bpfd {
namespace {

constexpr int kTokenTimeoutMs = 5000;
constexpr int kStopGraceMs = 10000;

volatile sig_atomic_t g_stop = 0;
volatile sig_atomic_t g_child = 0;
void OnStop(int sig) { g_stop = sig; }
void OnChild(int) { g_child = 1; }

struct Bound {
  UniqueFd fd;
  std::string shown;      // what LISTENING prints
  std::string unix_path;  // removed when the listener ends
};

int Fail(std::string* error, const std::string& what, int err) {
  *error = what + ": " + std::strerror(err);
  return -err;
}

int BindUnix(const std::string& path, Bound* b, std::string* error) {
  sockaddr_un un{};
  if (path.empty() || path.size() >= sizeof(un.sun_path)) {
    *error = "unix socket path empty or too long: '" + path + "'";
    return -EINVAL;
  }
  un.sun_family = AF_UNIX;
  std::memcpy(un.sun_path, path.data(), path.size());
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      *error = path + " exists and is not a socket; choose another path";
      return -EEXIST;
    }
    UniqueFd probe(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (probe && connect(probe.get(), reinterpret_cast<sockaddr*>(&un), sizeof(un)) == 0) {
      *error = path + " is in use by a running listener";
      return -EADDRINUSE;
    }
    unlink(path.c_str());  // stale: nobody listens there
  }
  b->fd.reset(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!b->fd) return Fail(error, "socket", errno);
  mode_t old = umask(0177);  // the socket is born 0600
  int r = bind(b->fd.get(), reinterpret_cast<sockaddr*>(&un), sizeof(un));
  umask(old);
  if (r < 0) return Fail(error, "bind " + path, errno);
  chmod(path.c_str(), 0600);
  b->unix_path = path;
  b->shown = "unix:" + path;
  return 0;
}

int BindTcp(std::string_view rest, bool allow_remote, Bound* b, std::string* error) {
  size_t c = rest.rfind(':');
  std::string addr = c == std::string_view::npos ? "127.0.0.1" : std::string(rest.substr(0, c));
  std::string_view port_s = c == std::string_view::npos ? rest : rest.substr(c + 1);
  if (addr.size() > 2 && addr.front() == '[') addr = addr.substr(1, addr.size() - 2);
  uint32_t port;
  if (!ParseUint32(port_s, &port) || port > 65535) {
    *error = "tcp needs [ADDR:]PORT, e.g. tcp:127.0.0.1:7878";
    return -EINVAL;
  }
  sockaddr_storage ss{};
  socklen_t len;
  bool loopback;
  auto* in4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, addr.c_str(), &in4->sin_addr) == 1) {
    in4->sin_family = AF_INET;
    in4->sin_port = htons(static_cast<uint16_t>(port));
    len = sizeof(*in4);
    loopback = (ntohl(in4->sin_addr.s_addr) >> 24) == 127;
  } else if (inet_pton(AF_INET6, addr.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<uint16_t>(port));
    len = sizeof(*in6);
    loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
  } else {
    *error = "tcp ADDR must be a numeric IPv4 or IPv6 address, not '" + addr + "'";
    return -EINVAL;
  }
  if (!loopback && !allow_remote) {
    *error = addr + " is not a loopback address; add --allow-remote to listen there";
    return -EINVAL;
  }
  b->fd.reset(socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!b->fd) return Fail(error, "socket", errno);
  int one = 1;
  setsockopt(b->fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(b->fd.get(), reinterpret_cast<sockaddr*>(&ss), len) < 0)
    return Fail(error, "bind tcp " + addr + ":" + std::string(port_s), errno);
  getsockname(b->fd.get(), reinterpret_cast<sockaddr*>(&ss), &len);  // the real port for 0
  port = ntohs(ss.ss_family == AF_INET ? in4->sin_port : in6->sin6_port);
  b->shown =
      "tcp:" + (ss.ss_family == AF_INET6 ? "[" + addr + "]" : addr) + ":" + std::to_string(port);
  return 0;
}

int BindVsock(std::string_view rest, Bound* b, std::string* error) {
#ifdef AF_VSOCK
  uint32_t port;
  if (!ParseUint32(rest, &port)) {
    *error = "vsock needs a PORT, e.g. vsock:7878";
    return -EINVAL;
  }
  sockaddr_vm vm{};
  vm.svm_family = AF_VSOCK;
  vm.svm_cid = VMADDR_CID_ANY;
  vm.svm_port = port;
  b->fd.reset(socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!b->fd) return Fail(error, "vsock socket (is the vsock transport loaded?)", errno);
  if (bind(b->fd.get(), reinterpret_cast<sockaddr*>(&vm), sizeof(vm)) < 0)
    return Fail(error, "bind vsock port " + std::string(rest), errno);
  b->shown = "vsock:" + std::string(rest);
  return 0;
#else
  (void)rest, (void)b;
  *error = "vsock is not supported by this build";
  return -EAFNOSUPPORT;
#endif
}

// Reads one line (the token) within the timeout, for the whole line, and compares it in
// constant time.
bool TokenOk(int fd, const std::string& token) {
  std::string line;
  const int64_t deadline = Deadline(kTokenTimeoutMs);
  while (line.size() <= 4096) {
    pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, PollTimeout(deadline)) <= 0) return false;
    char ch;
    if (read(fd, &ch, 1) != 1) return false;
    if (ch == '\n') break;
    line.push_back(ch);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  unsigned diff = line.size() != token.size();
  for (size_t i = 0; i < token.size(); ++i) diff |= token[i] ^ (i < line.size() ? line[i] : 0);
  return diff == 0;
}

// The child side of one connection: never returns.
[[noreturn]] void RunConnection(UniqueFd conn, const sigset_t& old_mask, const std::string& token,
                                const SessionOptions& session) {
  ::signal(SIGCHLD, SIG_DFL);
  sigset_t mask = old_mask;  // stop signals stay blocked: ServeSession takes them race-free
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGHUP);
  sigprocmask(SIG_SETMASK, &mask, nullptr);
  if (!token.empty() && !TokenOk(conn.get(), token)) {
    static constexpr char kRefused[] = "bpfd: wrong token: connection refused\n";
    (void)!write(conn.get(), kRefused, sizeof(kRefused) - 1);
    _exit(0);
  }
  if (dup2(conn.get(), 0) < 0 || dup2(conn.get(), 1) < 0) _exit(1);
  conn.reset();
  ServeSession(0, 1, session);
  _exit(0);
}

void Reap(std::set<pid_t>* children) {
  pid_t pid;
  while ((pid = waitpid(-1, nullptr, WNOHANG)) > 0) children->erase(pid);
}

// SIGTERM to every session, then wait for them (they clean up), SIGKILL after the grace time.
void StopAll(std::set<pid_t>* children) {
  for (pid_t p : *children) kill(p, SIGTERM);
  for (int waited = 0; !children->empty() && waited < kStopGraceMs; waited += 10) {
    Reap(children);
    timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, nullptr);
  }
  for (pid_t p : *children) kill(p, SIGKILL);
  while (!children->empty()) {
    pid_t pid = waitpid(-1, nullptr, 0);
    if (pid < 0) break;
    children->erase(pid);
  }
}

}  // namespace

int RunListener(const ListenOptions& opts, std::string* error) {
  std::string_view spec = opts.spec;
  size_t c = spec.find(':');
  std::string_view kind = spec.substr(0, c),
                   rest = c == std::string_view::npos ? "" : spec.substr(c + 1);
  std::string token;
  if (kind == "tcp") {
    if (opts.token_file.empty() || ReadTokenFile(opts.token_file, &token) < 0) {
      *error = "tcp needs --token-file FILE whose first line is the shared token";
      return -EINVAL;
    }
  }
  Bound b;
  int r = kind == "unix"  ? BindUnix(std::string(rest), &b, error)
          : kind == "tcp" ? BindTcp(rest, opts.allow_remote, &b, error)
          : kind == "vsock"
              ? BindVsock(rest, &b, error)
              : (*error = "--listen takes unix:PATH, tcp:[ADDR:]PORT or vsock:PORT", -EINVAL);
  if (r < 0) return r;
  if (listen(b.fd.get(), 128) < 0) return Fail(error, "listen", errno);

  ::signal(SIGPIPE, SIG_IGN);
  sigset_t block, old;
  sigemptyset(&block);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&block, sig);
  sigprocmask(SIG_BLOCK, &block, &old);
  struct sigaction sa {};
  sa.sa_handler = OnStop;
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaction(sig, &sa, nullptr);
  sa.sa_handler = OnChild;
  sigaction(SIGCHLD, &sa, nullptr);
  sigset_t wait_mask = old;
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigdelset(&wait_mask, sig);

  std::printf("LISTENING %s\n", b.shown.c_str());
  std::fflush(stdout);
  std::set<pid_t> children;
  g_stop = 0;
  while (!g_stop) {
    pollfd p = {b.fd.get(), POLLIN, 0};
    int pr = ppoll(&p, 1, nullptr, &wait_mask);
    if (g_child) {
      g_child = 0;
      Reap(&children);
    }
    if (pr <= 0) continue;
    UniqueFd conn(accept4(b.fd.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn) continue;  // e.g. the peer gave up already
    pid_t pid = fork();
    if (pid == 0) {
      b.fd.reset();
      RunConnection(std::move(conn), old, token, opts.session);
    }
    if (pid > 0)
      children.insert(pid);
    else
      std::fprintf(stderr, "bpfd: fork for a new session: %s\n", std::strerror(errno));
  }
  b.fd.reset();
  StopAll(&children);
  if (!b.unix_path.empty()) unlink(b.unix_path.c_str());
  std::fprintf(stderr, "bpfd: listener stopped (%s); every session cleaned up\n",
               strsignal(g_stop));
  sigprocmask(SIG_SETMASK, &old, nullptr);
  return 0;
}

}  // namespace bpfd
