// Daemon mode placeholder until the protocol core lands: fails clearly (exit 69).
#include "cmd/modes.h"
namespace bpfd { int DaemonMain(int argc, char** argv) { return NotBuiltYet("bpfd", argc, argv); } }
