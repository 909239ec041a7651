// The listener handshake's lines, both directions (wire/auth.h), and the token file's checks.
#include "core/wire/auth.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "tests/testing.h"

using namespace bpfd;

namespace {

const std::string kToken = "0123456789abcdef-a-test-token";

std::string TempFile(const std::string& text, mode_t mode) {
  char path[] = "/tmp/bpfd-auth-test-XXXXXX";
  int fd = mkstemp(path);
  EXPECT(fd >= 0);
  EXPECT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  chmod(path, mode);
  return path;
}

}  // namespace

TEST(challenge_round_trip) {
  std::string n = NewAuthNonce(), parsed;
  EXPECT_EQ(n.size(), size_t{64});
  EXPECT(n != NewAuthNonce());
  EXPECT(ParseAuthChallenge(FormatAuthChallenge(n), &parsed));
  EXPECT_EQ(parsed, n);
  EXPECT(!ParseAuthChallenge("BPFD_AUTH hmac-sha256 xyz", &parsed));
  EXPECT(!ParseAuthChallenge("BPFD_AUTH md5 " + n, &parsed));
  EXPECT(!ParseAuthChallenge(FormatAuthChallenge(n) + " ", &parsed));
  EXPECT(!ParseAuthChallenge("STARTED_BPFD", &parsed));
}

TEST(response_checks_token_and_nonces) {
  std::string d = NewAuthNonce(), c = NewAuthNonce(), got;
  std::string line = FormatAuthResponse(kToken, d, c);
  EXPECT(line.find(kToken) == std::string::npos);  // the secret never crosses the link
  EXPECT(CheckAuthResponse(kToken, d, line, &got));
  EXPECT_EQ(got, c);
  EXPECT(!CheckAuthResponse(kToken + "x", d, line, &got));         // wrong token
  EXPECT(!CheckAuthResponse(kToken, NewAuthNonce(), line, &got));  // replayed to another
  EXPECT(!CheckAuthResponse(kToken, d, FormatAuthResponse(kToken, d, d), &got));  // echo
  EXPECT(!CheckAuthResponse(kToken, d, kToken, &got));  // the old bearer token line
  EXPECT(LooksLikeAuthResponse(line));
  EXPECT(!LooksLikeAuthResponse(kToken));
  EXPECT(!LooksLikeAuthResponse("exit"));
  EXPECT(!CheckAuthResponse(kToken, d, "", &got));
  EXPECT(!CheckAuthResponse(kToken, d, c + " ", &got));
  std::string upper = line;
  upper.back() = upper.back() == 'a' ? 'b' : 'a';
  EXPECT(!CheckAuthResponse(kToken, d, upper, &got));
}

TEST(daemon_proof) {
  std::string d = NewAuthNonce(), c = NewAuthNonce();
  std::string ok = FormatAuthOk(kToken, d, c);
  EXPECT(CheckAuthOk(kToken, d, c, ok));
  EXPECT(!CheckAuthOk("another-token-of-16+", d, c, ok));  // an impostor cannot make it
  EXPECT(!CheckAuthOk(kToken, d, NewAuthNonce(), ok));
  // The daemon's proof is not the client's response: one cannot stand for the other.
  EXPECT(!CheckAuthOk(kToken, d, c,
                      std::string(kAuthOkPrefix) + FormatAuthResponse(kToken, d, c).substr(65)));
}

TEST(token_file_checks) {
  std::string token, why;
  std::string good = TempFile(kToken + "\nignored\n", 0600);
  EXPECT_EQ(ReadTokenFile(good, &token, &why), 0);
  EXPECT_EQ(token, kToken);
  std::string crlf = TempFile(kToken + "\r\n", 0400);
  EXPECT_EQ(ReadTokenFile(crlf, &token, &why), 0);
  EXPECT_EQ(token, kToken);
  std::string open_to_all = TempFile(kToken + "\n", 0644);
  EXPECT_EQ(ReadTokenFile(open_to_all, &token, &why), -EACCES);
  EXPECT(why.find("chmod 600") != std::string::npos);
  std::string group = TempFile(kToken + "\n", 0640);
  EXPECT_EQ(ReadTokenFile(group, &token, &why), -EACCES);
  std::string short_one = TempFile("short\n", 0600);
  EXPECT_EQ(ReadTokenFile(short_one, &token, &why), -EINVAL);
  EXPECT(why.find("shorter than 16") != std::string::npos);
  EXPECT_EQ(ReadTokenFile("/nonexistent/token", &token, &why), -ENOENT);
  EXPECT_EQ(ReadTokenFile("/tmp", &token, &why), -EINVAL);  // not a regular file
  // Someone else's file, even 0600 (where we may chown: root outside a user namespace).
  std::string theirs = TempFile(kToken + "\n", 0600);
  if (chown(theirs.c_str(), 4242, 4242) == 0) {
    EXPECT_EQ(ReadTokenFile(theirs, &token, &why), -EACCES);
    EXPECT(why.find("uid 4242") != std::string::npos);
  }
  unlink(theirs.c_str());
  for (const std::string& f : {good, crlf, open_to_all, group, short_one}) unlink(f.c_str());
}

TEST_MAIN()
