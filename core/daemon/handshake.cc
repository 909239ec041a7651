#include "core/daemon/handshake.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "core/wire/auth.h"

namespace bpfd {
namespace {

constexpr size_t kMaxResponse = 512;  // a response is 64 + 1 + 64 bytes

}  // namespace

bool Handshake::SendLine(const std::string& line) {
  std::string out = line + "\n";
  // A line this short fits a fresh socket's buffer: a short send means a peer to drop.
  return send(fd_.get(), out.data(), out.size(), MSG_DONTWAIT | MSG_NOSIGNAL) ==
         static_cast<ssize_t>(out.size());
}

Handshake::State Handshake::Start(std::string* why) {
  if (rules_.check_cred) {
    bool ok = peer_.has_cred && (peer_.uid == 0 || peer_.uid == rules_.allow_uid ||
                                 (rules_.allow_gid != 0 && peer_.gid == rules_.allow_gid));
    if (!ok) {
      *why = peer_.has_cred ? "uid " + std::to_string(peer_.uid) + " gid " +
                                  std::to_string(peer_.gid) + " is not allowed"
                            : "no peer credentials";
      return State::kRefused;
    }
  }
  if (!rules_.token) return State::kAuthenticated;
  nonce_ = NewAuthNonce();
  if (nonce_.empty()) {
    *why = "no random bytes for a nonce";
    return State::kRefused;
  }
  if (!SendLine(FormatAuthChallenge(nonce_))) {
    *why = "cannot send the challenge";
    return State::kRefused;
  }
  return State::kWaiting;
}

Handshake::State Handshake::OnReadable(std::string* why) {
  char buf[256];
  ssize_t n = recv(fd_.get(), buf, sizeof(buf), MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return State::kWaiting;
  if (n <= 0) {
    *why = n == 0 ? "closed before answering the challenge" : "read failed";
    return State::kRefused;
  }
  input_.append(buf, static_cast<size_t>(n));
  size_t nl = input_.find('\n');
  if (nl == std::string::npos) {
    if (input_.size() <= kMaxResponse) return State::kWaiting;
    *why = "response too long";
    return State::kRefused;
  }
  std::string_view line(input_.data(), nl);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (nl + 1 != input_.size()) {  // nothing may follow before our answer
    *why = "data after the response";
    return State::kRefused;
  }
  if (!CheckAuthResponse(*rules_.token, nonce_, line, &client_nonce_)) {
    *why = LooksLikeAuthResponse(line) ? "wrong token" : "not an answer to the challenge";
    return State::kRefused;
  }
  return State::kAuthenticated;
}

UniqueFd Handshake::Admit() {
  if (rules_.token && !SendLine(FormatAuthOk(*rules_.token, nonce_, client_nonce_)))
    return UniqueFd();
  int flags = fcntl(fd_.get(), F_GETFL);
  if (flags >= 0) fcntl(fd_.get(), F_SETFL, flags & ~O_NONBLOCK);
  return std::move(fd_);
}

void Handshake::Refuse(const std::string& why) {
  SendLine(std::string(kAuthFailPrefix) + why);
  fd_.reset();
}

}  // namespace bpfd
