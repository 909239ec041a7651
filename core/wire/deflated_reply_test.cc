// Deflated replies: a body deflated by the daemon inflates to the same bytes on the host;
// small bodies stay as they are unless their first line could read as a deflated one; a
// damaged or lying line is refused, never inflated past its length.
#include "core/wire/deflated_reply.h"

#include <cerrno>
#include <string>

#include "core/wire/reply.h"
#include "tests/testing.h"

using namespace bpfd;

TEST(body_round_trip) {
  std::string body = "map_dump: ret=3\n";
  for (int i = 0; i < 3000; ++i) body += "key " + std::to_string(i % 7) + " value AAAAAAAA\n";
  std::string line, back;
  EXPECT_EQ(DeflateBody(body, &line), 0);
  EXPECT(IsDeflatedLine(line) && line.ends_with("\n"));
  EXPECT(line.size() * 5 < body.size());  // repetitive lines shrink
  EXPECT_EQ(InflateBody(std::string_view(line).substr(0, line.size() - 1), &back), 0);
  EXPECT(back == body);
}

TEST(reply_deflates_only_what_gains) {
  Reply small;
  small.Ret("sys_close", 0);
  small.Deflate();
  EXPECT(small.body() == "sys_close: ret=0\n");
  Reply big;
  big.Ret("file_read", 6000);
  big.Line(std::string(6000, 'A'));
  std::string before(big.body());
  big.Deflate();
  EXPECT(IsDeflatedLine(big.body()) && big.body().size() < 200);
  std::string back;
  EXPECT_EQ(InflateBody(big.body().substr(0, big.body().size() - 1), &back), 0);
  EXPECT(back == before);
  Reply tilde;  // a short first line that could pass for a deflated one is deflated anyway
  tilde.Line("~deflate 3 QUJD");
  tilde.Deflate();
  EXPECT_EQ(InflateBody(tilde.body().substr(0, tilde.body().size() - 1), &back), 0);
  EXPECT(back == "~deflate 3 QUJD\n");
}

TEST(inflate_refuses_bad_lines) {
  std::string line, back;
  EXPECT_EQ(DeflateBody("abc\n", &line), 0);
  line.pop_back();
  std::string wrong_len = line;
  wrong_len.replace(kDeflatedPrefix.size(), 1, "5");  // says 5 bytes, holds 4
  EXPECT_EQ(InflateBody(wrong_len, &back), -EPROTO);
  EXPECT_EQ(InflateBody("~deflate 4 AAAA", &back), -EPROTO);  // not a zlib stream
  EXPECT_EQ(InflateBody("~deflate 4", &back), -EPROTO);
  EXPECT_EQ(InflateBody("~deflate 999999999999 " + line.substr(line.rfind(' ') + 1), &back),
            -EPROTO);  // over kMaxReplyBody: not even tried
  EXPECT_EQ(InflateBody("sys_bpf: ret=0", &back), -EPROTO);
}

TEST_MAIN()
