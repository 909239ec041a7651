// The crash-safe record of what a session made that outlives its fds (docs/security.md
// "Leftovers"): one file per session process in the daemon's state directory, appended to
// *before* the thing is made, so a daemon that dies (SIGKILL, OOM, a crash) leaves a list the
// next start undoes (sweep.h). At a clean end the session undoes everything and deletes it.
//
// File "<pid>.journal", one record per line, tokens separated by one space:
//   bpfd-journal 1 <pid> <boot_id> <start_time>        the header (first line)
//   + event <file> <name>          a dynamic event, <name> "group/event" or "event", made by
//                                  writing <file> (kprobe_events, uprobe_events, dynamic_events)
//   + pin <path>                   a BPF_OBJ_PIN pin
//   + cgroup <path> <attach_type> <prog_id>   a legacy BPF_PROG_ATTACH to the cgroup at <path>
//   + knob <path> <original>       a tracefs file the session wrote, with its content before
//   - <the same fields>            the entry was undone (or its creation failed)
// <file>, <name>, <path> and <original> are data tokens (wire/base64.h: "-" or base64).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bpfd {

struct JournalHeader {
  int pid = 0;
  std::string boot_id;      // /proc/sys/kernel/random/boot_id
  uint64_t start_time = 0;  // field 22 of /proc/<pid>/stat (clock ticks since boot)
  bool operator==(const JournalHeader&) const = default;
};

struct JournalEntry {
  enum class Type { kEvent, kPin, kCgroup, kKnob };
  Type type = Type::kEvent;
  std::string path;  // the events file, the pin, the cgroup directory or the knob
  std::string name;  // kEvent: "group/event"; kKnob: the original content
  uint32_t attach_type = 0, prog_id = 0;  // kCgroup
  bool operator==(const JournalEntry&) const = default;
};

// One line each, without the newline. op is '+' or '-'.
std::string FormatJournalHeader(const JournalHeader& h);
std::string FormatJournalEntry(char op, const JournalEntry& e);

// Parses a whole journal: the header and the entries still live (each '+' not cancelled by a
// later identical '-'), in the order made. A torn last line (no newline) is ignored. 0, or
// -EINVAL for a missing or malformed header or a malformed complete line.
int ParseJournal(std::string_view text, JournalHeader* h, std::vector<JournalEntry>* live);

// This process's identity: its pid, the boot id and its start time. 0 or -errno.
int SelfIdentity(JournalHeader* h);
// Where a process is in its life: running, exiting (PF_EXITING: still closing its fds and
// probes) or a zombie (everything released).
enum class ProcLife { kRunning, kExiting, kZombie };
// The start time of process pid (and, if asked, where it is in its life): 0, or -ESRCH when it
// does not exist.
int ProcessStartTime(int pid, uint64_t* start_time, ProcLife* life = nullptr);

// The default state directory: /run/bpfd where /run exists (a tmpfs emptied at boot, root's),
// else /data/local/tmp/bpfd (Android has no /run; bpfd is pushed to /data/local/tmp), else
// /tmp/bpfd.
std::string DefaultStateDir();
// Creates dir (mode 0700) if absent and checks that it is a directory owned by this user that
// no one else may write. 0, or -errno with *why set.
int PrepareStateDir(const std::string& dir, std::string* why);

// A session's journal file. Created on the first Append; "" dir: journalling off.
class Journal {
 public:
  explicit Journal(std::string dir) : dir_(std::move(dir)) {}
  ~Journal() = default;
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  bool enabled() const { return !dir_.empty(); }
  // Appends one record (one write(2): complete before anything is made). 0 or -errno; the
  // first failure is said once on stderr.
  int Append(char op, const JournalEntry& e);
  // Deletes the file (the session undid everything).
  void Remove();

 private:
  int Create();
  std::string dir_, path_;
  bool failed_said_ = false;
};

}  // namespace bpfd
