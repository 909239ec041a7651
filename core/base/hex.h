// Lowercase hex of bytes (nonces, digests).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace bpfd {

inline std::string HexOf(const void* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const auto* p = static_cast<const uint8_t*>(data);
  std::string s;
  s.reserve(2 * size);
  for (size_t i = 0; i < size; ++i) s += {kDigits[p[i] >> 4], kDigits[p[i] & 15]};
  return s;
}

}  // namespace bpfd
