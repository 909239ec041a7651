// FILE_READ_CACHED's digests on the wire (docs/protocol.md "Forwarding"): the request names the
// contents the host already holds as "-" or up to kMaxCachedDigests lowercase-hex SHA-256
// digests joined by ','; the reply's data line is "=<hex>" when the file still has one of them
// (nothing else is sent), else FILE_READ's data line.
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/sha256.h"

namespace bpfd {

inline constexpr size_t kMaxCachedDigests = 8;

// The request's token for `digests` ("-" when empty; at most kMaxCachedDigests are written).
std::string FormatDigestList(std::span<const Sha256Digest> digests);
// 0, or -EPROTO for anything but "-" or 1..kMaxCachedDigests digests.
int ParseDigestList(std::string_view token, std::vector<Sha256Digest>* out);

// The reply's line for a held content, and its parse (false: not such a line).
std::string FormatDigestMatch(const Sha256Digest& d);
bool ParseDigestMatch(std::string_view line, Sha256Digest* out);

}  // namespace bpfd
