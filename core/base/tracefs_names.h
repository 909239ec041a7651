// The two paths tools name tracefs by: /sys/kernel/tracing, and /sys/kernel/debug/tracing
// (debugfs's, which BCC 0.26 hard-wires). Both sides of the wire use them: the daemon's policy
// and the host library's caches.
#pragma once
#include <string_view>

namespace bpfd {

inline constexpr std::string_view kTracefsNames[] = {"/sys/kernel/tracing",
                                                     "/sys/kernel/debug/tracing"};

// The tracefs name `path` is (or is below), or "" when it is neither.
inline std::string_view TracefsNameOf(std::string_view path) {
  for (std::string_view t : kTracefsNames)
    if (path.starts_with(t) && (path.size() == t.size() || path[t.size()] == '/')) return t;
  return {};
}

}  // namespace bpfd
