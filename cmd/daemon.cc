// Daemon mode: serves the BPFd v1 line protocol on stdin/stdout for one session, then cleans
// up everything the session created (on exit, EOF, EPIPE, SIGHUP, SIGINT or SIGTERM).
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "cmd/modes.h"
#include "core/line_reader.h"
#include "core/protocol.h"
#include "core/reply.h"
#include "core/session.h"

namespace bpfd {
namespace {

// The only mutable global: set by the stop-signal handler.
volatile sig_atomic_t g_stop_signal = 0;

void OnStopSignal(int sig) { g_stop_signal = sig; }

constexpr int kStopSignals[] = {SIGHUP, SIGINT, SIGTERM};

void Usage(FILE* out, const char* prog) {
  std::fprintf(out,
               "Usage: %s [--help]\n"
               "Serves the BPFd line protocol (2017 BPFd compatible) on stdin/stdout.\n"
               "Prints STARTED_BPFD, then answers one command per line with\n"
               "START_BPFD_OUTPUT ... END_BPFD_OUTPUT. `exit`, end of input, SIGHUP, SIGINT\n"
               "or SIGTERM end the session; every map, program, probe, tracefs event and perf\n"
               "buffer it created is released before exiting with status 0.\n",
               prog);
}

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
// between; take it here so a busy host cannot delay the session's end indefinitely.
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

}  // namespace

int DaemonMain(int argc, char** argv) {
  const char* prog = argc > 0 && argv[0] ? argv[0] : "bpfd";
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      Usage(stdout, prog);
      return 0;
    }
    std::fprintf(stderr, "%s: unknown argument '%s'\n", prog, argv[i]);
    Usage(stderr, prog);
    return 2;
  }

  sigset_t wait_mask, old_mask;
  SetUpSignals(&wait_mask, &old_mask);
  g_stop_signal = 0;

  // Everything else (tracefs, kallsyms, libbpf probes) opens lazily, so a fresh session's
  // first map gets the lowest free fd (3 when only stdio is open).
  if (WriteAll(STDOUT_FILENO, "STARTED_BPFD\n") == 0) {
    Session session;
    LineReader input(STDIN_FILENO, &wait_mask);
    session.set_input(&input);
    Reply reply;
    std::string line;
    while (!g_stop_signal && !StopSignalPending()) {
      int r = input.ReadLine(&line);
      if (r == -EINTR) continue;  // the loop condition decides
      if (r < 0) {
        std::fprintf(stderr, "bpfd: reading commands: %s\n", std::strerror(-r));
        break;
      }
      if (r == 0) break;  // EOF: the host went away
      LineAction act = HandleLine(session, line, reply);
      if (act == LineAction::kExit) break;
      if (act == LineAction::kIgnore) continue;
      int w = reply.Flush(STDOUT_FILENO);
      if (w < 0) {
        if (w != -EPIPE) std::fprintf(stderr, "bpfd: writing reply: %s\n", std::strerror(-w));
        break;
      }
    }
    session.Cleanup();
  }
  if (g_stop_signal)
    std::fprintf(stderr, "bpfd: %s: session cleaned up\n", strsignal(g_stop_signal));
  RestoreSignals(&old_mask);
  return 0;
}

}  // namespace bpfd
