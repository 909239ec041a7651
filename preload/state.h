// The library's process-wide state: the connection `bpfd remote` handed over
// (BPFD_REMOTE_FDS) and the table from local placeholder fds to the target's objects.
// Interposition needs this one global; everything else is passed explicitly.
#pragma once
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/clock.h"
#include "core/client/protocol_client.h"
#include "core/wire/uname_record.h"

namespace bpfd::preload {

class Ring;
class MapMirror;

// kLazyFile: a real local fd (a memfd) on a copy of a target file filled as it is read.
// kStream: a pipe-like target file read with FILE_STREAM (streams.h).
enum class Kind {
  kMap,
  kProg,
  kBtf,
  kLink,
  kBpfOther,
  kPerf,
  kFileWrite,
  kDir,
  kLazyFile,
  kStream
};

struct FileCopy;  // file_copies.cc

// A target object behind one or more local fds (dup'ed placeholders share it).
struct Obj {
  Kind kind = Kind::kBpfOther;
  int rfd = -1;  // the daemon's fd number (kDir: -1)
  int refs = 1;
  std::string path;  // kDir: the directory on the target; kFileWrite, kStream: for messages
  // Maps: from BPF_MAP_CREATE or, lazily, BPF_OBJ_GET_INFO_BY_FD.
  bool map_known = false;
  uint32_t map_type = 0, key_size = 0, value_size = 0, max_entries = 0, map_id = 0, map_flags = 0;
  bool frozen = false;                // BPF_MAP_FREEZE succeeded (or the target says so)
  bool created = false;               // by this session's MAP_CREATE or PROG_LOAD (all rights)
  std::unique_ptr<Ring> ring;         // perf event or ring buffer map once mmap'ed
  std::unique_ptr<MapMirror> mirror;  // mmapable array map once mmap'ed (map_mirror.h)
  struct Snapshot;
  std::unique_ptr<Snapshot> snapshot;  // map iteration (bpf_iter.cc)
  std::shared_ptr<FileCopy> copy;      // kLazyFile
  Obj();
  ~Obj();
};

// Placeholder fds are eventfds; lookups are lock-free, changes happen under Lock().
inline constexpr int kMaxFds = 1 << 16;

class State {
 public:
  static State& Get();

  // True when this process runs under `bpfd remote` (BPFD_REMOTE_FDS was set at load).
  bool active() const { return active_; }

  // Serialises every forwarded operation and change of the table.
  std::unique_lock<std::recursive_mutex> Lock() {
    return std::unique_lock<std::recursive_mutex>(mu_);
  }

  // One protocol call (takes Lock(); callers hold it across calls that belong together). A lost
  // connection ends the process with one clear line on stderr (exit 1): a tool must not run on
  // against a vanished kernel. Returns the reply's ret= value (negative errno) and the lines after
  // the first in *rest.
  int64_t Call(std::string_view line, std::vector<std::string>* rest, int timeout_ms = 120000);
  // Sends a command whose result does not matter (SYS_CLOSE) without waiting for its reply:
  // no round trip (ProtocolClient::Post). A lost connection ends the process, as in Call; a
  // failure the target reports for it later is one stderr line (WarnOnce).
  void Post(std::string_view line);
  // At exit: the replies of posted commands are read, so the daemon is not left writing them.
  void DrainPosted();
  // Call for a command an older daemon may not know: -EBADMSG then, not the end of the process.
  int64_t CallIfKnown(std::string_view line, std::vector<std::string>* rest);
  // Call for an object creation that names none of the session's objects (BpfRequest::
  // SelfContained): the start-up prefetch may have made it already (prefetch.h).
  int64_t CallCreation(std::string_view line, std::vector<std::string>* rest);
  // True while this thread is inside Call (its waits must not start other calls).
  static bool InCall();
  // True in a forked child (which must not use or save its parent's session).
  bool forked() const { return forked_; }
  // True if a signal arrived while a call waited (then cleared).
  bool TakeInterrupted();

  // Round trips and bytes so far (BPFD_REMOTE_STATS=1 prints them at exit; =2 also the
  // largest by command and path, the start-up prefetch as one call "PREFETCH (N lines)" and
  // each of its lines' bytes under the line's own key, with no call).
  struct Stats {
    uint64_t calls = 0, sent = 0, received = 0;
  };
  const Stats& stats() const { return stats_; }
  const std::map<std::string, Stats>& stats_by_call() const { return by_call_; }

  // Table (under Lock() for changes). Find is lock-free and returns null for local fds.
  Obj* Find(int fd) const {
    return fd >= 0 && fd < kMaxFds ? table_[fd].load(std::memory_order_acquire) : nullptr;
  }
  // Creates a placeholder fd for a new object (the table owns obj). -errno on failure (then
  // the caller still owns the remote fd).
  int Install(Obj* obj);
  // Install for an object the target holds as fd `rfd`: on failure the target's fd is closed
  // too. The placeholder fd or -errno.
  int InstallRemote(Obj* obj, int rfd);
  // Makes local fd `fd` (already open, e.g. a dup) another reference to obj.
  void Share(int fd, Obj* obj);
  // Tracks `fd`, a real local fd, as a new obj's only reference. -errno (obj deleted) if the
  // fd is beyond the table.
  int Adopt(int fd, Obj* obj);
  // Drops fd's reference; the last one closes the target's fd. Does not close `fd` itself.
  void Release(int fd);
  // For fds inside attrs, instructions and map values: the target's number for a
  // placeholder, else fd unchanged (0 = none, or a genuinely local fd).
  int RemoteFd(int fd) const {
    const Obj* o = Find(fd);
    return o && o->rfd >= 0 ? o->rfd : fd;
  }

  // The target's uname fields and possible CPU count, fetched once.
  const TargetUname& Uname();
  int PossibleCpus();

 private:
  void ReportPostedFailures();
  State();
  bool Connect();
  enum class CallKind { kPlain, kIfKnown, kCreation };
  int64_t DoCall(std::string_view line, std::vector<std::string>* rest, int timeout_ms,
                 CallKind how);
  void Count(std::string_view line, size_t received);
  void Prefetch();

  bool active_ = false;
  bool connected_ = false;
  bool forked_ = false;
  bool prefetched_ = false;  // the start-up prefetch was sent (prefetch.h)
  int fds_[2] = {-1, -1};    // read, write
  std::recursive_mutex mu_;
  ProtocolClient client_;
  std::unique_ptr<std::atomic<Obj*>[]> table_;
  std::unique_ptr<TargetUname> uname_;
  int possible_cpus_ = 0;
  Stats stats_;
  std::map<std::string, Stats> by_call_;  // BPFD_REMOTE_STATS=2: "COMMAND path" -> its traffic
  friend void MarkForked();
};

// -1 with errno = -err: the libc convention for a -errno result.
inline int FailErrno(int64_t err) {
  errno = static_cast<int>(-err);
  return -1;
}

// One line "bpfd-remote: <what>" on the stderr the tool started with (even while it points fd
// 2 elsewhere), once per distinct text: for calls the library cannot forward or refuses (the
// tool then sees the errno it was given).
void WarnOnce(const std::string& what);

// A protocol data token (core/base64.h's AppendData/DecodeData) from/to bytes in a string.
std::string Token(const void* data, size_t len);
inline std::string Token(std::string_view s) { return Token(s.data(), s.size()); }
bool Untoken(std::string_view tok, std::string* out);  // false on bad input

}  // namespace bpfd::preload
