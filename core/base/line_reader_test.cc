// Unit tests for core/line_reader: long lines, CRLF, EOF without newline, Ready() semantics.
#include "core/base/line_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <thread>

#include "core/base/unique_fd.h"
#include "tests/testing.h"

using bpfd::LineReader;
using bpfd::UniqueFd;

namespace {
struct Pipe {
  UniqueFd r, w;
  Pipe() {
    int p[2];
    if (pipe2(p, O_CLOEXEC) == 0) {
      r.reset(p[0]);
      w.reset(p[1]);
    }
  }
};
void WriteStr(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = write(fd, s.data() + off, s.size() - off);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}
}  // namespace

TEST(LinesAndEof) {
  Pipe p;
  WriteStr(p.w.get(), "one\ntwo\r\n\nthree");
  p.w.reset();
  LineReader in(p.r.get());
  std::string line;
  EXPECT_EQ(in.ReadLine(&line), 1);
  EXPECT_EQ(line, std::string("one"));
  EXPECT(in.Ready());  // "two" is already buffered
  EXPECT_EQ(in.ReadLine(&line), 1);
  EXPECT_EQ(line, std::string("two"));
  EXPECT_EQ(in.ReadLine(&line), 1);
  EXPECT(line.empty());
  EXPECT_EQ(in.ReadLine(&line), 1);
  EXPECT_EQ(line, std::string("three"));  // unterminated last line
  EXPECT_EQ(in.ReadLine(&line), 0);
  EXPECT_EQ(in.ReadLine(&line), 0);
}

TEST(HugeLineFromWriterThread) {
  Pipe p;
  std::string big(11 << 20, 'x');
  big[12345] = 'y';
  std::thread writer([&] {
    WriteStr(p.w.get(), big + "\nnext\n");
    p.w.reset();
  });
  LineReader in(p.r.get());
  std::string line;
  EXPECT_EQ(in.ReadLine(&line), 1);
  EXPECT(line == big);
  EXPECT_EQ(in.ReadLine(&line), 1);
  EXPECT_EQ(line, std::string("next"));
  EXPECT_EQ(in.ReadLine(&line), 0);
  writer.join();
}

TEST(ReadyOnlyForCompleteLine) {
  Pipe p;
  LineReader in(p.r.get());
  EXPECT(!in.Ready());
  WriteStr(p.w.get(), "PART");
  EXPECT(in.ReadAvailable() == 4);
  EXPECT(!in.Ready());  // a partial line is not a command yet
  WriteStr(p.w.get(), "IAL\nrest");
  EXPECT(in.ReadAvailable() > 0);
  EXPECT(in.Ready());
  std::string line;
  EXPECT_EQ(in.ReadLine(&line), 1);
  EXPECT_EQ(line, std::string("PARTIAL"));
  EXPECT(!in.Ready());
  p.w.reset();
  EXPECT_EQ(in.ReadAvailable(), 0);  // EOF
  EXPECT(in.Ready());
  EXPECT_EQ(in.ReadLine(&line), 1);
  EXPECT_EQ(line, std::string("rest"));
}

TEST(ManySmallLinesStayBounded) {
  Pipe p;
  std::thread writer([&] {
    std::string chunk;
    for (int i = 0; i < 200000; ++i) chunk += "L" + std::to_string(i) + "\n";
    WriteStr(p.w.get(), chunk);
    p.w.reset();
  });
  LineReader in(p.r.get());
  std::string line;
  int n = 0;
  bool ok = true;
  while (in.ReadLine(&line) == 1) {
    ok = ok && line == "L" + std::to_string(n);
    ++n;
  }
  EXPECT(ok);
  EXPECT_EQ(n, 200000);
  writer.join();
}

TEST(OverlongLineIsE2bigThenReadingGoesOn) {
  Pipe p;
  LineReader in(p.r.get());
  in.SetMaxLine(1000);
  std::thread writer([&] {
    WriteStr(p.w.get(),
             "one\nRING_POLL " + std::string(1u << 20, ' ') + "\ntwo\n" + std::string(5000, 'e'));
    p.w.reset();
  });
  std::string line;
  EXPECT_EQ(in.ReadLine(&line), 1);
  EXPECT_EQ(line, std::string("one"));
  EXPECT_EQ(in.ReadLine(&line), -E2BIG);
  EXPECT(line.starts_with("RING_POLL "));
  EXPECT(in.overlong_seen() > 1000);
  EXPECT_EQ(in.ReadLine(&line), 1);
  EXPECT_EQ(line, std::string("two"));
  EXPECT_EQ(in.ReadLine(&line), -E2BIG);  // over-long at EOF: reported, then EOF
  EXPECT_EQ(in.ReadLine(&line), 0);
  writer.join();
}

TEST(BadFd) {
  LineReader in(-1);
  std::string line;
  EXPECT_EQ(in.ReadLine(&line), -EBADF);
}

TEST_MAIN()
