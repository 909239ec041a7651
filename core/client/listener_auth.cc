#include "core/client/listener_auth.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/base/clock.h"
#include "core/wire/auth.h"
#include "core/wire/framing.h"

namespace bpfd {
namespace {

int LineError(int r, int timeout_ms, std::string* error) {
  *error = r == -ETIMEDOUT
               ? "the daemon did not answer within " + std::to_string(timeout_ms / 1000) + " s"
           : r == -ECONNRESET ? "the daemon closed the connection before its banner (see the "
                                "listener's log for why)"
                              : std::string("reading from the daemon: ") + std::strerror(-r);
  return r;
}

}  // namespace

int AuthenticateToListener(ProtocolClient* c, std::string token_file, int timeout_ms,
                           std::string* error) {
  const int64_t deadline = Deadline(timeout_ms);
  if (token_file.empty() && std::getenv("BPFD_TOKEN_FILE"))
    token_file = std::getenv("BPFD_TOKEN_FILE");
  std::string line, dnonce, cnonce, token;
  bool answered = false;
  for (;;) {
    int r = c->ReadLine(PollTimeout(deadline), &line);
    if (r < 0) return LineError(r, timeout_ms, error);
    if (line == kBannerLine) {
      if (!answered) return 0;  // a daemon that asks for no token
      *error = "the daemon skipped its proof of the token: refusing to trust it";
      return -EACCES;
    }
    if (line.rfind(kAuthFailPrefix, 0) == 0) {
      *error = "the daemon refused the connection: " + line.substr(kAuthFailPrefix.size());
      return -EACCES;
    }
    if (!answered && ParseAuthChallenge(line, &dnonce)) {
      if (token_file.empty()) {
        *error = "the daemon asks for its token: --token-file FILE or BPFD_TOKEN_FILE";
        return -EACCES;
      }
      r = ReadTokenFile(token_file, &token, error);
      if (r < 0) return r;
      cnonce = NewAuthNonce();
      if (cnonce.empty()) {
        *error = "no random bytes for a nonce";
        return -EIO;
      }
      r = c->Send(FormatAuthResponse(token, dnonce, cnonce), PollTimeout(deadline));
      if (r < 0) return LineError(r, timeout_ms, error);
      answered = true;
      continue;
    }
    if (answered && line.rfind(kAuthOkPrefix, 0) == 0) {
      if (!CheckAuthOk(token, dnonce, cnonce, line)) {
        *error = "the daemon could not prove it knows the token (an impostor on that port?)";
        return -EACCES;
      }
      r = c->WaitBanner(PollTimeout(deadline));
      return r < 0 ? LineError(r, timeout_ms, error) : 0;
    }
    // Anything else before the banner (a shell's motd through a forward) is skipped.
  }
}

}  // namespace bpfd
