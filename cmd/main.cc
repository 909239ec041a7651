// bpfd multicall entry: argv[0]'s basename (or `bpfd <mode>`) selects the mode.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cmd/modes.h"
#include "cmd/version.h"
#include "core/base/self_exe.h"

namespace {

struct Mode {
  const char* name;    // bpfd <name> ...
  const char* applet;  // argv[0] basename
  const char* summary;
  int (*main)(int, char**);
};

constexpr Mode kModes[] = {
    {"daemon", "bpfd", "serve the BPFd line protocol on stdin/stdout", bpfd::DaemonMain},
    {"probes", "bpf-probes", "list what can be traced here", bpfd::ProbesMain},
    {"mapdump", "bpf-mapdump", "list and dump BPF maps", bpfd::MapdumpMain},
    {"selftest", "bpf-selftest", "check this device can do BPF tracing", bpfd::SelftestMain},
    {"connect", "bpfd-connect", "pipe protocol lines to a remote daemon", bpfd::ConnectMain},
    {"push", "bpfd-push", "copy the right bpfd to an Android device (adb)", bpfd::PushMain},
    {"remote", "bpfd-remote", "run a BCC tool here on a remote daemon's kernel", bpfd::RemoteMain},
    {"ausyscall", "ausyscall", "the target's syscall table, for BCC tools", bpfd::AusyscallMain},
    {"run", "bpfd-run", "load a BPF object on the target, print its events", bpfd::RunMain},
};

void Usage(FILE* out) {
  std::fprintf(out,
               "Usage: bpfd [MODE] [ARGS...]     (or run through a symlink named after an applet)\n"
               "       bpfd --install DIR        make the applet symlinks in DIR\n"
               "       bpfd --version | --help\n\nModes:\n");
  for (const Mode& m : kModes) std::fprintf(out, "  %-9s %-13s %s\n", m.name, m.applet, m.summary);
  std::fprintf(out, "\nWith no MODE, bpfd runs the daemon. `bpfd MODE --help` describes a mode.\n");
}

int Install(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr,
                 "bpfd: --install takes one directory, e.g. bpfd --install /data/local/tmp\n");
    return 2;
  }
  std::string self = bpfd::SelfExePath();
  if (self.empty()) {
    std::fprintf(stderr, "bpfd: cannot read /proc/self/exe; is /proc mounted?\n");
    return 1;
  }
  std::vector<std::string> names;
  for (const Mode& m : kModes)
    if (bpfd::Basename(self) != m.applet) names.push_back(m.applet);
  std::string error;
  if (bpfd::InstallSymlinks(argv[2], self, names, &error) < 0) {
    std::fprintf(stderr, "bpfd: --install: %s\n", error.c_str());
    return 1;
  }
  for (const std::string& n : names) std::printf("%s/%s -> %s\n", argv[2], n.c_str(), self.c_str());
  return 0;
}

// Like OpenSSH's sanitise_stdfd: fds 0-2 closed at exec get /dev/null, so nothing the program
// opens later (a map, a forwarded FILE_OPEN) can become its stdin, or its stdout and receive
// protocol replies. Exits 1 when one is closed and /dev/null cannot be opened.
void SanitiseStdFds() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) >= 0) continue;
    int null = open("/dev/null", O_RDWR);
    if (null < 0) _exit(1);
    if (null > 2) {  // cannot happen (the lowest free fd is <= fd), but never leak it
      close(null);
      break;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  SanitiseStdFds();
  std::string_view applet = bpfd::Basename(argc > 0 && argv[0] ? argv[0] : "bpfd");
  for (const Mode& m : kModes)
    if (applet == m.applet && applet != "bpfd") return m.main(argc, argv);

  // Invoked as bpfd (or an unknown name): look at the first argument.
  if (argc < 2) return bpfd::DaemonMain(argc, argv);
  std::string_view first = argv[1];
  if (first == "--version" || first == "-V") {
    std::fputs(bpfd::VersionText().c_str(), stdout);
    return 0;
  }
  if (first == "--help" || first == "-h" || first == "help") {
    Usage(stdout);
    return 0;
  }
  if (first == "--install") return Install(argc, argv);
  for (const Mode& m : kModes)
    if (first == m.name || first == m.applet) return m.main(argc - 1, argv + 1);
  if (!first.empty() && first[0] == '-') return bpfd::DaemonMain(argc, argv);  // daemon options
  std::fprintf(stderr, "bpfd: unknown mode '%s'. Run 'bpfd --help' for the list.\n", argv[1]);
  return 2;
}
