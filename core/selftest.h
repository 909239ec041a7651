// The bpf-selftest checks, run on the target (the SELFTEST protocol command): can this kernel
// and this process do BPF tracing, and if not, why. Every object a check creates (maps,
// programs, perf events, tracefs probe events) is released before RunSelftest returns.
#pragma once
#include <string>
#include <vector>

namespace bpfd {

struct SelftestCheck {
  std::string status;  // "PASS", "FAIL" or "SKIP"
  std::string name;    // e.g. "bpf-syscall", "config-KPROBES" (see selftest_report.h)
  std::string reason;  // one line; for FAIL/SKIP it says why and, for FAIL, the fix
};

// Runs every check in order (a check whose prerequisite failed is a SKIP naming that
// prerequisite). Returns the number of FAILs.
int RunSelftest(std::vector<SelftestCheck>* out);

}  // namespace bpfd
