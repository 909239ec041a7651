#include "core/wire/tokens.h"

#include <algorithm>
#include <charconv>

#include <climits>
#include <limits>

namespace bpfd {

size_t CountTokens(std::string_view line) {
  if (line.empty()) return 0;
  return 1 + static_cast<size_t>(std::count(line.begin(), line.end(), ' '));
}

size_t SplitTokensInto(std::string_view line, std::span<std::string_view> out) {
  const size_t n = CountTokens(line);
  if (n > out.size()) return SIZE_MAX;
  for (size_t i = 0, start = 0; i < n; ++i) {
    size_t sp = i + 1 < n ? line.find(' ', start) : line.size();
    out[i] = line.substr(start, sp - start);
    start = sp + 1;
  }
  return n;
}

std::vector<std::string_view> SplitTokens(std::string_view line) {
  std::vector<std::string_view> out(CountTokens(line));
  SplitTokensInto(line, out);
  return out;
}

namespace {

// Parses digits only; false on empty input, a non-digit or a value above `max`.
bool ParseDigits(std::string_view s, uint64_t max, uint64_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (max - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

}  // namespace

bool ParseUint64(std::string_view s, uint64_t* out) {
  return ParseDigits(s, std::numeric_limits<uint64_t>::max(), out);
}

bool ParseInt64(std::string_view s, int64_t* out) {
  bool neg = !s.empty() && s[0] == '-';
  if (neg) s.remove_prefix(1);
  constexpr uint64_t kMaxPos = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  uint64_t v;
  if (!ParseDigits(s, neg ? kMaxPos + 1 : kMaxPos, &v)) return false;
  if (neg) {
    *out = v == kMaxPos + 1 ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(v);
  } else {
    *out = static_cast<int64_t>(v);
  }
  return true;
}

bool ParseInt(std::string_view s, int* out) {
  int64_t v;
  if (!ParseInt64(s, &v) || v < INT_MIN || v > INT_MAX) return false;
  *out = static_cast<int>(v);
  return true;
}

bool ParseUint32(std::string_view s, uint32_t* out) {
  uint64_t v;
  if (!ParseUint64(s, &v) || v > UINT32_MAX) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

bool ParseHexUint64(std::string_view s, uint64_t* out) {
  if (s.substr(0, 2) == "0x") s.remove_prefix(2);
  if (s.empty()) return false;
  auto res = std::from_chars(s.data(), s.data() + s.size(), *out, 16);
  return res.ec == std::errc() && res.ptr == s.data() + s.size();
}

}  // namespace bpfd
