// Reaching a daemon: `--remote SPEC` parsing, connecting a ProtocolClient to it, and the
// Backend that runs a mode's protocol lines there.
//   process[:PATH]                  the daemon as a local child (default PATH: this binary)
//   cmd:COMMAND                     any command (via /bin/sh -c) speaking the protocol
//   ssh:[USER@]HOST[:PORT][:PATH]   `ssh -T` to HOST running PATH (default: bpfd)
//   adb[:SERIAL][:PATH]             `adb [-s SERIAL] shell` running PATH (default
//                                   /data/local/tmp/bpfd), through `su` when not root
//   unix:PATH, tcp:HOST:PORT        a listening daemon (bpfd --listen), answering its token
//                                   challenge when it asks (docs/security.md)
//   vsock:CID:PORT                  a listening daemon in a VM
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/client/backend.h"
#include "core/client/protocol_client.h"

namespace bpfd {

struct RemoteSpec {
  enum class Kind { kProcess, kCmd, kSsh, kAdb, kUnix, kTcp, kVsock };
  Kind kind = Kind::kProcess;
  std::string host;  // ssh/tcp host (ssh may carry USER@), adb serial, vsock cid
  std::string port;  // ssh/tcp/vsock port
  std::string path;  // the daemon on the target (process/ssh/adb), socket path (unix),
                     // command (cmd)
};

// Parses SPEC. 0, or -EINVAL with *error saying what a valid SPEC looks like.
int ParseRemoteSpec(std::string_view spec, RemoteSpec* out, std::string* error);

// The SPEC named by the original host side's variables: BCC_REMOTE (adb, shell/process, ssh)
// and BCC_REMOTE_ARGS (the daemon command, e.g. a path). Empty when BCC_REMOTE is unset.
std::string RemoteSpecFromEnv();

// The argv that starts the daemon for spawned kinds (process, cmd, ssh, adb).
std::vector<std::string> RemoteArgv(const RemoteSpec& spec);

struct ConnectOptions {
  int timeout_ms = 10000;    // connect + banner
  std::string token_file;    // sockets: the token, if the daemon asks (default: $BPFD_TOKEN_FILE)
  int stderr_fd = -1;        // spawned kinds: the child's stderr (-1: ours)
  bool new_session = false;  // spawned kinds: the child in its own session (no Ctrl-C)
  // Lines sent as early as the transport allows (a spawned daemon: with its start, before
  // the banner; a socket: after authentication), so their round trip overlaps the start.
  // Read their replies in order with Answer (call.h).
  std::vector<std::string> ask;
};

// Connects *c to the daemon and waits for STARTED_BPFD. Over a link (every kind but process)
// it asks for deflated replies (COMPRESS deflate, posted; BPFD_DEFLATE=0 never, =1 also for
// process), then sends opts.ask. 0, or -errno with *error saying what failed and what to check.
int ConnectRemote(const RemoteSpec& spec, const ConnectOptions& opts, ProtocolClient* c,
                  std::string* error);

// Runs lines on a remote daemon. Call() fails with the transport's -errno when the daemon is
// gone or silent for call_timeout_ms.
class RemoteBackend final : public Backend {
 public:
  explicit RemoteBackend(int call_timeout_ms = 60000) : timeout_ms_(call_timeout_ms) {}
  ProtocolClient& client() { return client_; }
  int Call(std::string_view line, std::vector<std::string>* lines) override;

 private:
  ProtocolClient client_;
  int timeout_ms_;
};

}  // namespace bpfd
