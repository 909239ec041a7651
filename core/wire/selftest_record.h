// One SELFTEST reply line: "<PASS|FAIL|SKIP> <check-name> <reason...>" (docs/protocol.md).
#pragma once
#include <string>
#include <string_view>

namespace bpfd {

struct SelftestCheck {
  std::string status;  // "PASS", "FAIL" or "SKIP"
  std::string name;    // e.g. "bpf-syscall", "config-KPROBES" (see client/selftest_client.h)
  std::string reason;  // one line; for FAIL/SKIP it says why and, for FAIL, the fix
};

// The line for c; newlines in the reason become spaces so it stays one line.
std::string FormatSelftestLine(const SelftestCheck& c);
// Parses "<PASS|FAIL|SKIP> <name> <reason...>": 0, or -EPROTO for anything else.
int ParseSelftestLine(std::string_view line, SelftestCheck* out);

}  // namespace bpfd
