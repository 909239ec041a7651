// The fault-injection suite (issue 14): each case drives a real bpfd daemon on this kernel into
// one fault — a killed daemon or client, a client that stops reading, a half-open connection, a
// 1 GiB line, RING_MAP on a regular file, a hostile ELF, trace_pipe, a FIFO planted as an
// executable, SIGTERM during every blocking command — and checks the daemon answers as
// documented and that nothing of the session is left (leftovers.h). Run by
// fault_injection_test on x86_64 and by the guests' init ("faults") on every architecture.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace bpfd::fault {

struct FaultEnv {
  std::string bpfd;                // the daemon under test
  std::string uprobe_target;       // an unstripped ELF executable to place uprobes in
  std::string scratch;             // a writable directory of our own (files, sockets, FIFOs)
  uint64_t big_line = 1ull << 30;  // the over-long line's size
  int slack_ms = 0;                // added to every timing bar (slow emulated guests)
};

enum class Outcome { kPass, kFail, kSkip };

struct CaseResult {
  Outcome outcome = Outcome::kPass;
  std::string detail;  // why it failed or was skipped; what was measured when it passed
};

// The cases' names, in running order.
std::vector<std::string> CaseNames();

// Runs one case (an unknown name fails). Needs root and bpf(); skips with the reason otherwise.
CaseResult RunCase(const FaultEnv& env, const std::string& name);

}  // namespace bpfd::fault
