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

}  // namespace

std::string FormatRlimitPair(const RlimitPair& p) { return Limit(p.cur) + " " + Limit(p.max); }

int ParseRlimitPair(std::string_view cur, std::string_view max, RlimitPair* out) {
  RlimitPair p;
  if (!ParseLimit(cur, &p.cur) || !ParseLimit(max, &p.max)) return -EPROTO;
  *out = p;
  return 0;
}

}  // namespace bpfd
