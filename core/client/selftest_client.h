// Client side of bpf-selftest: the list of checks (what each means, which ones a BCC-style
// tracing session needs), parsing of the SELFTEST reply lines, and the final verdict.
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/wire/selftest_record.h"

namespace bpfd {

struct SelftestCheckInfo {
  std::string_view name;     // "config-*" stands for every config-<OPTION> line
  bool required;             // must PASS for tracing to work (exit 0)
  std::string_view what;     // one line for --help
  std::string_view feature;  // what is unavailable when it does not pass ("" for none)
};

// Every check, in the order the daemon runs them.
std::span<const SelftestCheckInfo> SelftestCheckList();
// The entry for a check name (config-<OPTION> maps to "config-*"); nullptr if unknown.
const SelftestCheckInfo* FindSelftestCheck(std::string_view name);

struct SelftestVerdict {
  bool ok = false;      // every required check passed
  std::string summary;  // "bpf-selftest: tracing works; unavailable here: ..." or why not
};
SelftestVerdict JudgeSelftest(const std::vector<SelftestCheck>& checks);

}  // namespace bpfd
