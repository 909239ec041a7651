// Random bytes from the kernel (getrandom, else /dev/urandom): nonces for the listener's
// challenge–response.
#pragma once
#include <cstddef>
#include <string>

namespace bpfd {

// Fills buf with size random bytes: 0, or -errno when neither source works.
int RandomBytes(void* buf, size_t size);

// size random bytes as lowercase hex (2 * size characters); "" if RandomBytes fails.
std::string RandomHex(size_t size);

}  // namespace bpfd
