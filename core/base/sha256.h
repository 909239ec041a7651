// SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104), for the listener's challenge–response.
// Small and dependency-free; not constant-time against cache attacks beyond what SHA-256 is.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace bpfd {

using Sha256Digest = std::array<uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  void Update(const void* data, size_t size);
  void Update(std::string_view s) { Update(s.data(), s.size()); }
  Sha256Digest Finish();  // the object must not be used afterwards

 private:
  void Block(const uint8_t* p);

  uint32_t h_[8];
  uint8_t buf_[64];
  size_t used_ = 0;
  uint64_t total_ = 0;
};

Sha256Digest Sha256Of(std::string_view data);
Sha256Digest HmacSha256(std::string_view key, std::string_view message);

// Compares two byte strings in time independent of where they differ.
bool ConstantTimeEqual(std::string_view a, std::string_view b);

}  // namespace bpfd
