// Undoing journal entries and the start-up sweep; see sweep.h.
#include "core/daemon/sweep.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <vector>

#include "core/base/clock.h"
#include "core/base/file_io.h"
#include "core/base/unique_fd.h"
#include "core/kernel/probe_events.h"
#include "core/kernel/tracefs.h"

namespace bpfd {
namespace {

long Bpf(int cmd, bpf_attr* attr) { return syscall(__NR_bpf, cmd, attr, sizeof(*attr)); }

int DetachFromCgroup(const JournalEntry& e) {
  UniqueFd cg(open(e.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!cg) return errno == ENOENT ? 0 : -errno;
  bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.prog_id = e.prog_id;
  long fd = Bpf(BPF_PROG_GET_FD_BY_ID, &attr);
  if (fd < 0) return errno == ENOENT ? 0 : -errno;  // the program is gone: so is the attachment
  UniqueFd prog(static_cast<int>(fd));
  std::memset(&attr, 0, sizeof(attr));
  attr.target_fd = static_cast<uint32_t>(cg.get());
  attr.attach_bpf_fd = static_cast<uint32_t>(prog.get());
  attr.attach_type = e.attach_type;
  if (Bpf(BPF_PROG_DETACH, &attr) == 0) return 0;
  return errno == ENOENT ? 0 : -errno;
}

int RestoreKnob(const JournalEntry& e) {
  // Most knobs read back as they are written ("1\n", "nop\n"); a filter reads "none".
  std::string_view content = e.name == "none\n" ? "0\n" : std::string_view(e.name);
  UniqueFd fd(open(e.path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
  if (!fd) return errno == ENOENT ? 0 : -errno;
  if (content.empty()) return 0;
  ssize_t n = write(fd.get(), content.data(), content.size());
  return n < 0 ? -errno : 0;
}

// True when process pid (of start time `start`; 0: any) no longer holds what it made: gone,
// a zombie, or another process now. A dying one (a SIGKILLed daemon closing hundreds of perf
// fds, each an RCU grace period) is waited for, bounded, with one stderr line: its events
// cannot be removed until it has let go of them, and nothing would remove them later.
bool Released(int pid, uint64_t start) {
  const int64_t deadline = NowMs() + kSessionCleanupMs;
  for (bool said = false;; said = true) {
    uint64_t now_start = 0;
    ProcLife life = ProcLife::kRunning;
    int r = ProcessStartTime(pid, &now_start, &life);
    if (r == -ESRCH || (r == 0 && start != 0 && now_start != start)) return true;
    if (r < 0 || life == ProcLife::kRunning) return false;
    if (life == ProcLife::kZombie) return true;
    if (!said)
      std::fprintf(stderr, "bpfd: waiting for dying process %d to let go of its probes\n", pid);
    if (NowMs() >= deadline) {
      std::fprintf(stderr,
                   "bpfd: process %d still dying after %d s: what it made is left for "
                   "the next start\n",
                   pid, kSessionCleanupMs / 1000);
      return false;
    }
    timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, nullptr);
  }
}

// The pid in an event named "..._bpfd_<pid>", or 0.
int OwnEventPid(std::string_view event) {
  size_t at = event.rfind("_bpfd_");
  if (at == std::string_view::npos) return 0;
  std::string_view digits = event.substr(at + 6);
  if (digits.empty() || digits.size() > 9) return 0;
  int pid = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return 0;
    pid = pid * 10 + (c - '0');
  }
  return pid;
}

struct Tally {
  int journals = 0, undone = 0, events = 0, failed = 0;
  std::map<int, bool> released;  // Released(pid, 0), asked once per pid for all its events
};

// One journal file: undone and deleted when its process is dead.
void SweepJournal(const std::string& path, const std::string& boot_id, Tally* t) {
  std::string text;
  JournalHeader h;
  std::vector<JournalEntry> live;
  if (ReadFile(path, &text, 64u << 20) < 0 || ParseJournal(text, &h, &live) < 0) {
    std::fprintf(stderr, "bpfd: %s: not a journal; left alone\n", path.c_str());
    ++t->failed;
    return;
  }
  if (h.boot_id == boot_id && !Released(h.pid, h.start_time))
    return;  // its session is still running
  ++t->journals;
  int failed = 0;
  if (h.boot_id == boot_id) {
    for (auto it = live.rbegin(); it != live.rend(); ++it) {
      int r = UndoJournalEntry(*it);
      if (r < 0) {
        ++failed;
        std::fprintf(stderr, "bpfd: undoing %s of session %d: %s\n",
                     FormatJournalEntry('+', *it).c_str(), h.pid, std::strerror(-r));
      } else {
        ++t->undone;
      }
    }
  }
  t->failed += failed;
  if (failed == 0) unlink(path.c_str());  // else the next start tries again
}

// Events named "*_bpfd_<pid>" of a dead pid in one events file.
void SweepOwnEvents(const std::string& file, Tally* t) {
  std::string listing;
  if (ReadFile(file, &listing) < 0) return;
  for (const auto& [group, event] : ListedProbeEvents(listing)) {
    int pid = OwnEventPid(event);
    if (pid == 0) continue;
    auto [it, fresh] = t->released.try_emplace(pid, false);
    if (fresh) it->second = Released(pid, 0);
    if (!it->second) continue;
    int r = RemoveDynamicEvent(file, group + "/" + event);
    if (r == 0)
      ++t->events;
    else if (r != -ENOENT)
      ++t->failed;
  }
}

}  // namespace

int UndoJournalEntry(const JournalEntry& e) {
  switch (e.type) {
    case JournalEntry::Type::kEvent: {
      int r = RemoveDynamicEvent(e.path, e.name);
      return r == -ENOENT ? 0 : r;
    }
    case JournalEntry::Type::kPin:
      return unlink(e.path.c_str()) == 0 || errno == ENOENT ? 0 : -errno;
    case JournalEntry::Type::kCgroup:
      return DetachFromCgroup(e);
    case JournalEntry::Type::kKnob:
      return RestoreKnob(e);
  }
  return -EINVAL;
}

void SweepLeftovers(const std::string& state_dir) {
  Tally t;
  JournalHeader self;
  SelfIdentity(&self);
  if (DIR* d = state_dir.empty() ? nullptr : opendir(state_dir.c_str())) {
    std::vector<std::string> names;
    while (dirent* e = readdir(d)) {
      std::string_view n(e->d_name);
      if (n.size() > 8 && n.ends_with(".journal")) names.emplace_back(n);
    }
    closedir(d);
    std::sort(names.begin(), names.end());
    for (const std::string& n : names) SweepJournal(state_dir + "/" + n, self.boot_id, &t);
  }
  std::string tracefs;
  if (FindTracefs(&tracefs) == 0) {
    for (const char* f : {"/uprobe_events", "/kprobe_events", "/dynamic_events"})
      SweepOwnEvents(tracefs + f, &t);
  }
  if (t.journals == 0 && t.events == 0 && t.failed == 0) return;
  std::fprintf(stderr,
               "bpfd: removed what dead sessions left: %d journal(s), %d entr%s undone, %d "
               "*_bpfd_<pid> event(s)%s\n",
               t.journals, t.undone, t.undone == 1 ? "y" : "ies", t.events,
               t.failed ? (", " + std::to_string(t.failed) + " failed (see above)").c_str() : "");
}

}  // namespace bpfd
