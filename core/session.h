// Session: everything one protocol session created in the kernel (maps, programs, probes, perf
// buffers) plus its symbol caches. Cleanup() (also run by the destructor) releases all of it.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/unique_fd.h"

namespace bpfd {

class KernelSymbols;
class LineReader;
class PerfBuffer;
class Probe;
class UserSymbols;

// What the session knows about a map it created (from BPF_OBJ_GET_INFO_BY_FD).
struct MapInfo {
  uint32_t type = 0;
  uint32_t key_size = 0;
  uint32_t value_size = 0;      // as created
  uint32_t max_entries = 0;
  uint32_t value_buf_size = 0;  // bytes a lookup/update transfers (per-CPU maps: all CPUs)
};

struct SessionOptions {
  // false: handlers validate their arguments but never touch the kernel or the file system
  // and answer ret=-EPERM instead (used by the fuzzer).
  bool kernel = true;
};

class Session {
 public:
  explicit Session(SessionOptions opts = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  bool kernel_enabled() const { return opts_.kernel; }

  // The command input (for PERF_READER_POLL's early return); may be null.
  void set_input(LineReader* in) { input_ = in; }
  LineReader* input() const { return input_; }

  // Maps and programs: the session owns the fd from now on. Returns the fd number.
  int AddMap(UniqueFd fd, const MapInfo& info);
  const MapInfo* FindMap(int fd) const;
  int AddProg(UniqueFd fd);
  bool HasProg(int fd) const;

  // Probes are grouped by detach key ("kprobe:<ev>", "uprobe:<ev>", "tracepoint:<cat>:<tp>",
  // "perf:<fd>"). Returns the probe's fd.
  int AddProbe(const std::string& key, std::unique_ptr<Probe> probe);
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

  // Symbol caches, created on first use.
  KernelSymbols& ksyms();
  UserSymbols& usyms();

  // Detaches every probe (removing tracefs events), closes perf buffers, programs and maps.
  void Cleanup();

 private:
  struct MapSlot {
    UniqueFd fd;
    MapInfo info;
  };
  struct ProbeEntry {
    std::string key;
    std::unique_ptr<Probe> probe;
  };
  struct BufferEntry {
    std::unique_ptr<PerfBuffer> buf;
    uint64_t reported_lost = 0;
  };

  SessionOptions opts_;
  LineReader* input_ = nullptr;
  std::map<int, MapSlot> maps_;
  std::map<int, UniqueFd> progs_;
  std::vector<ProbeEntry> probes_;   // attach order; detached in reverse
  std::set<std::string> closed_keys_;
  std::map<int, BufferEntry> buffers_;
  std::unique_ptr<KernelSymbols> ksyms_;
  std::unique_ptr<UserSymbols> usyms_;
};

}  // namespace bpfd
