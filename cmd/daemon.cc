// Daemon mode: serves the BPFd v1 line protocol on stdin/stdout for one session (or, with
// --listen, on a socket for many), cleaning up everything each session created.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "cmd/mode.h"
#include "cmd/modes.h"
#include "core/daemon/listener.h"
#include "core/daemon/serve.h"
#include "core/daemon/session.h"

namespace bpfd {
namespace {

void Usage(FILE* out, const char* prog) {
  std::fprintf(
      out,
      "Usage: %s [--help] [--probe-api auto|pmu|tracefs]\n"
      "       %s --listen unix:PATH|tcp:[ADDR:]PORT|vsock:PORT [--token-file FILE]\n"
      "                  [--allow-remote] [--probe-api auto|pmu|tracefs]\n"
      "Serves the BPFd line protocol (2017 BPFd compatible) on stdin/stdout.\n"
      "Prints STARTED_BPFD, then answers one command per line with\n"
      "START_BPFD_OUTPUT ... END_BPFD_OUTPUT. `exit`, end of input, SIGHUP, SIGINT\n"
      "or SIGTERM end the session; every map, program, probe, tracefs event and perf\n"
      "buffer it created is released before exiting with status 0.\n"
      "\n"
      "--listen serves many sessions at once, each in its own process with its own\n"
      "descriptors, probes and cleanup when its connection ends. It prints\n"
      "`LISTENING <spec>` (with the real port for tcp port 0) once ready. Unix sockets\n"
      "are made 0600. tcp needs --token-file (the client sends its first line first;\n"
      "a wrong token is refused before any command is read) and binds loopback only\n"
      "unless --allow-remote is given. SIGTERM/SIGINT stop the listener and every\n"
      "session cleanly.\n"
      "\n"
      "--probe-api (or $BPFD_PROBE_API) says how BPF_ATTACH_KPROBE/UPROBE create\n"
      "probes: auto (default) uses the kprobe/uprobe PMU when the kernel has it, else\n"
      "kprobe_events/uprobe_events in tracefs; pmu only the PMU; tracefs always the\n"
      "tracefs files (what pre-4.17 kernels offer). Exit: 0 ok, 1 cannot listen, 2 usage.\n",
      prog, prog);
}

}  // namespace

int DaemonMain(int argc, char** argv) {
  const char* prog = argc > 0 && argv[0] ? argv[0] : "bpfd";
  ListenOptions lo;
  // The probe API for every session: --probe-api, else $BPFD_PROBE_API, read once here.
  const char* probe_api = std::getenv("BPFD_PROBE_API");
  static constexpr Option kOptions[] = {
      {"probe-api", 0, true}, {"listen", 0, true}, {"token-file", 0, true}, {"allow-remote"},
      {"unrestricted"}};
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
  SessionOptions session;
  if (ParseProbeApi(probe_api ? probe_api : "", &session.probe_api) < 0) {
    std::fprintf(stderr, "%s: probe API '%s' is not auto, pmu or tracefs\n", prog, probe_api);
    return 2;
  }
  session.unrestricted = args.has("unrestricted");
  lo.session = session;  // --listen: each connection's session inherits it
  if (!lo.spec.empty()) {
    std::string error;
    int r = RunListener(lo, &error);
    if (r < 0) std::fprintf(stderr, "%s: %s\n", prog, error.c_str());
    return r == -EINVAL ? 2 : r < 0 ? 1 : 0;
  }
  if (!lo.token_file.empty() || lo.allow_remote) {
    std::fprintf(stderr, "%s: --token-file and --allow-remote go with --listen\n", prog);
    return 2;
  }
  int sig = ServeSession(STDIN_FILENO, STDOUT_FILENO, session);
  if (sig) std::fprintf(stderr, "bpfd: %s: session cleaned up\n", strsignal(sig));
  return 0;
}

}  // namespace bpfd
