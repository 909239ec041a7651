#include "core/wire/rlimit_record.h"

#include <cerrno>

namespace bpfd {
namespace {

std::string Limit(uint64_t v) { return v == kRlimInfinity ? "inf" : std::to_string(v); }

bool ParseLimit(std::string_view s, uint64_t* out) {
  if (s == "inf") return *out = kRlimInfinity, true;
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

uint64_t Wire(rlim_t v) { return v == RLIM_INFINITY ? kRlimInfinity : static_cast<uint64_t>(v); }
rlim_t Local(uint64_t v) { return v == kRlimInfinity ? RLIM_INFINITY : static_cast<rlim_t>(v); }

}  // namespace

RlimitPair FromRlimit(const struct rlimit& r) { return {Wire(r.rlim_cur), Wire(r.rlim_max)}; }
struct rlimit ToRlimit(const RlimitPair& p) {
  return {Local(p.cur), Local(p.max)};
}

std::string FormatRlimitPair(const RlimitPair& p) { return Limit(p.cur) + " " + Limit(p.max); }

int ParseRlimitPair(std::string_view cur, std::string_view max, RlimitPair* out) {
  RlimitPair p;
  if (!ParseLimit(cur, &p.cur) || !ParseLimit(max, &p.max)) return -EPROTO;
  *out = p;
  return 0;
}

}  // namespace bpfd
