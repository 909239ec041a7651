// The data line of SYS_UNAME: five data tokens (sysname nodename release version machine),
// read by `bpfd remote` (ARCH) and by its host library (uname()).
#pragma once
#include <string>
#include <string_view>

namespace bpfd {

struct TargetUname {
  std::string sysname, nodename, release, version, machine;
  bool operator==(const TargetUname&) const = default;
};

// The line for u (without '\n').
std::string FormatUnameLine(const TargetUname& u);

// 0, or -EPROTO for a line that is not exactly five tokens with a release and a machine.
int ParseUnameLine(std::string_view line, TargetUname* out);

}  // namespace bpfd
