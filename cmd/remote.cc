// bpfd remote: runs an unmodified tool (a BCC tool, bpftool) on this host with its kernel
// calls forwarded to a daemon, e.g. `bpfd remote --remote adb -- syscount-bpfcc -d 2`.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "cmd/mode.h"
#include "cmd/modes.h"
#include "core/base/self_exe.h"
#include "core/client/applet_dir.h"
#include "core/client/kheaders.h"
#include "core/client/tool_launcher.h"
#include "core/client/transport.h"

namespace bpfd {
namespace {

constexpr char kUsage[] =
    "Usage: bpfd remote [--remote SPEC] [--lib PATH] [--kheaders] [--] TOOL [ARGS...]\n"
    "Runs TOOL here with its kernel calls (bpf(), perf events, tracefs, /sys, /proc, uname)\n"
    "forwarded to the daemon SPEC names, through the host library libbpfd-remote.so\n"
    "(LD_PRELOAD). BCC tools compile here, so they need the target's kernel headers:\n"
    "BCC_KERNEL_SOURCE=DIR, or --kheaders. Ctrl-C goes to TOOL (it prints its summary); the\n"
    "session ends with TOOL, and the daemon then removes what TOOL left on the target.\n"
    "  --remote SPEC  the daemon (default: $BCC_REMOTE[:$BCC_REMOTE_ARGS], else process):\n"
    "                 process[:PATH]  cmd:COMMAND  ssh:[USER@]HOST[:PORT][:PATH]\n"
    "                 adb[:SERIAL][:PATH]  unix:PATH  tcp:HOST:PORT  vsock:CID:PORT\n"
    "  --lib PATH     the library (default: $BPFD_REMOTE_LIB, else libbpfd-remote.so beside\n"
    "                 this binary, else in ../lib/bpfd/ from it)\n"
    "  --kheaders     unless BCC_KERNEL_SOURCE is set, fetch the target's\n"
    "                 /sys/kernel/kheaders.tar.xz into ~/.cache/bpfd/kheaders/ (BPFD_CACHE)\n"
    "                 and set BCC_KERNEL_SOURCE to it\n"
    "ARCH is set from the target's machine (x86, arm64, arm, ...) unless already set, and\n"
    "`ausyscall` on TOOL's PATH prints the target's syscall table (BCC's syscount uses it).\n"
    "Example: bpfd remote --remote ssh:board --kheaders -- hardirqs-bpfcc 5\n"
    "Exit: TOOL's status (128+N if signal N ended it); 1 the daemon could not be reached or\n"
    "failed; 2 usage, no library, or no kheaders on the target; 127 TOOL could not be run.\n";

constexpr int kBannerTimeoutMs = 10000;
constexpr int kCallTimeoutMs = 30000;
// The daemon's time to end on its own after the tool's session ends (then SIGTERM: something,
// e.g. a child of the tool, still holds the session; it still gets kSessionCleanupMs to clean
// up).
constexpr int kLingerMs = 3000;

int Usage(const std::string& why) {
  std::fprintf(stderr, "bpfd remote: %s\n%s", why.c_str(), kUsage);
  return 2;
}

bool EnvSet(const char* name) {
  const char* v = std::getenv(name);
  return v && *v;
}

}  // namespace

int RemoteMain(int argc, char** argv) {
  std::string spec, lib;
  bool kheaders = false;
  std::vector<std::string> tool;
  static constexpr Option kOptions[] = {{"remote", 0, true}, {"lib", 0, true}, {"kheaders"}};
  ParsedArgs args;
  std::string why;
  if (ParseArgs(argc, argv, kOptions, true, &args, &why) < 0)
    return Usage(why + (why.starts_with("unknown") ? " (TOOL's own options go after --)" : ""));
  if (args.has("help")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (args.has("remote") && (spec = args.get("remote")).empty())
    return Usage("--remote needs a SPEC");
  if (args.has("lib") && (lib = args.get("lib")).empty()) return Usage("--lib needs a PATH");
  kheaders = args.has("kheaders");
  tool = std::move(args.positional);
  if (tool.empty() || tool[0].empty())
    return Usage("no TOOL given, e.g. bpfd remote -- syscount-bpfcc -d 2");

  std::string lib_path, error;
  if (spec.empty()) spec = RemoteSpecFromEnv();
  if (spec.empty()) spec = "process";
  RemoteSpec rs;
  if (ParseRemoteSpec(spec, &rs, &error) < 0) return Usage(error);
  if (FindRemoteLib(lib, &lib_path, &error) < 0) {
    std::fprintf(stderr, "bpfd remote: %s\n", error.c_str());
    return 2;
  }

  ProtocolClient c;
  ConnectOptions co;
  co.timeout_ms = kBannerTimeoutMs;
  co.new_session = true;   // the terminal's Ctrl-C is for the tool, not the daemon or ssh
  co.ask = {"SYS_UNAME"};  // its round trip overlaps the daemon's start
  if (ConnectRemote(rs, co, &c, &error) < 0) {
    std::fprintf(stderr, "bpfd remote: %s: %s\n", spec.c_str(), error.c_str());
    return 1;
  }
  TargetUname u;
  if (QueryUname(c, kCallTimeoutMs, &u, &error, /*asked=*/true) < 0) {
    std::fprintf(stderr, "bpfd remote: %s: %s\n", spec.c_str(), error.c_str());
    return 1;
  }

  std::vector<std::pair<std::string, std::string>> env;
  if (!EnvSet("ARCH")) env.emplace_back("ARCH", ArchForMachine(u.machine));
  // BCC runs `ausyscall --dump` to name syscalls: ours, first on PATH, prints the target's.
  AppletDir applets;
  env.emplace_back("BPFD_TARGET_MACHINE", u.machine);
  env.emplace_back("BPFD_REMOTE_UNAME",
                   FormatUnameLine(u));  // the library's uname(), no round trip
  if (c.inflate()) env.emplace_back("BPFD_REMOTE_INFLATE", "1");  // the daemon deflates replies
  if (applets.Create(SelfExePath(), {"ausyscall"}, &error) == 0) {
    const char* path = std::getenv("PATH");
    env.emplace_back("PATH", applets.PrependTo(path ? path : ""));
  } else {
    std::fprintf(stderr, "bpfd remote: warning: %s; tools will name the host's syscalls\n",
                 error.c_str());
  }
  if (kheaders && !EnvSet("BCC_KERNEL_SOURCE")) {
    std::string cache = HostCacheDir();
    if (cache.empty()) {
      std::fprintf(stderr,
                   "bpfd remote: --kheaders needs a cache directory: set BPFD_CACHE or HOME\n");
      return 2;
    }
    std::string dir = KheadersDir(cache, u);
    int r = FetchKheaders(c, dir, &error);
    if (r < 0) {
      std::fprintf(stderr, "bpfd remote: %s: %s\n", spec.c_str(), error.c_str());
      return r == -ENOENT ? 2 : 1;
    }
    env.emplace_back("BCC_KERNEL_SOURCE", dir);
  }
  const char* preload = std::getenv("LD_PRELOAD");
  env.emplace_back("LD_PRELOAD", PrependPreload(preload ? preload : "", lib_path));

  ToolOutcome out;
  int r = RunToolWithSession(&c, tool, env, kLingerMs, &out, &error);
  if (out.session_stopped || out.session_close == -ETIMEDOUT)
    std::fprintf(stderr,
                 "bpfd remote: the daemon was still running %d s after %s ended (something "
                 "kept the session open); stopped it%s\n",
                 kLingerMs / 1000, tool[0].c_str(),
                 out.session_close == -ETIMEDOUT ? " (killed: no cleanup)" : "");
  if (r < 0) {
    std::fprintf(stderr, "bpfd remote: %s\n", error.c_str());
    return out.handed_over ? 127 : 1;
  }
  return out.status;
}

}  // namespace bpfd
