// The listener's sockets: binding a --listen SPEC, and what it knows of each accepted peer.
#pragma once
#include <sys/types.h>

#include <string>
#include <string_view>

#include "core/base/unique_fd.h"

namespace bpfd {

struct UnixAccess {
  uid_t uid = 0;  // the socket's owner (0600): root unless --allow-uid
  gid_t gid = 0;  // the socket's group; != 0 (--allow-gid) makes it 0660
};

struct BoundSocket {
  enum class Kind { kUnix, kTcp, kVsock };
  Kind kind = Kind::kUnix;
  UniqueFd fd;
  std::string shown;      // what LISTENING prints
  std::string unix_path;  // removed when the listener ends
};

// Binds SPEC (unix:PATH | tcp:[ADDR:]PORT | vsock:PORT) and listens. tcp binds loopback only
// unless allow_remote. 0, or -errno with *error saying what to do (-EINVAL for a bad spec).
int BindListenSpec(std::string_view spec, bool allow_remote, const UnixAccess& unix_access,
                   BoundSocket* out, std::string* error);

struct Peer {
  std::string name;    // for the log: "127.0.0.1:40312", "cid 3 port 1025", "uid 0 pid 77"
  std::string source;  // what per-source limits count: the address, the cid, the uid
  bool has_cred = false;
  uid_t uid = 0;  // unix: SO_PEERCRED
  gid_t gid = 0;
};

// Who is at the other end of an accepted connection on a socket of `kind`.
Peer DescribePeer(BoundSocket::Kind kind, int fd);

// tcp: no Nagle delay (a line protocol: the handshake's answer and the banner are two small
// writes, and a delayed ACK would hold the second 40 ms), keepalive (idle 30 s, 3 probes 10 s
// apart) and a 60 s user timeout, so a half-open peer's session ends and is cleaned up.
// No-op for other kinds.
void SetPeerSocketOptions(BoundSocket::Kind kind, int fd);

}  // namespace bpfd
