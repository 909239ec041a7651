// Unit tests for core/base64: RFC 4648 vectors, round trips, and strict rejection.
#include "core/wire/base64.h"

#include <cerrno>
#include <string>
#include <vector>

#include "tests/testing.h"

using bpfd::Base64Decode;
using bpfd::Base64Encode;

namespace {
std::string Enc(const std::string& s) {
  return Base64Encode(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
std::string Dec(const std::string& s, int* rc) {
  std::vector<uint8_t> out;
  *rc = Base64Decode(s, &out);
  return std::string(out.begin(), out.end());
}
}  // namespace

TEST(Rfc4648Vectors) {
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(Enc(plain[i]), std::string(coded[i]));
    int rc;
    EXPECT_EQ(Dec(coded[i], &rc), std::string(plain[i]));
    EXPECT_EQ(bpfd::Base64DecodedSize(coded[i]),
              static_cast<int64_t>(std::string(plain[i]).size()));
    EXPECT_EQ(rc, 0);
  }
}

TEST(RoundTripAllBytesAllLengths) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t len = 0; len <= all.size(); ++len) {
    std::string s = all.substr(all.size() - len);
    int rc;
    EXPECT_EQ(Dec(Enc(s), &rc), s);
    EXPECT_EQ(rc, 0);
  }
  EXPECT_EQ(Enc("\xfb\xff"), std::string("+/8="));  // standard alphabet, not URL-safe
}

TEST(AppendKeepsPrefix) {
  std::string out = "x ";
  const uint8_t d[] = {1, 2, 3};
  bpfd::Base64Append(d, 3, &out);
  EXPECT_EQ(out, std::string("x AQID"));
  EXPECT_EQ(bpfd::Base64EncodedSize(0), 0u);
  EXPECT_EQ(bpfd::Base64EncodedSize(4), 8u);
}

TEST(StrictRejects) {
  const char* bad[] = {
      "Zg",          // missing padding
      "Zg=",         // short padding
      "Zm9",         // length not a multiple of 4
      "Zm9v=",       // extra char
      "Z===",        // three pads
      "====",        // only padding
      "Zg==Zg==",    // padding in the middle
      "Zm=v",        // '=' inside a quad
      "Zm9v\n",      // newline
      "Zm 9",        // space
      "Zm9-",        // URL-safe alphabet
      "Zm9_",        //
      "Zh==",        // non-zero bits under the padding
      "Zm9=",        // non-zero bits under the padding (1 pad)
      "Zm\xc3\xa9",  // non-ASCII
  };
  for (const char* b : bad) {
    int rc;
    std::string out = Dec(b, &rc);
    EXPECT_EQ(rc, -EINVAL);
    EXPECT(out.empty());
  }
  std::vector<uint8_t> out;
  EXPECT_EQ(Base64Decode(std::string_view("Zm\0v", 4), &out), -EINVAL);
}

TEST(LargeInputIsLinear) {
  std::string big(3 << 20, '\xab');
  std::string enc = Enc(big);
  EXPECT_EQ(enc.size(), size_t{4} << 20);
  int rc;
  EXPECT(Dec(enc, &rc) == big);
  EXPECT_EQ(rc, 0);
}

TEST_MAIN()
