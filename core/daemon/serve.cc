#include "core/daemon/serve.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "core/base/bounded_write.h"
#include "core/base/line_reader.h"
#include "core/daemon/dispatch.h"
#include "core/daemon/session.h"
#include "core/kernel/privileges.h"
#include "core/wire/reply.h"

namespace bpfd {
namespace {

// The only mutable global: set by the stop-signal handler.
volatile sig_atomic_t g_stop_signal = 0;

void OnStopSignal(int sig) { g_stop_signal = sig; }

constexpr int kStopSignals[] = {SIGHUP, SIGINT, SIGTERM};

// Blocks the stop signals (they are taken only inside ppoll, race-free) and installs the
// handler. *wait_mask receives the mask to use while waiting; *old the mask to restore.
void SetUpSignals(sigset_t* wait_mask, sigset_t* old) {
  ::signal(SIGPIPE, SIG_IGN);  // a vanished host shows up as EPIPE from write()
  sigset_t stop;
  sigemptyset(&stop);
  for (int sig : kStopSignals) sigaddset(&stop, sig);
  sigprocmask(SIG_BLOCK, &stop, old);
  struct sigaction sa;
  std::memset(&sa, 0, sizeof(sa));
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: waits must return EINTR
  for (int sig : kStopSignals) sigaction(sig, &sa, nullptr);
  *wait_mask = *old;
  for (int sig : kStopSignals) sigdelset(wait_mask, sig);
}

// A stop signal can be pending (blocked) while commands keep arriving without any wait in
// between; take it here so a busy host cannot delay the session's end indefinitely. Asked once
// per kSignalCheckEvery commands (a wait for input takes the signal anyway): not a syscall per
// command.
constexpr unsigned kSignalCheckEvery = 128;
bool StopSignalPending() {
  sigset_t pending;
  if (sigpending(&pending) != 0) return false;
  for (int sig : kStopSignals) {
    if (sigismember(&pending, sig)) {
      g_stop_signal = sig;
      return true;
    }
  }
  return false;
}

// Unblocks first, so a still-pending stop signal reaches our flag-setting handler, and only
// then restores the default actions.
void RestoreSignals(const sigset_t* old) {
  sigprocmask(SIG_SETMASK, old, nullptr);
  for (int sig : kStopSignals) ::signal(sig, SIG_DFL);
}

// The result w of writing the banner or a reply, after saying why the session ends (nothing for
// a reader that went away or a stop signal, which the daemon reports).
int Checked(int w, const BoundedWriter& out) {
  if (w == -ETIMEDOUT)
    std::fprintf(stderr, "bpfd: the client read nothing of a reply for %d ms: ending the session\n",
                 out.idle_ms());
  else if (w < 0 && w != -EPIPE && w != -ECONNRESET && w != -EINTR)
    std::fprintf(stderr, "bpfd: writing reply: %s\n", std::strerror(-w));
  return w;
}

// The replies of pipelined commands, written together: held while more complete command lines
// are buffered (up to kCoalesceBytes), written before the daemon waits for input or a command
// waits (Session::BeforeWait). One write per batch instead of one per command.
class Outbox {
 public:
  static constexpr size_t kCoalesceBytes = 64u << 10;
  explicit Outbox(BoundedWriter& out) : out_(out) {}
  // Takes a small reply (false: too large to hold; the caller flushes and writes it itself).
  bool Hold(Reply& reply) {
    if (reply.body().size() >= kCoalesceBytes) return false;
    reply.AppendFramedTo(&bytes_);
    return true;
  }
  bool full() const { return bytes_.size() >= kCoalesceBytes; }
  // Writes what is held: 0, or the first write error (sticky: the session ends on it).
  int Flush() {
    if (error_ == 0 && !bytes_.empty()) error_ = std::min(Checked(out_.Write(bytes_), out_), 0);
    bytes_.clear();
    return error_;
  }
  int error() const { return error_; }

 private:
  BoundedWriter& out_;
  std::string bytes_;
  int error_ = 0;
};

}  // namespace

int ServeSession(int in_fd, int out_fd, const SessionOptions& opts) {
  // Least privilege before the first command (docs/security.md): a failure costs the session
  // nothing but is said once.
  if (int r = DropPrivileges(opts.unrestricted); r < 0)
    std::fprintf(stderr, "bpfd: dropping privileges: %s\n", std::strerror(-r));
  RaiseMemlockLimit();  // a tool's setrlimit still reaches it (SYS_PRLIMIT)
  sigset_t wait_mask, old_mask;
  SetUpSignals(&wait_mask, &old_mask);
  g_stop_signal = 0;

  // Everything else (tracefs, kallsyms, libbpf probes) opens lazily, so a fresh session's
  // first map gets the lowest free fd (3 when only stdio is open).
  BoundedWriter out(out_fd, opts.write_timeout_ms, &wait_mask);
  if (Checked(out.Write(std::string(kBannerLine) + "\n"), out) == 0) {
    Session session(opts);
    LineReader input(in_fd, &wait_mask);
    input.SetMaxLine(opts.max_line);
    session.set_input(&input);
    Reply reply;
    Outbox outbox(out);
    session.set_before_wait([&outbox] { outbox.Flush(); });
    std::string line;
    for (unsigned n = 1; !g_stop_signal && (n % kSignalCheckEvery || !StopSignalPending()); ++n) {
      if (!input.Ready() && outbox.Flush() < 0) break;  // about to wait for input
      int r = input.ReadLine(&line);
      if (r == -EINTR) continue;  // the loop condition decides
      if (r < 0 && r != -E2BIG) {
        if (r != -ECONNRESET)
          std::fprintf(stderr, "bpfd: reading commands: %s\n", std::strerror(-r));
        break;
      }
      if (r == 0) break;            // EOF: the host went away
      LineAction act = r == -E2BIG  // a line over --max-line, dropped
                           ? HandleOverlongLine(line, input.overlong_seen(), opts.max_line, reply)
                           : HandleLine(session, line, reply);
      if (act == LineAction::kExit || outbox.error() < 0) break;
      if (act == LineAction::kIgnore) continue;
      if (session.deflate_replies()) reply.Deflate();
      if (outbox.Hold(reply) ? outbox.full() && outbox.Flush() < 0
                             : outbox.Flush() < 0 || Checked(reply.Flush(out), out) < 0)
        break;
    }
    outbox.Flush();  // what the last commands answered, before `exit`, EOF or a stop signal
    session.set_before_wait({});
    session.Cleanup();
  }
  int sig = g_stop_signal;
  RestoreSignals(&old_mask);
  return sig;
}

}  // namespace bpfd
