// bpfd --listen: accepts protocol sessions on a unix, tcp or vsock socket and serves each in
// its own forked process (its own descriptors, probes and cleanup; one session's failure or
// abuse cannot touch another's). Every peer is authenticated first (docs/security.md).
#pragma once
#include <sys/types.h>

#include <string>

#include "core/daemon/session.h"

namespace bpfd {

struct ListenOptions {
  std::string spec;                    // unix:PATH | tcp:[ADDR:]PORT | vsock:PORT
  std::string token_file;              // tcp, vsock: required; unix: optional (adds the challenge)
  bool allow_remote = false;           // tcp: allow a non-loopback ADDR
  bool allow_unauthenticated = false;  // tcp, vsock: serve without a token (named so on purpose)
  uid_t allow_uid = 0;                 // unix: a non-root uid allowed in (the socket's owner)
  gid_t allow_gid = 0;                 // unix: a group allowed in (0: none; the socket 0660)
  int handshake_timeout_ms = 5000;     // from accept to authenticated, whatever the peer sends
  int max_startups = 128;              // connections still in their handshake, at most
  int max_startups_per_source = 32;    // of those, from one address, cid or uid
  int max_sessions = 64;               // authenticated sessions at once
  SessionOptions session;              // every connection's session is made with these
};

// Listens, prints "LISTENING <spec>" on stdout once ready, and serves until SIGTERM, SIGINT or
// SIGHUP, which end every session cleanly. Logs each accepted, refused and dropped peer on
// stderr. Returns 0, or -errno with *error saying what to do (-EINVAL for a bad spec or
// option, -EACCES for a token file others can read).
int RunListener(const ListenOptions& opts, std::string* error);

}  // namespace bpfd
