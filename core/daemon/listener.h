// bpfd --listen: accepts protocol sessions on a unix, tcp or vsock socket and serves each in
// its own forked process (its own descriptors, probes and cleanup; one session's failure or
// abuse cannot touch another's).
#pragma once
#include <string>

#include "core/daemon/session.h"

namespace bpfd {

struct ListenOptions {
  std::string spec;           // unix:PATH | tcp:[ADDR:]PORT | vsock:PORT
  std::string token_file;     // tcp: required; the client's first line must equal its first line
  bool allow_remote = false;  // tcp: allow a non-loopback ADDR
  SessionOptions session;     // every connection's session is made with these
};

// Listens, prints "LISTENING <spec>" on stdout once ready, and serves until SIGTERM, SIGINT or
// SIGHUP, which end every session cleanly. Returns 0, or -errno with *error saying what to do
// (-EINVAL for a bad spec or option).
int RunListener(const ListenOptions& opts, std::string* error);

}  // namespace bpfd
