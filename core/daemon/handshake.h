// One accepted connection before its session: the peer-credential check (unix) and the
// challenge–response (wire/auth.h), driven by the listener's poll loop without blocking, so
// a silent or slow peer costs one fd and no process.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "core/base/unique_fd.h"
#include "core/daemon/listen_socket.h"

namespace bpfd {

struct AdmissionRules {
  const std::string* token = nullptr;  // null: no challenge (unix with credentials only)
  bool check_cred = false;             // unix: the peer must be root, allow_uid or allow_gid
  uid_t allow_uid = 0;
  gid_t allow_gid = 0;  // 0: none
};

class Handshake {
 public:
  enum class State { kWaiting, kAuthenticated, kRefused };

  Handshake(UniqueFd fd, Peer peer, const AdmissionRules& rules, int64_t deadline_ms)
      : fd_(std::move(fd)), peer_(std::move(peer)), rules_(rules), deadline_ms_(deadline_ms) {}

  // Checks the peer and sends the challenge. kRefused sets *why.
  State Start(std::string* why);
  // The socket is readable: reads the response once it is complete and checks it.
  State OnReadable(std::string* why);
  // After kAuthenticated: tells the client (the daemon's proof) and hands the socket over,
  // blocking again. An invalid fd if the client is gone.
  UniqueFd Admit();
  // Tells the client why (best effort) and closes.
  void Refuse(const std::string& why);

  int fd() const { return fd_.get(); }
  const Peer& peer() const { return peer_; }
  int64_t deadline_ms() const { return deadline_ms_; }

 private:
  bool SendLine(const std::string& line);

  UniqueFd fd_;
  Peer peer_;
  AdmissionRules rules_;
  int64_t deadline_ms_;
  std::string nonce_, client_nonce_, input_;
};

}  // namespace bpfd
