// LineBuffer: lines split once, CRLF, lines longer than any read, the consumed prefix reused,
// and what is left at EOF.
#include "core/base/line_buffer.h"

#include <algorithm>
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

// Feeds text under a cap, collecting lines and "!<head>/<seen>" for each over-long one, in the
// order a reader sees them (the over-long report first, as LineReader does).
std::vector<std::string> FeedCapped(LineBuffer& b, const std::string& text, size_t chunk,
                                    size_t* peak = nullptr) {
  std::vector<std::string> out;
  for (size_t off = 0; off < text.size(); off += chunk) {
    size_t n = std::min(chunk, text.size() - off);
    std::span<char> space = b.Space(n);
    if (peak) *peak = std::max(*peak, b.size() + space.size());
    std::memcpy(space.data(), text.data() + off, n);
    b.Commit(n);
    std::string_view line;
    std::string head;
    uint64_t seen;
    while (true) {
      if (b.TakeOverlong(&head, &seen)) {
        out.push_back("!" + head + "/" + std::to_string(seen));
      } else if (b.NextLine(&line)) {
        out.emplace_back(line);
      } else if (!b.HasOverlong()) {
        break;
      }
    }
  }
  return out;
}

TEST(overlong_line_dropped_to_its_newline) {
  LineBuffer b;
  b.set_max_line(100);
  std::string big = "SYS_BPF " + std::string(1000, 'x');
  for (size_t chunk : {1, 7, 64, 4096}) {
    b.Clear();
    auto lines = FeedCapped(b, "a\n" + big + "\nb\n" + std::string(100, 'y') + "\nc", chunk);
    EXPECT_EQ(lines.size(), size_t{4});
    if (lines.size() != 4) continue;
    EXPECT_EQ(lines[0], std::string("a"));
    // The head is its first bytes; seen is what had arrived when the cap was hit (over 100).
    EXPECT(lines[1].starts_with("!SYS_BPF xxx"));
    uint64_t seen = std::stoull(lines[1].substr(lines[1].find('/') + 1));
    EXPECT(seen > 100 && seen <= 100 + chunk + 2);
    EXPECT_EQ(lines[2], std::string("b"));
    EXPECT_EQ(lines[3], std::string(100, 'y'));  // exactly the cap is fine
    EXPECT_EQ(std::string(b.TakeRest()), std::string("c"));
  }
}

TEST(overlong_line_memory_stays_bounded) {
  LineBuffer b;
  b.set_max_line(1u << 20);
  size_t peak = 0;
  // 64 MiB without a newline, then a line: the buffer never holds much more than the cap.
  std::string chunk(1u << 16, 'z');
  std::vector<std::string> lines;
  for (int i = 0; i < 1024; ++i) {
    auto got = FeedCapped(b, chunk, chunk.size(), &peak);
    lines.insert(lines.end(), got.begin(), got.end());
  }
  EXPECT(peak <= (1u << 20) + 2 * chunk.size());
  auto got = FeedCapped(b, "tail\nnext\n", 4);
  lines.insert(lines.end(), got.begin(), got.end());
  EXPECT_EQ(lines.size(), size_t{2});  // one report for the whole line, then the next line
  EXPECT(lines.size() == 2 && lines[0].starts_with("!zzz") && lines[1] == "next");
}

TEST(overlong_at_eof_leaves_nothing) {
  LineBuffer b;
  b.set_max_line(10);
  auto lines = FeedCapped(b, "ok\n" + std::string(50, 'q'), 8);
  EXPECT_EQ(lines.size(), size_t{2});
  EXPECT(b.empty());  // the rest of the over-long line was dropped, not kept for TakeRest
}

TEST_MAIN()
