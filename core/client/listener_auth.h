// The client's side of a listening daemon's handshake (wire/auth.h): answers the challenge
// with the token and checks the daemon's proof, or reads the banner of a daemon that asks
// for none (a unix socket that checks credentials only).
#pragma once
#include <string>

#include "core/client/protocol_client.h"

namespace bpfd {

// Reads up to and including STARTED_BPFD. token_file "" means $BPFD_TOKEN_FILE, and no token
// at all is fine until the daemon asks for one. 0, or -errno with *error saying what to do:
// -EACCES (no token, a refused one, a daemon that cannot prove it knows the token, or a
// token file others can read), -ETIMEDOUT, -ECONNRESET.
int AuthenticateToListener(ProtocolClient* c, std::string token_file, int timeout_ms,
                           std::string* error);

}  // namespace bpfd
