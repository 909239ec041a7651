// `bpfd remote`: runs an unmodified tool on this host (a BCC tool, bpftool) with the host
// library libbpfd-remote.so preloaded, which forwards the tool's kernel calls to a daemon.
//
// The hand-over contract between this launcher and the library (docs/protocol.md,
// "Forwarding"): the tool starts with
//   BPFD_REMOTE_FDS=<read_fd>,<write_fd>  an open protocol session, banner already consumed,
//                                         nothing pending; blocking fds, not close-on-exec
//                                         (the library takes them, marks them close-on-exec)
//   LD_PRELOAD=<lib>[:<previous LD_PRELOAD>]
//   ARCH=<BCC's name for the target's architecture>  unless ARCH was set
//   BCC_KERNEL_SOURCE=<host copy of the target's kheaders>  only with --kheaders
// The session ends when the last holder of those fds closes them (the tool exits or is
// killed): the daemon then releases everything the tool created on the target.
#pragma once
#include <sys/types.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/client/protocol_client.h"
#include "core/wire/uname_record.h"

namespace bpfd {

inline constexpr char kRemoteLibName[] = "libbpfd-remote.so";

// BCC's ARCH for a uname machine: x86_64/i?86 -> x86, aarch64/arm64 -> arm64, arm/armv* ->
// arm, anything else unchanged.
std::string ArchForMachine(std::string_view machine);

// Where the library is looked for, in order: `flag` (--lib), `env` (BPFD_REMOTE_LIB), then
// beside the running executable `exe` and in <exe's dir>/../lib/bpfd/. Empty entries skipped.
std::vector<std::string> RemoteLibCandidates(const std::string& flag, const std::string& env,
                                             const std::string& exe);

// The first candidate that is a regular file, as an absolute path usable in LD_PRELOAD.
// An explicit --lib or BPFD_REMOTE_LIB that is missing fails rather than falling through.
// 0, or -ENOENT / -EINVAL with *error saying where it looked and how to get the library.
int FindRemoteLib(const std::string& flag, std::string* path, std::string* error);

// LD_PRELOAD with `lib` first, keeping what was there.
std::string PrependPreload(std::string_view existing, const std::string& lib);

// Asks the daemon for its uname (SYS_UNAME). 0, or -errno with *error saying what to do
// (a daemon that predates the command answers -EBADMSG: update bpfd on the target). asked:
// the line was sent already (ConnectOptions::ask), only its reply is read.
int QueryUname(ProtocolClient& c, int timeout_ms, TargetUname* out, std::string* error,
               bool asked = false);

struct ToolOutcome {
  bool handed_over = false;  // the connection was ready to pass on (else the tool was not tried)
  int status = 0;            // the tool's exit status (0..255, 128+N for signal N)
  int session_close = 0;     // ProtocolClient::Close's result (-ETIMEDOUT: it had to be killed)
  bool session_stopped = false;  // the daemon got SIGTERM: something kept the session open
};

// Hands c's connection to `argv` (PATH searched) and runs it with `env` set in addition to
// ours (and BPFD_REMOTE_FDS). While it runs, SIGINT and SIGQUIT are ignored here (the terminal
// delivers them to the tool), SIGTERM and SIGHUP are passed on to it. Then closes the
// session: the daemon's child gets `linger_ms` to end after its EOF, then SIGTERM (its session
// ends with cleanup), then kSessionCleanupMs in all before it is killed.
// Returns 0 when the tool ran (its status in *out), or -errno when the connection could not
// be handed over or the tool could not be started (out->handed_over says which; *error why).
int RunToolWithSession(ProtocolClient* c, const std::vector<std::string>& argv,
                       const std::vector<std::pair<std::string, std::string>>& env, int linger_ms,
                       ToolOutcome* out, std::string* error);

}  // namespace bpfd
