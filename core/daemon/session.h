// Session: everything one protocol session created in the kernel (maps, programs, probes, perf
// buffers) plus its symbol caches. Cleanup() (also run by the destructor) releases all of it.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/base/unique_fd.h"
#include "core/daemon/journal.h"
#include "core/kernel/attached_probe.h"
#include "core/kernel/tracefs.h"

namespace bpfd {

class BpfObject;
class KernelSymbols;
class LineReader;
class PerfBuffer;
class RingMirror;
class UserSymbols;

// What the session knows about a map it created (from BPF_OBJ_GET_INFO_BY_FD).
struct MapInfo {
  uint32_t type = 0;
  uint32_t key_size = 0;
  uint32_t value_size = 0;  // as created
  uint32_t max_entries = 0;
  uint32_t value_buf_size = 0;  // bytes a lookup/update transfers (per-CPU maps: all CPUs)
};

// An fd a forwarding command returned (docs/protocol.md "Forwarding"), with what the session
// keeps about it. Members go in reverse order: the ring is unmapped before the fd closes.
struct ForwardedFd {
  UniqueFd fd;
  std::string path;                  // FILE_OPEN's path ("" for other fds)
  std::unique_ptr<RingMirror> ring;  // RING_MAP's mapping, if any
  bool foreign = false;              // an object the session did not create (by id or pin)
};

// How the daemon serves every session: fixed at start-up (DaemonMain from --probe-api or
// $BPFD_PROBE_API) and handed to each session explicitly, never read from the environment.
struct SessionOptions {
  // false: handlers validate their arguments but never touch the kernel or the file system
  // and answer ret=-EPERM instead (used by the fuzzer).
  bool kernel = true;
  // How BPF_ATTACH_KPROBE/UPROBE create probes; kTracefs also hides the kprobe/uprobe PMUs
  // from FILE_* (forwarded tools then take kprobe_events/uprobe_events too).
  ProbeApi probe_api = ProbeApi::kAuto;
  // false (the default): the forwarding commands obey the daemon's policy (docs/security.md):
  // FILE_* reach only the tracing paths, SYS_BPF only the commands tools need and only the
  // session's own objects for writing. true (--unrestricted): the 2017 behaviour, a root shell.
  bool unrestricted = false;
  // A client that takes no byte of a reply for this long ends its session (--write-timeout;
  // negative: no limit).
  int write_timeout_ms = 30000;
  // The longest command line (--max-line); a longer one is dropped with an -E2BIG reply. The
  // largest legitimate lines are a 1M-instruction program (PROG_LOAD or SYS_BPF: 8 MiB, 11 MiB
  // in base64, with func/line info some more) and a vmlinux-sized BTF (BTF_LOAD: about 6 MiB,
  // 8 MiB in base64): 64 MiB leaves them a margin of five or more.
  size_t max_line = 64u << 20;
  // Where the session journals what outlives its fds (journal.h; --state-dir). "": nowhere.
  std::string state_dir;
};

class Session {
 public:
  explicit Session(SessionOptions opts = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  bool kernel_enabled() const { return opts_.kernel; }
  ProbeApi probe_api() const { return opts_.probe_api; }
  bool unrestricted() const { return opts_.unrestricted; }
  // The client asked for deflated replies (COMPRESS deflate): the serving loop deflates them.
  bool deflate_replies() const { return deflate_replies_; }
  void set_deflate_replies(bool on) { deflate_replies_ = on; }

  // The command input (for PERF_READER_POLL's early return); may be null.
  void set_input(LineReader* in) { input_ = in; }
  LineReader* input() const { return input_; }
  // Called before a command waits (WaitUnlessInput): the daemon writes the replies it holds
  // back for pipelined commands, so none waits behind a blocking command.
  void set_before_wait(std::function<void()> f) { before_wait_ = std::move(f); }
  void BeforeWait() const {
    if (before_wait_) before_wait_();
  }

  // Maps and programs: the session owns the fd from now on. Returns the fd number.
  int AddMap(UniqueFd fd, const MapInfo& info);
  // The map behind fd: one AddMap made, or one of a loaded object's (AddObject).
  const MapInfo* FindMap(int fd) const;
  int AddProg(UniqueFd fd);
  bool HasProg(int fd) const;

  // Probes are grouped by detach key ("kprobe:<ev>", "uprobe:<ev>", "tracepoint:<cat>:<tp>",
  // "perf:<fd>"). Returns the probe's fd.
  int AddProbe(const std::string& key, std::unique_ptr<AttachedProbe> probe);
  // Detaches every probe with this key: 0; -ENOENT if there is none (0 if BPF_CLOSE_PERF_EVENT_FD
  // already detached them).
  int DetachProbes(const std::string& key);
  // Closes the probe or perf buffer whose fd this is: 0, or -EINVAL if the fd is neither.
  int ClosePerfEventFd(int fd);
  // True if fd belongs to one of the session's probes (e.g. a perf event group leader).
  bool HasProbeFd(int fd) const;

  // Perf buffers, keyed by their fd. Returns the fd.
  int AddPerfBuffer(std::unique_ptr<PerfBuffer> buf);
  PerfBuffer* FindPerfBuffer(int fd);
  std::vector<int> PerfBufferFds() const;
  // Lost-sample count last reported on stderr for this buffer (for reporting only the news).
  uint64_t* reported_lost(int fd);

  // Forwarded fds: owned by the session until CloseForwardedFd or Cleanup(). Add returns the fd.
  int AddForwardedFd(UniqueFd fd, std::string path = {});
  ForwardedFd* FindForwardedFd(int fd);
  // True for a forwarded fd marked foreign: the policy lets the session only read through it.
  bool IsForeignFd(int fd);
  // 0, or -EBADF when the session does not own fd (stdin/stdout, v1 objects, strangers).
  int CloseForwardedFd(int fd);

  // ELF objects (OBJ_LOAD): the session owns the object (its programs, maps and links) and
  // the forwarded fds made for its maps, which the v1 map commands also reach (FindMap).
  // Add returns the object's handle.
  int AddObject(std::unique_ptr<BpfObject> obj, std::map<int, MapInfo> maps);
  // Detaches and closes the object and its maps' forwarded fds: 0, or -ENOENT.
  int CloseObject(int handle);

  // What outlives the session's fds (events, pins, cgroup attachments, knobs; journal.h):
  // RecordMade journals it *before* it is made and, with undo_at_end, keeps it for Cleanup()
  // to undo (an identical entry, or a knob already recorded, is not recorded twice).
  // True when recorded now (false: recorded already).
  bool RecordMade(const JournalEntry& e, bool undo_at_end = true);
  // The client undid it, or making it failed: journalled as undone, not undone again.
  void ForgetMade(const JournalEntry& e);
  // The client removed event `name` ("group/event"; "event": in any group) by name.
  void ForgetEvent(std::string_view name);
  // True when the knob at path is recorded already (its original content is known).
  bool HasKnob(const std::string& path) const;

  // Symbol caches, created on first use.
  KernelSymbols& ksyms();
  UserSymbols& usyms();

  // Detaches every probe and object (removing tracefs events), closes perf buffers, forwarded fds,
  // programs and maps, then undoes what RecordMade kept, newest first, and deletes the journal
  // (kept when an undo failed, for the next start's sweep).
  void Cleanup();

 private:
  bool deflate_replies_ = false;
  struct MapSlot {
    UniqueFd fd;
    MapInfo info;
  };
  struct ProbeEntry {
    std::string key;
    std::unique_ptr<AttachedProbe> probe;
  };
  struct ObjectEntry {
    std::unique_ptr<BpfObject> obj;
    std::map<int, MapInfo> maps;  // by forwarded fd
  };
  struct BufferEntry {
    std::unique_ptr<PerfBuffer> buf;
    uint64_t reported_lost = 0;
  };

  SessionOptions opts_;
  LineReader* input_ = nullptr;
  std::function<void()> before_wait_;
  std::map<int, MapSlot> maps_;
  std::map<int, UniqueFd> progs_;
  std::vector<ProbeEntry> probes_;  // attach order; detached in reverse
  std::set<std::string> closed_keys_;
  std::map<int, BufferEntry> buffers_;
  std::map<int, ForwardedFd> forwarded_;
  std::map<int, ObjectEntry> objects_;
  int next_object_ = 1;
  Journal journal_;
  std::vector<JournalEntry> made_;  // in the order made; undone in reverse
  std::unique_ptr<KernelSymbols> ksyms_;
  std::unique_ptr<UserSymbols> usyms_;
};

}  // namespace bpfd
