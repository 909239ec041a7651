// bpf-mapdump: not implemented yet (see the issue tracker); fails clearly instead of pretending.
#include "cmd/modes.h"

namespace bpfd {

int MapdumpMain(int argc, char** argv) { return NotBuiltYet("bpf-mapdump", argc, argv); }

}  // namespace bpfd
