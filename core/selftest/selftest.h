// The bpf-selftest checks, run on the target (the SELFTEST protocol command): can this kernel
// and this process do BPF tracing, and if not, why. Every object a check creates (maps,
// programs, perf events, tracefs probe events) is released before RunSelftest returns.
#pragma once
#include <vector>

#include "core/wire/selftest_record.h"

namespace bpfd {

// Runs every check in order (a check whose prerequisite failed is a SKIP naming that
// prerequisite). Returns the number of FAILs.
int RunSelftest(std::vector<SelftestCheck>* out);

}  // namespace bpfd
