#include "core/wire/framing.h"

#include <cerrno>
#include <charconv>
#include <limits>

namespace bpfd {

void AppendRet(std::string_view fn, int64_t value, std::string* out) {
  char num[24];
  auto res = std::to_chars(num, num + sizeof(num), value);
  out->append(fn);
  out->append(": ret=");
  out->append(num, res.ptr);
  out->push_back('\n');
}

int ParseRet(std::string_view s, int64_t* ret) {
  for (size_t pos = s.find("ret="); pos != std::string_view::npos; pos = s.find("ret=", pos + 1)) {
    size_t i = pos + 4;
    bool neg = i < s.size() && s[i] == '-';
    if (neg) ++i;
    if (i >= s.size() || s[i] < '0' || s[i] > '9') continue;  // no match at this position
    // Accumulate the magnitude; INT64_MIN's magnitude is one more than INT64_MAX.
    const uint64_t limit =
        static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + (neg ? 1 : 0);
    uint64_t v = 0;
    bool overflow = false;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      uint64_t d = static_cast<uint64_t>(s[i] - '0');
      if (v > (limit - d) / 10) overflow = true;
      if (!overflow) v = v * 10 + d;
    }
    if (overflow) return -ERANGE;
    *ret = neg ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
    return 0;
  }
  return -ENOENT;
}

void AppendSafeLine(std::string_view s, bool keep_tabs, std::string* out) {
  if (IsFramingLine(s)) out->push_back('?');
  size_t start = out->size();
  out->append(s);
  for (size_t i = start; i < out->size(); ++i) {
    char& c = (*out)[i];
    if ((static_cast<unsigned char>(c) < 0x20 && !(keep_tabs && c == '\t')) || c == 0x7f) c = '?';
  }
}

std::string SafeLine(std::string_view s, bool keep_tabs) {
  std::string out;
  AppendSafeLine(s, keep_tabs, &out);
  return out;
}

}  // namespace bpfd
