// SHA-256 against FIPS 180-4's examples and HMAC-SHA-256 against RFC 4231's test cases.
#include "core/base/sha256.h"

#include <string>

#include "core/base/hex.h"
#include "tests/testing.h"

using namespace bpfd;

namespace {

std::string Hex(const Sha256Digest& d) { return HexOf(d.data(), d.size()); }

}  // namespace

TEST(sha256_fips_examples) {
  EXPECT_EQ(Hex(Sha256Of("")),
            std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  EXPECT_EQ(Hex(Sha256Of("abc")),
            std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  EXPECT_EQ(Hex(Sha256Of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
  Sha256 s;  // a million 'a's in uneven pieces: buffering across block boundaries
  std::string piece(997, 'a');
  size_t left = 1000000;
  while (left > 0) {
    size_t n = std::min(left, piece.size());
    s.Update(piece.data(), n);
    left -= n;
  }
  EXPECT_EQ(Hex(s.Finish()),
            std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
}

TEST(hmac_sha256_rfc4231) {
  EXPECT_EQ(Hex(HmacSha256(std::string(20, '\x0b'), "Hi There")),
            std::string("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"));
  EXPECT_EQ(Hex(HmacSha256("Jefe", "what do ya want for nothing?")),
            std::string("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
  // A key longer than the block is hashed first.
  EXPECT_EQ(Hex(HmacSha256(std::string(131, '\xaa'),
                           "Test Using Larger Than Block-Size Key - Hash Key First")),
            std::string("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"));
}

TEST(constant_time_equal) {
  EXPECT(ConstantTimeEqual("abc", "abc"));
  EXPECT(!ConstantTimeEqual("abc", "abd"));
  EXPECT(!ConstantTimeEqual("abc", "ab"));
  EXPECT(!ConstantTimeEqual("", "a"));
  EXPECT(ConstantTimeEqual("", ""));
}

TEST_MAIN()
