// ausyscall: audit's syscall-table lookup, for the target's machine. BCC's tools (syscount,
// ...) run `ausyscall --dump` to name syscall numbers on non-x86 machines; `bpfd remote` puts
// this applet first on the tool's PATH with BPFD_TARGET_MACHINE set, so they name the
// target's syscalls rather than the host's.
#include <sys/utsname.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cmd/modes.h"
#include "core/client/syscall_table.h"

namespace bpfd {
namespace {

constexpr char kUsage[] =
    "Usage: ausyscall [MACHINE] NAME|NUMBER [--exact]\n"
    "       ausyscall [MACHINE] --dump\n"
    "Looks up Linux syscalls of MACHINE (x86_64, aarch64, arm), as audit's ausyscall does:\n"
    "a NUMBER prints its name; a NAME prints every syscall containing it with its number (only\n"
    "the number with --exact); --dump prints the whole table. MACHINE defaults to\n"
    "$BPFD_TARGET_MACHINE (`bpfd remote` sets it to the target's), else this machine's.\n"
    "Exit: 0 found; 1 unknown syscall or machine; 2 usage.\n";

std::string DefaultMachine() {
  if (const char* m = std::getenv("BPFD_TARGET_MACHINE"); m && *m) return m;
  utsname u;
  return uname(&u) == 0 ? u.machine : "";
}

bool Number(std::string_view s, int* out) {
  if (s.empty() || s.size() > 9) return false;
  int n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  *out = n;
  return true;
}

int Unknown(std::string_view query, std::string_view table) {
  std::fprintf(stderr, "Unknown syscall %.*s using %.*s lookup table\n",
               static_cast<int>(query.size()), query.data(), static_cast<int>(table.size()),
               table.data());
  return 1;
}

}  // namespace

int AusyscallMain(int argc, char** argv) {
  bool dump = false, exact = false;
  std::string machine, query;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (a == "--dump") {
      dump = true;
    } else if (a == "--exact") {
      exact = true;
    } else if (machine.empty() && !SyscallTableName(a).empty()) {
      machine = a;
    } else if (query.empty() && !a.starts_with("-")) {
      query = a;
    } else {
      std::fprintf(stderr, "ausyscall: unexpected argument '%s'\n%s", argv[i], kUsage);
      return 2;
    }
  }
  if (!dump && query.empty()) {
    std::fprintf(stderr, "ausyscall: give a syscall NAME or NUMBER, or --dump\n%s", kUsage);
    return 2;
  }
  if (machine.empty()) machine = DefaultMachine();
  std::string_view table = SyscallTableName(machine);
  if (table.empty()) {
    std::fprintf(stderr,
                 "ausyscall: no syscall table for machine '%s' (known: x86_64, aarch64, arm)\n",
                 machine.c_str());
    return 1;
  }
  auto names = SyscallTable(machine);
  if (dump) {
    std::printf("Using %.*s syscall table:\n", static_cast<int>(table.size()), table.data());
    for (const SyscallName& s : names) std::printf("%d\t%s\n", s.nr, s.name);
    return 0;
  }
  int nr;
  if (Number(query, &nr)) {
    for (const SyscallName& s : names)
      if (s.nr == nr) return std::printf("%s\n", s.name), 0;
    return Unknown(query, table);
  }
  bool found = false;
  for (const SyscallName& s : names) {
    std::string_view name = s.name;
    if (exact ? name != query : name.find(query) == std::string_view::npos) continue;
    if (exact) return std::printf("%d\n", s.nr), 0;
    std::printf("%-18s %d\n", s.name, s.nr);
    found = true;
  }
  return found ? 0 : Unknown(query, table);
}

}  // namespace bpfd
