#include "core/daemon/listener.h"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <list>
#include <map>
#include <set>
#include <vector>

#include "core/base/clock.h"
#include "core/base/unique_fd.h"
#include "core/daemon/handshake.h"
#include "core/daemon/listen_socket.h"
#include "core/daemon/serve.h"
#include "core/daemon/sweep.h"
#include "core/wire/auth.h"

namespace bpfd {
namespace {

volatile sig_atomic_t g_stop = 0;
volatile sig_atomic_t g_child = 0;
void OnStop(int sig) { g_stop = sig; }
void OnChild(int) { g_child = 1; }

void Log(const Peer& peer, std::string_view kind, const std::string& what) {
  std::fprintf(stderr, "bpfd: %.*s %s: %s\n", static_cast<int>(kind.size()), kind.data(),
               peer.name.c_str(), what.c_str());
}

std::string_view KindName(BoundSocket::Kind k) {
  return k == BoundSocket::Kind::kUnix ? "unix" : k == BoundSocket::Kind::kTcp ? "tcp" : "vsock";
}

// The child side of one connection: never returns.
[[noreturn]] void RunSession(UniqueFd conn, const sigset_t& old_mask,
                             const SessionOptions& session) {
  ::signal(SIGCHLD, SIG_DFL);
  sigset_t mask = old_mask;  // stop signals stay blocked: ServeSession takes them race-free
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGHUP);
  sigprocmask(SIG_SETMASK, &mask, nullptr);
  if (dup2(conn.get(), 0) < 0 || dup2(conn.get(), 1) < 0) _exit(1);
  conn.reset();
  ServeSession(0, 1, session);
  _exit(0);
}

// Reaps ended sessions. One killed by a signal (the OOM killer, a crash) could not clean up:
// what it journalled is undone now, not only at the next start.
void Reap(std::set<pid_t>* children, const std::string& state_dir) {
  pid_t pid;
  int status = 0;
  bool killed = false;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    children->erase(pid);
    killed |= WIFSIGNALED(status);
  }
  if (killed) SweepLeftovers(state_dir);
}

// SIGTERM to every session, then wait for them (they clean up; said once after
// kCleanupNoticeMs), SIGKILL after kSessionCleanupMs.
void StopAll(std::set<pid_t>* children, const std::string& state_dir) {
  for (pid_t p : *children) kill(p, SIGTERM);
  const int64_t start = NowMs();
  bool said = false;
  while (!children->empty() && NowMs() - start < kSessionCleanupMs) {
    Reap(children, state_dir);
    if (!said && !children->empty() && NowMs() - start >= kCleanupNoticeMs) {
      said = true;
      std::fprintf(stderr, "bpfd: waiting for %zu session(s) to clean up (at most %d s)\n",
                   children->size(), kSessionCleanupMs / 1000);
    }
    timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, nullptr);
  }
  if (children->empty()) return;
  for (pid_t p : *children) kill(p, SIGKILL);
  while (!children->empty()) {
    pid_t pid = waitpid(-1, nullptr, 0);
    if (pid < 0) break;
    children->erase(pid);
  }
  SweepLeftovers(state_dir);  // what the killed ones journalled
}

// The option checks that need no socket: which transports need a token, and the token.
int CheckAuthOptions(const ListenOptions& o, BoundSocket::Kind kind, std::string* token,
                     std::string* error) {
  if (!o.token_file.empty()) {
    std::string why;
    int r = ReadTokenFile(o.token_file, token, &why);
    if (r < 0) {
      *error = why;
      return r == -EACCES ? -EACCES : -EINVAL;
    }
    return 0;
  }
  if (kind != BoundSocket::Kind::kUnix && !o.allow_unauthenticated) {
    *error = std::string(KindName(kind)) +
             " needs --token-file FILE (a secret of at least 16 bytes, mode 0600): "
             "anyone who reaches the port would otherwise get a root session. "
             "--allow-unauthenticated serves without one, on purpose";
    return -EINVAL;
  }
  if (o.allow_unauthenticated)
    std::fprintf(stderr, "bpfd: --allow-unauthenticated: anyone who reaches %s gets a session\n",
                 o.spec.c_str());
  return 0;
}

// The connections in their handshake, oldest first, with the per-source counts.
class Pending {
 public:
  Pending(int max_total, int max_per_source) : max_(max_total), max_source_(max_per_source) {}
  std::list<Handshake>& all() { return list_; }

  // Makes room for one more from `source`: drops the oldest of that source when it is at its
  // cap, else the oldest of all when the total is.
  void MakeRoom(const std::string& source, std::string_view kind) {
    auto drop = [&](std::list<Handshake>::iterator it, const char* why) {
      Log(it->peer(), kind, std::string("dropped: ") + why);
      it->Refuse("too many connections waiting");
      Erase(it);
    };
    auto count = per_source_.find(source);
    if (count != per_source_.end() && count->second >= max_source_) {
      auto it = std::find_if(list_.begin(), list_.end(),
                             [&](const Handshake& h) { return h.peer().source == source; });
      if (it != list_.end()) drop(it, "too many handshakes from this source; oldest dropped");
    }
    if (static_cast<int>(list_.size()) >= max_)
      drop(list_.begin(), "too many handshakes; oldest dropped");
  }
  void Add(Handshake h) {
    ++per_source_[h.peer().source];
    list_.push_back(std::move(h));
  }
  std::list<Handshake>::iterator Erase(std::list<Handshake>::iterator it) {
    if (--per_source_[it->peer().source] == 0) per_source_.erase(it->peer().source);
    return list_.erase(it);
  }

 private:
  int max_, max_source_;
  std::list<Handshake> list_;
  std::map<std::string, int> per_source_;
};

struct Server {
  explicit Server(const ListenOptions& o) : opts(o) {}
  const ListenOptions& opts;
  BoundSocket sock;
  AdmissionRules rules;
  sigset_t old_mask;
  std::set<pid_t> children;
  Pending pending{opts.max_startups, opts.max_startups_per_source};

  void Accept() {
    UniqueFd conn(accept4(sock.fd.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!conn) return;  // e.g. the peer gave up already
    Peer peer = DescribePeer(sock.kind, conn.get());
    SetPeerSocketOptions(sock.kind, conn.get());
    pending.MakeRoom(peer.source, KindName(sock.kind));
    Handshake h(std::move(conn), peer, rules, Deadline(opts.handshake_timeout_ms));
    std::string why;
    Handshake::State st = h.Start(&why);
    if (st == Handshake::State::kWaiting) {
      pending.Add(std::move(h));
    } else {
      Finish(h, st, why);
    }
  }

  void Finish(Handshake& h, Handshake::State st, const std::string& why) {
    if (st == Handshake::State::kRefused) {
      Log(h.peer(), KindName(sock.kind), "refused: " + why);
      h.Refuse(why);
      return;
    }
    if (static_cast<int>(children.size()) >= opts.max_sessions) {
      Log(h.peer(), KindName(sock.kind),
          "refused: " + std::to_string(opts.max_sessions) + " sessions already (--max-sessions)");
      h.Refuse("too many sessions");
      return;
    }
    Peer peer = h.peer();
    UniqueFd conn = h.Admit();
    if (!conn) return;
    pid_t pid = fork();
    if (pid == 0) {
      sock.fd.reset();
      for (Handshake& other : pending.all()) close(other.fd());
      RunSession(std::move(conn), old_mask, opts.session);
    }
    if (pid < 0) {
      Log(peer, KindName(sock.kind), std::string("fork failed: ") + std::strerror(errno));
      return;
    }
    children.insert(pid);
    Log(peer, KindName(sock.kind), "accepted, session pid " + std::to_string(pid));
  }

  // One pass: waits for the listening socket, the handshakes and the nearest deadline.
  void Poll(const sigset_t& wait_mask) {
    std::vector<pollfd> fds = {{sock.fd.get(), POLLIN, 0}};
    int64_t next = -1;
    for (Handshake& h : pending.all()) {
      fds.push_back({h.fd(), POLLIN, 0});
      if (next < 0 || h.deadline_ms() < next) next = h.deadline_ms();
    }
    int t = PollTimeout(next);
    timespec ts = {t / 1000, (t % 1000) * 1000000L};
    int pr = ppoll(fds.data(), fds.size(), t < 0 ? nullptr : &ts, &wait_mask);
    if (g_child) {
      g_child = 0;
      Reap(&children, opts.session.state_dir);
    }
    if (pr < 0) return;
    // Handshakes first (fds[1..] match the list's order as it was), then new connections.
    size_t i = 1;
    const int64_t now = NowMs();
    for (auto it = pending.all().begin(); it != pending.all().end(); ++i) {
      std::string why;
      Handshake::State st = Handshake::State::kWaiting;
      if (fds[i].revents) st = it->OnReadable(&why);
      if (st == Handshake::State::kWaiting && now >= it->deadline_ms()) {
        st = Handshake::State::kRefused;
        why = "no answer to the challenge within " +
              std::to_string(opts.handshake_timeout_ms / 1000) + " s";
      }
      if (st == Handshake::State::kWaiting) {
        ++it;
        continue;
      }
      Finish(*it, st, why);
      it = pending.Erase(it);
    }
    if (fds[0].revents & POLLIN) Accept();
  }
};

}  // namespace

int RunListener(const ListenOptions& opts, std::string* error) {
  Server s(opts);
  std::string_view spec = opts.spec;
  std::string_view kind = spec.substr(0, spec.find(':'));
  BoundSocket::Kind k = kind == "tcp"     ? BoundSocket::Kind::kTcp
                        : kind == "vsock" ? BoundSocket::Kind::kVsock
                                          : BoundSocket::Kind::kUnix;
  if (k != BoundSocket::Kind::kUnix && (opts.allow_uid != 0 || opts.allow_gid != 0)) {
    *error = "--allow-uid and --allow-gid go with unix:PATH (tcp and vsock use the token)";
    return -EINVAL;
  }
  std::string token;
  int r = CheckAuthOptions(opts, k, &token, error);
  if (r < 0) return r;
  s.rules.token = token.empty() ? nullptr : &token;
  s.rules.check_cred = k == BoundSocket::Kind::kUnix;
  s.rules.allow_uid = opts.allow_uid;
  s.rules.allow_gid = opts.allow_gid;
  r = BindListenSpec(spec, opts.allow_remote, UnixAccess{opts.allow_uid, opts.allow_gid}, &s.sock,
                     error);
  if (r < 0) {
    if (!s.sock.unix_path.empty()) unlink(s.sock.unix_path.c_str());
    return r;
  }

  ::signal(SIGPIPE, SIG_IGN);
  sigset_t block;
  sigemptyset(&block);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&block, sig);
  sigprocmask(SIG_BLOCK, &block, &s.old_mask);
  struct sigaction sa {};
  sa.sa_handler = OnStop;
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaction(sig, &sa, nullptr);
  sa.sa_handler = OnChild;
  sigaction(SIGCHLD, &sa, nullptr);
  sigset_t wait_mask = s.old_mask;
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigdelset(&wait_mask, sig);

  std::printf("LISTENING %s\n", s.sock.shown.c_str());
  std::fflush(stdout);
  std::fprintf(stderr, "bpfd: listening on %s (%s)\n", s.sock.shown.c_str(),
               s.rules.token        ? "token challenge"
               : s.rules.check_cred ? "peer credentials"
                                    : "UNAUTHENTICATED");
  g_stop = 0;
  while (!g_stop) s.Poll(wait_mask);
  s.sock.fd.reset();
  for (auto it = s.pending.all().begin(); it != s.pending.all().end();) {
    it->Refuse("the listener is stopping");
    it = s.pending.Erase(it);
  }
  StopAll(&s.children, opts.session.state_dir);
  if (!s.sock.unix_path.empty()) unlink(s.sock.unix_path.c_str());
  std::fprintf(stderr, "bpfd: listener stopped (%s); every session cleaned up\n",
               strsignal(g_stop));
  sigprocmask(SIG_SETMASK, &s.old_mask, nullptr);
  return 0;
}

}  // namespace bpfd
