// SYS_PRLIMIT's limits on the wire: "<cur> <max>", each decimal or "inf" (RLIM_INFINITY),
// the request's new limits and the reply's old ones. Resources travel by name ("MEMLOCK"),
// since RLIMIT_* numbers differ between architectures.
#pragma once
#include <sys/resource.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace bpfd {

inline constexpr uint64_t kRlimInfinity = UINT64_MAX;

struct RlimitPair {
  uint64_t cur = 0, max = 0;  // kRlimInfinity: unlimited
  bool operator==(const RlimitPair&) const = default;
};

// The line for p (without '\n').
std::string FormatRlimitPair(const RlimitPair& p);

// 0, or -EPROTO unless both tokens are decimal or "inf".
int ParseRlimitPair(std::string_view cur, std::string_view max, RlimitPair* out);

// Between the wire and this machine's struct rlimit (RLIM_INFINITY <-> kRlimInfinity).
RlimitPair FromRlimit(const struct rlimit& r);
struct rlimit ToRlimit(const RlimitPair& p);

}  // namespace bpfd
