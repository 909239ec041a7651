// Placeholder behaviour for modes that are not implemented yet: honest failure, never a stub
// that pretends to work.
#include <cstdio>
#include <cstring>

#include "cmd/modes.h"
#include "core/version.h"

namespace bpfd {

int NotBuiltYet(const char* applet, int argc, char** argv) {
  bool help = argc > 1 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0);
  std::fprintf(help ? stdout : stderr,
               "%s: this mode is not built yet in bpfd %s; it does nothing.\n", applet,
               kBpfdVersion);
  return 69;  // EX_UNAVAILABLE
}

}  // namespace bpfd
