// bpf-probes: not implemented yet (see the issue tracker); fails clearly instead of pretending.
#include "cmd/modes.h"

namespace bpfd {

int ProbesMain(int argc, char** argv) { return NotBuiltYet("bpf-probes", argc, argv); }

}  // namespace bpfd
