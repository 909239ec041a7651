// bpf-selftest: not implemented yet (see the issue tracker); fails clearly instead of pretending.
#include "cmd/modes.h"

namespace bpfd {

int SelftestMain(int argc, char** argv) { return NotBuiltYet("bpf-selftest", argc, argv); }

}  // namespace bpfd
