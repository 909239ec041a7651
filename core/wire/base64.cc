#include "core/wire/base64.h"

#include <array>
#include <cerrno>

namespace bpfd {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr uint8_t kInvalid = 0xff;

constexpr std::array<uint8_t, 256> MakeDecodeTable() {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = kInvalid;
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(kAlphabet[i])] = static_cast<uint8_t>(i);
  return t;
}

constexpr std::array<uint8_t, 256> kDecode = MakeDecodeTable();

}  // namespace

void Base64Append(const uint8_t* data, size_t len, std::string* out) {
  size_t pos = out->size();
  out->resize(pos + Base64EncodedSize(len));
  char* p = out->data() + pos;
  size_t i = 0;
  for (; i + 3 <= len; i += 3) {
    uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    *p++ = kAlphabet[(v >> 18) & 63];
    *p++ = kAlphabet[(v >> 12) & 63];
    *p++ = kAlphabet[(v >> 6) & 63];
    *p++ = kAlphabet[v & 63];
  }
  size_t rest = len - i;
  if (rest == 1) {
    uint32_t v = uint32_t{data[i]} << 16;
    *p++ = kAlphabet[(v >> 18) & 63];
    *p++ = kAlphabet[(v >> 12) & 63];
    *p++ = '=';
    *p++ = '=';
  } else if (rest == 2) {
    uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8);
    *p++ = kAlphabet[(v >> 18) & 63];
    *p++ = kAlphabet[(v >> 12) & 63];
    *p++ = kAlphabet[(v >> 6) & 63];
    *p++ = '=';
  }
}

std::string Base64Encode(const uint8_t* data, size_t len) {
  std::string s;
  Base64Append(data, len, &s);
  return s;
}

int64_t Base64DecodedSize(std::string_view in) {
  if (in.size() % 4 != 0) return -EINVAL;
  if (in.empty()) return 0;
  size_t pad = in.back() != '=' ? 0 : in[in.size() - 2] == '=' ? 2 : 1;
  return static_cast<int64_t>(in.size() / 4 * 3 - pad);
}

int Base64DecodeTo(std::string_view in, uint8_t* o) {
  if (in.size() % 4 != 0) return -EINVAL;
  if (in.empty()) return 0;
  size_t pad = 0;
  if (in.back() == '=') pad = (in[in.size() - 2] == '=') ? 2 : 1;
  size_t full = in.size() / 4 - (pad ? 1 : 0);  // quads without padding
  const auto* s = reinterpret_cast<const uint8_t*>(in.data());
  for (size_t q = 0; q < full; ++q, s += 4) {
    uint8_t a = kDecode[s[0]], b = kDecode[s[1]], c = kDecode[s[2]], d = kDecode[s[3]];
    if (a == kInvalid || b == kInvalid || c == kInvalid || d == kInvalid) return -EINVAL;
    uint32_t v = (uint32_t{a} << 18) | (uint32_t{b} << 12) | (uint32_t{c} << 6) | d;
    *o++ = static_cast<uint8_t>(v >> 16);
    *o++ = static_cast<uint8_t>(v >> 8);
    *o++ = static_cast<uint8_t>(v);
  }
  if (pad) {
    uint8_t a = kDecode[s[0]], b = kDecode[s[1]];
    uint8_t c = pad == 1 ? kDecode[s[2]] : 0;
    bool bad = a == kInvalid || b == kInvalid || c == kInvalid;
    // Bits that fall under the padding must be zero (canonical encoding only).
    if (!bad && pad == 2) bad = (b & 0x0f) != 0;
    if (!bad && pad == 1) bad = (c & 0x03) != 0;
    if (bad) return -EINVAL;
    uint32_t v = (uint32_t{a} << 18) | (uint32_t{b} << 12) | (uint32_t{c} << 6);
    *o++ = static_cast<uint8_t>(v >> 16);
    if (pad == 1) *o++ = static_cast<uint8_t>(v >> 8);
  }
  return 0;
}

int Base64Decode(std::string_view in, std::vector<uint8_t>* out) {
  int64_t n = Base64DecodedSize(in);
  out->resize(n < 0 ? 0 : static_cast<size_t>(n));
  int r = n < 0 ? static_cast<int>(n) : Base64DecodeTo(in, out->data());
  if (r < 0) out->clear();
  return r;
}

int DecodeData(std::string_view token, std::vector<uint8_t>* out) {
  if (token == "-") {
    out->clear();
    return 0;
  }
  return Base64Decode(token, out);
}

void AppendData(const uint8_t* data, size_t len, std::string* out) {
  if (len == 0) {
    out->push_back('-');
  } else {
    Base64Append(data, len, out);
  }
}

}  // namespace bpfd
