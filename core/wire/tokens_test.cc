// Unit tests for core/tokens: single-space splitting and strict decimal parsing.
#include "core/wire/tokens.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <string>

#include "tests/testing.h"

using namespace bpfd;

TEST(SplitSingleSpaces) {
  auto t = SplitTokens("A b  c ");
  EXPECT_EQ(t.size(), 5u);
  EXPECT(t[0] == "A");
  EXPECT(t[1] == "b");
  EXPECT(t[2].empty());
  EXPECT(t[3] == "c");
  EXPECT(t[4].empty());
  EXPECT(SplitTokens("").empty());
  EXPECT_EQ(SplitTokens("one").size(), 1u);
  EXPECT_EQ(SplitTokens(" ").size(), 2u);
  EXPECT_EQ(SplitTokens("a\tb").size(), 1u);  // only ' ' separates
}

TEST(ParseIntRange) {
  int v = 7;
  EXPECT(ParseInt("0", &v) && v == 0);
  EXPECT(ParseInt("-1", &v) && v == -1);
  EXPECT(ParseInt("2147483647", &v) && v == INT_MAX);
  EXPECT(ParseInt("-2147483648", &v) && v == INT_MIN);
  EXPECT(ParseInt("007", &v) && v == 7);
  v = 5;
  EXPECT(!ParseInt("2147483648", &v));
  EXPECT(!ParseInt("-2147483649", &v));
  EXPECT(!ParseInt("", &v));
  EXPECT(!ParseInt("-", &v));
  EXPECT(!ParseInt("+1", &v));
  EXPECT(!ParseInt(" 1", &v));
  EXPECT(!ParseInt("1 ", &v));
  EXPECT(!ParseInt("1x", &v));
  EXPECT(!ParseInt("0x10", &v));
  EXPECT(!ParseInt("--1", &v));
  EXPECT(!ParseInt("1e3", &v));
  EXPECT_EQ(v, 5);  // untouched on failure
}

TEST(ParseInt64Range) {
  int64_t v;
  EXPECT(ParseInt64("9223372036854775807", &v) && v == INT64_MAX);
  EXPECT(ParseInt64("-9223372036854775808", &v) && v == INT64_MIN);
  EXPECT(!ParseInt64("9223372036854775808", &v));
  EXPECT(!ParseInt64("-9223372036854775809", &v));
  EXPECT(!ParseInt64("99999999999999999999999", &v));
}

TEST(ParseUnsigned) {
  uint64_t v;
  EXPECT(ParseUint64("18446744073709551615", &v) && v == UINT64_MAX);
  EXPECT(!ParseUint64("18446744073709551616", &v));
  EXPECT(!ParseUint64("-0", &v));
  EXPECT(!ParseUint64("-1", &v));
  uint32_t u;
  EXPECT(ParseUint32("4294967295", &u) && u == UINT32_MAX);
  EXPECT(!ParseUint32("4294967296", &u));
  EXPECT(!ParseUint32("-1", &u));
  EXPECT(!ParseUint32(std::string("1\0", 2), &u));
}

TEST(CountTokensMatchesSplit) {
  for (std::string_view l : {"", "a", "a b", "a  b", " ", "  ", "x y z "}) {
    EXPECT_EQ(CountTokens(l), SplitTokens(l).size());
  }
  EXPECT_EQ(CountTokens(std::string(100000, ' ')), size_t{100001});
}

TEST(SplitIntoAFixedArray) {
  std::array<std::string_view, 3> out;
  for (std::string_view l : {"", "a", "a b", "a  b", " ", "x y "}) {
    auto want = SplitTokens(l);
    EXPECT_EQ(SplitTokensInto(l, out), want.size());
    EXPECT(std::equal(want.begin(), want.end(), out.begin()));
  }
  EXPECT_EQ(SplitTokensInto("a b c d", out), SIZE_MAX);
  EXPECT_EQ(SplitTokensInto("   ", out), SIZE_MAX);
}

TEST_MAIN()
