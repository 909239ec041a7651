// Daemon mode: serves the BPFd v1 line protocol on stdin/stdout for one session (or, with
// --listen, on a socket for many), cleaning up everything each session created.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "cmd/mode.h"
#include "cmd/modes.h"
#include "core/daemon/journal.h"
#include "core/daemon/listener.h"
#include "core/daemon/serve.h"
#include "core/daemon/session.h"
#include "core/daemon/sweep.h"
#include "core/wire/tokens.h"

namespace bpfd {
namespace {

void Usage(FILE* out, const char* prog) {
  std::fprintf(
      out,
      "Usage: %s [--help] [--probe-api auto|pmu|tracefs] [--unrestricted]\n"
      "                  [--write-timeout SECONDS] [--max-line BYTES] [--state-dir DIR]\n"
      "       %s --listen unix:PATH|tcp:[ADDR:]PORT|vsock:PORT [--token-file FILE]\n"
      "                  [--allow-remote] [--allow-uid UID] [--allow-gid GID]\n"
      "                  [--max-sessions N] [--max-startups N] [--allow-unauthenticated]\n"
      "                  [--probe-api auto|pmu|tracefs] [--unrestricted]\n"
      "                  [--write-timeout SECONDS] [--max-line BYTES] [--state-dir DIR]\n"
      "Serves the BPFd line protocol (2017 BPFd compatible) on stdin/stdout.\n"
      "Prints STARTED_BPFD, then answers one command per line with\n"
      "START_BPFD_OUTPUT ... END_BPFD_OUTPUT. `exit`, end of input, SIGHUP, SIGINT\n"
      "or SIGTERM end the session; every map, program, probe, tracefs event and perf\n"
      "buffer it created is released before exiting with status 0. A client that takes\n"
      "nothing of a reply for --write-timeout seconds (default 30) ends its session\n"
      "the same way.\n"
      "\n"
      "The forwarding commands (FILE_*, SYS_BPF) obey a policy: only the paths and bpf\n"
      "commands tracing needs, only the session's own objects for writing; anything else\n"
      "gets -EACCES and a line on stderr. --unrestricted lifts it (docs/security.md).\n"
      "\n"
      "--max-line (default 64 MiB) caps a command line: a longer one is dropped up to its\n"
      "newline and answered -E2BIG (docs/protocol.md \"Limits\"); the session goes on.\n"
      "\n"
      "--listen serves many sessions at once, each in its own process with its own\n"
      "descriptors, probes and cleanup when its connection ends. It prints\n"
      "`LISTENING <spec>` (with the real port for tcp port 0) once ready, and logs every\n"
      "accepted, refused and dropped peer on stderr. Every peer authenticates first:\n"
      "  tcp, vsock  need --token-file FILE (mode 0600, at least 16 bytes; make one with\n"
      "              `(umask 077; head -c 32 /dev/urandom | base64 > FILE)`): a\n"
      "              challenge-response, the token never crosses the link. Clients pass\n"
      "              the same file (--token-file or $BPFD_TOKEN_FILE).\n"
      "  unix        the socket is 0600 and the peer (SO_PEERCRED) must be root, or\n"
      "              --allow-uid UID (the socket's owner) or --allow-gid GID (mode 0660);\n"
      "              --token-file adds the challenge.\n"
      "tcp binds loopback only unless --allow-remote. A handshake has 5 s in all;\n"
      "--max-startups (default 128, a quarter per source) handshakes wait at once, the oldest\n"
      "dropped first; --max-sessions (default 64) sessions run at once.\n"
      "--allow-unauthenticated serves tcp or vsock without a token: anyone who reaches\n"
      "the port gets a root session. SIGTERM/SIGINT stop the listener and every\n"
      "session cleanly.\n"
      "\n"
      "--probe-api (or $BPFD_PROBE_API) says how BPF_ATTACH_KPROBE/UPROBE create\n"
      "probes: auto (default) uses the kprobe/uprobe PMU when the kernel has it, else\n"
      "kprobe_events/uprobe_events in tracefs; pmu only the PMU; tracefs always the\n"
      "tracefs files (what pre-4.17 kernels offer).\n"
      "\n"
      "--state-dir DIR (default /run/bpfd; /data/local/tmp/bpfd without /run, else\n"
      "/tmp/bpfd) holds one journal per session of the events, pins, cgroup attachments\n"
      "and tracefs settings it made, written before each is made. At start the daemon\n"
      "undoes what sessions that died (SIGKILL, OOM, a crash) left, and removes dead\n"
      "pids' *_bpfd_<pid> events; other tools' events are never touched.\n"
      "Exit: 0 ok, 1 cannot listen, 2 usage.\n",
      prog, prog);
}

// A positive count option: false for anything else.
bool CountOption(const ParsedArgs& args, std::string_view name, int* out) {
  if (!args.has(name)) return true;
  int v;
  if (!ParseInt(args.get(name), &v) || v <= 0) return false;
  *out = v;
  return true;
}

}  // namespace

int DaemonMain(int argc, char** argv) {
  const char* prog = argc > 0 && argv[0] ? argv[0] : "bpfd";
  ListenOptions lo;
  // The probe API for every session: --probe-api, else $BPFD_PROBE_API, read once here.
  const char* probe_api = std::getenv("BPFD_PROBE_API");
  static constexpr Option kOptions[] = {
      {"probe-api", 0, true},    {"listen", 0, true},        {"token-file", 0, true},
      {"allow-remote"},          {"unrestricted"},           {"allow-uid", 0, true},
      {"allow-gid", 0, true},    {"max-sessions", 0, true},  {"max-startups", 0, true},
      {"allow-unauthenticated"}, {"write-timeout", 0, true}, {"max-line", 0, true},
      {"state-dir", 0, true}};
  ParsedArgs args;
  std::string why;
  if (ParseArgs(argc, argv, kOptions, false, &args, &why) < 0 || !args.positional.empty()) {
    if (why.empty()) why = "unexpected argument '" + args.positional[0] + "'";
    std::fprintf(stderr, "%s: %s\n", prog, why.c_str());
    Usage(stderr, prog);
    return 2;
  }
  if (args.has("help")) {
    Usage(stdout, prog);
    return 0;
  }
  if (args.has("probe-api")) probe_api = args.options["probe-api"].c_str();
  lo.spec = args.get("listen");
  lo.token_file = args.get("token-file");
  lo.allow_remote = args.has("allow-remote");
  lo.allow_unauthenticated = args.has("allow-unauthenticated");
  uint32_t uid = 0, gid = 0;
  if ((args.has("allow-uid") && !ParseUint32(args.get("allow-uid"), &uid)) ||
      (args.has("allow-gid") && !ParseUint32(args.get("allow-gid"), &gid)) ||
      !CountOption(args, "max-sessions", &lo.max_sessions) ||
      !CountOption(args, "max-startups", &lo.max_startups)) {
    std::fprintf(stderr, "%s: --allow-uid/--allow-gid take a number, --max-* a count > 0\n", prog);
    return 2;
  }
  lo.allow_uid = uid;
  lo.allow_gid = gid;
  lo.max_startups_per_source = std::max(1, lo.max_startups / 4);
  SessionOptions session;
  if (ParseProbeApi(probe_api ? probe_api : "", &session.probe_api) < 0) {
    std::fprintf(stderr, "%s: probe API '%s' is not auto, pmu or tracefs\n", prog, probe_api);
    return 2;
  }
  session.unrestricted = args.has("unrestricted");
  int write_timeout_s = session.write_timeout_ms / 1000;
  if (!CountOption(args, "write-timeout", &write_timeout_s) || write_timeout_s > 86400) {
    std::fprintf(stderr, "%s: --write-timeout takes seconds, 1 to 86400\n", prog);
    return 2;
  }
  session.write_timeout_ms = write_timeout_s * 1000;
  uint64_t max_line = session.max_line;
  if (args.has("max-line") && (!ParseUint64(args.get("max-line"), &max_line) || max_line < 64 ||
                               max_line > (uint64_t{1} << 40))) {
    std::fprintf(stderr, "%s: --max-line takes a byte count of 64 or more\n", prog);
    return 2;
  }
  session.max_line = static_cast<size_t>(max_line);
  session.state_dir = args.has("state-dir") ? args.get("state-dir") : DefaultStateDir();
  if (std::string why; PrepareStateDir(session.state_dir, &why) < 0) {
    if (args.has("state-dir")) {
      std::fprintf(stderr, "%s: --state-dir: %s\n", prog, why.c_str());
      return 2;
    }
    // Only root makes what a journal records: another user's daemon says nothing.
    if (geteuid() == 0)
      std::fprintf(stderr, "bpfd: %s; sessions are not journalled\n", why.c_str());
    session.state_dir.clear();
  }
  // Every mode that serves sessions starts here: what dead sessions left goes first.
  SweepLeftovers(session.state_dir);
  lo.session = session;  // --listen: each connection's session inherits it
  if (!lo.spec.empty()) {
    std::string error;
    int r = RunListener(lo, &error);
    if (r < 0) std::fprintf(stderr, "%s: %s\n", prog, error.c_str());
    return r == -EINVAL ? 2 : r < 0 ? 1 : 0;
  }
  if (!lo.token_file.empty() || lo.allow_remote || lo.allow_unauthenticated ||
      args.has("allow-uid") || args.has("allow-gid") || args.has("max-sessions") ||
      args.has("max-startups")) {
    std::fprintf(stderr, "%s: --token-file, --allow-* and --max-* go with --listen\n", prog);
    return 2;
  }
  int sig = ServeSession(STDIN_FILENO, STDOUT_FILENO, session);
  if (sig) std::fprintf(stderr, "bpfd: %s: session cleaned up\n", strsignal(sig));
  return 0;
}

}  // namespace bpfd
