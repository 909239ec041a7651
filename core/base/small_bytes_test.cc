// SmallBytes: inline up to N bytes, on the heap beyond, the right size and writable either way.
#include "core/base/small_bytes.h"

#include <cstring>

#include "tests/testing.h"

using namespace bpfd;

TEST(InlineThenHeap) {
  SmallBytes<8> b(4);
  uint8_t* inline_at = b.data();
  std::memcpy(b.data(), "abcd", 4);
  EXPECT(b.size() == 4 && b.span().size() == 4 && std::memcmp(b.data(), "abcd", 4) == 0);
  b.resize(8);
  EXPECT(b.data() == inline_at);  // still inline
  b.resize(1000);
  EXPECT(b.data() != inline_at && b.size() == 1000);
  std::memset(b.data(), 7, 1000);
  uint8_t* heap_at = b.data();
  b.resize(500);  // the heap block is kept for sizes it can hold
  EXPECT(b.data() == heap_at && b.span().size() == 500);
  b.resize(2);
  EXPECT(b.data() == inline_at);
  SmallBytes<> empty;
  EXPECT(empty.size() == 0 && empty.span().empty());
}

TEST_MAIN()
