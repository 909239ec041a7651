// One protocol session on a pair of fds: banner, one reply per command line, and cleanup of
// everything the session created when it ends (exit, EOF, a broken pipe, SIGHUP, SIGINT or
// SIGTERM). Used by the daemon on stdin/stdout and by each connection of a listener.
#pragma once

#include "core/daemon/session.h"

namespace bpfd {

// Drops the privileges a session does not need (kernel/privileges.h; with opts.unrestricted
// only no-new-privs is set), then serves a Session made with `opts` until it ends and releases
// all it created. Returns the stop signal that ended it, or 0. Installs (and on return
// restores) handlers for the stop signals.
int ServeSession(int in_fd, int out_fd, const SessionOptions& opts);

}  // namespace bpfd
