#include "core/wire/cached_read.h"

#include <cerrno>

#include "core/base/hex.h"

namespace bpfd {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // uppercase is not canonical: one spelling per digest
}

bool ParseDigest(std::string_view hex, Sha256Digest* out) {
  if (hex.size() != 2 * out->size()) return false;
  for (size_t i = 0; i < out->size(); ++i) {
    int hi = HexDigit(hex[2 * i]), lo = HexDigit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*out)[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

}  // namespace

std::string FormatDigestList(std::span<const Sha256Digest> digests) {
  if (digests.empty()) return "-";
  std::string out;
  for (size_t i = 0; i < digests.size() && i < kMaxCachedDigests; ++i) {
    if (i) out.push_back(',');
    out += HexOf(digests[i].data(), digests[i].size());
  }
  return out;
}

int ParseDigestList(std::string_view token, std::vector<Sha256Digest>* out) {
  out->clear();
  if (token == "-") return 0;
  while (true) {
    size_t comma = token.find(',');
    Sha256Digest d;
    if (out->size() == kMaxCachedDigests || !ParseDigest(token.substr(0, comma), &d)) {
      out->clear();
      return -EPROTO;
    }
    out->push_back(d);
    if (comma == std::string_view::npos) return 0;
    token.remove_prefix(comma + 1);
  }
}

std::string FormatDigestMatch(const Sha256Digest& d) { return "=" + HexOf(d.data(), d.size()); }

bool ParseDigestMatch(std::string_view line, Sha256Digest* out) {
  return line.size() == 1 + 2 * out->size() && line[0] == '=' && ParseDigest(line.substr(1), out);
}

}  // namespace bpfd
