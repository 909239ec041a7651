// Internal: the contract of the command handlers behind HandleLine (one file per subject), their
// per-file command tables, and the helpers they share.
// A handler writes its reply through a CommandReply and returns Verdict::kDone, or returns
// Verdict::kBadArgs for the reply "Command not recognized" (replacing anything written).
#pragma once
#include <cerrno>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/small_bytes.h"
#include "core/daemon/session.h"
#include "core/wire/framing.h"
#include "core/wire/reply.h"

namespace bpfd {

using Args = std::span<const std::string_view>;

enum class Verdict {
  kDone,     // the reply is written
  kBadArgs,  // malformed arguments: the dispatcher replies "Command not recognized"
};

// One command's reply, bound to the name of its result line ("<ret_name>: ret=<n>", the table's
// ret_name), so a handler never spells that name. Replies with data lines add them with
// Line/Text/raw after (or, for replies without a result line, instead of) Ret.
class CommandReply {
 public:
  CommandReply(Reply& reply, std::string_view ret_name) : reply_(reply), ret_name_(ret_name) {}
  CommandReply(const CommandReply&) = delete;
  CommandReply& operator=(const CommandReply&) = delete;

  // Appends "<ret_name>: ret=<value>"; returns kDone, so `return r.Ret(n);` ends a handler.
  Verdict Ret(int64_t value) {
    reply_.Ret(ret_name_, value);
    return Verdict::kDone;
  }
  // In a session without kernel access (fuzzing), writes "<ret_name>: ret=-1" (EPERM) and
  // returns true: the handler must stop there, after validating its arguments.
  bool NoKernel(const Session& s) {
    if (s.kernel_enabled()) return false;
    Ret(-EPERM);
    return true;
  }

  // "<ret_name>: ret=<number of lines>", then the lines.
  Verdict RetLines(const std::vector<std::string>& lines) {
    Ret(static_cast<int64_t>(lines.size()));
    for (const std::string& l : lines) reply_.Line(l);
    return Verdict::kDone;
  }

  void Line(std::string_view s) { reply_.Line(s); }
  void Text(std::string_view text) { reply_.Text(text); }
  std::string* raw() { return reply_.raw(); }
  void Clear() { reply_.Clear(); }

 private:
  Reply& reply_;
  std::string_view ret_name_;
};

using Handler = Verdict (*)(Session&, Args, CommandReply&);

// Largest key/value/program the daemon accepts before asking the kernel (absurd sizes are
// -EINVAL, never an allocation attempt).
inline constexpr uint64_t kMaxKeyLen = 1u << 20;
inline constexpr uint64_t kMaxValueLen = 64u << 20;
inline constexpr uint64_t kMaxProgLen = 64u << 20;

struct Command {
  std::string_view name;
  size_t min_args;            // arguments after the command name
  std::string_view ret_name;  // "<ret_name>: ret=": every result line, and generic failures
                              // (e.g. -ENOMEM)
  Handler handler;
};

// A handler file's commands: its own `constexpr Command k...Commands[]` beside its handlers
// (like bpftool's per-object cmds[]), exported as one group. Handlers stay file-static.
using CommandGroup = std::span<const Command>;

CommandGroup MapCommands();          // maps.cc
CommandGroup BtfCommands();          // btf.cc
CommandGroup ProgCommands();         // prog.cc
CommandGroup AttachCommands();       // attach.cc
CommandGroup PerfCommands();         // perf.cc
CommandGroup TracingInfoCommands();  // tracing_info.cc
CommandGroup SymbolCommands();       // symbols.cc
CommandGroup FeatureCommands();      // features.cc
CommandGroup ForwardSysCommands();   // forward_sys.cc
CommandGroup ForwardFileCommands();  // forward_files.cc
CommandGroup ForwardRingCommands();  // forward_ring.cc
CommandGroup ObjectCommands();       // object.cc

// Every command: the groups above, concatenated in the order dispatch.cc looks them up.
std::span<const Command> Commands();

// Helpers shared by the handlers (handler.cc, unless noted).

// The map's type, sizes and lookup buffer size, from the kernel: 0 or -errno. (maps.cc)
int QueryMapInfo(int fd, MapInfo* info);

// Decodes base64 `b64` into *out and checks the decoded length is exactly `len`: 0 or -EINVAL.
int DecodeExact(std::string_view b64, uint64_t len, std::vector<uint8_t>* out);
int DecodeExact(std::string_view b64, uint64_t len, SmallBytes<>* out);

// A map/program name the kernel accepts: "__none__" (the protocol's "no name") becomes "";
// characters other than [A-Za-z0-9_.] become '_'; at most 15 characters are kept.
std::string ObjName(std::string_view name);

// Replies with the text of the first readable file among `paths`, or "<ret_name>: ret=<-errno>"
// with the error of the first.
Verdict ReplyFile(CommandReply& r, const std::vector<std::string>& paths);

// The wait of PERF_READER_POLL and RING_POLL: returns once done() is true (it is asked first
// and after every wake-up), a command line or EOF is waiting on the session's input, timeout_ms
// passed (negative: no limit), a stop signal came (for the daemon to see), or one of fds hung
// up (asking done() once more: no spinning on a dead event). 0, or -errno from ppoll.
int WaitUnlessInput(Session& s, const std::vector<int>& fds, int timeout_ms,
                    const std::function<bool()>& done);

}  // namespace bpfd
