// libFuzzer target: feeds each input line to HandleLine on a Session without kernel access
// (parsing and validation only) and checks the reply invariants (fuzz_lines.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tests/fuzz/fuzz_lines.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bpfd::Session session(bpfd::SessionOptions{.kernel = false});
  bpfd::fuzz::FeedLines(session, std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
