// LineBuffer: lines split once, CRLF, lines longer than any read, the consumed prefix reused,
// and what is left at EOF.
#include "core/base/line_buffer.h"

#include <cstring>
#include <string>
#include <vector>

#include "tests/testing.h"

using bpfd::LineBuffer;

namespace {

// Feeds text in chunks of `chunk` bytes, collecting every complete line as it appears.
std::vector<std::string> Feed(LineBuffer& b, const std::string& text, size_t chunk) {
  std::vector<std::string> lines;
  for (size_t off = 0; off < text.size(); off += chunk) {
    size_t n = std::min(chunk, text.size() - off);
    std::span<char> space = b.Space(n);
    EXPECT(space.size() >= n);
    std::memcpy(space.data(), text.data() + off, n);
    b.Commit(n);
    std::string_view line;
    while (b.NextLine(&line)) lines.emplace_back(line);
  }
  return lines;
}

}  // namespace

TEST(lines_crlf_and_rest) {
  LineBuffer b;
  auto lines = Feed(b, "one\ntwo\r\n\nthree", 3);
  EXPECT_EQ(lines.size(), size_t{3});
  EXPECT_EQ(lines[0], std::string("one"));
  EXPECT_EQ(lines[1], std::string("two"));  // one trailing CR dropped
  EXPECT(lines[2].empty());
  EXPECT(!b.HasLine());
  EXPECT_EQ(b.size(), size_t{5});
  EXPECT_EQ(std::string(b.TakeRest()), std::string("three"));
  EXPECT(b.empty());
}

TEST(long_line_across_many_reads) {
  LineBuffer b;
  std::string big(3u << 20, 'x');
  auto lines = Feed(b, "a\n" + big + "\nb\n", 4096);
  EXPECT_EQ(lines.size(), size_t{3});
  EXPECT(lines.size() == 3 && lines[1] == big && lines[2] == "b");
}

TEST(prefix_reused_with_a_found_newline_pending) {
  LineBuffer b;
  // Fill, consume most, leave a complete line found by HasLine, then ask for room: the tail
  // moves down and the found newline must move with it.
  std::string head(1000, 'h');
  std::span<char> s = b.Space(2000);
  std::string text = head + "\nnext\n";
  std::memcpy(s.data(), text.data(), text.size());
  b.Commit(text.size());
  std::string_view line;
  EXPECT(b.NextLine(&line) && line == head);
  EXPECT(b.HasLine());             // "next\n" found, not yet taken
  b.Space(b.size() + (1u << 16));  // forces the move (or growth)
  EXPECT(b.NextLine(&line) && line == "next");
  EXPECT(b.empty());
}

TEST_MAIN()
