// The session journal's record format and file; see journal.h.
#include "core/daemon/journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/base/file_io.h"
#include "core/wire/base64.h"
#include "core/wire/tokens.h"

namespace bpfd {
namespace {

constexpr std::string_view kMagic = "bpfd-journal";

constexpr const char* kTypeNames[] = {"event", "pin", "cgroup", "knob"};

void AppendToken(std::string_view data, std::string* out) {
  out->push_back(' ');
  AppendData(reinterpret_cast<const uint8_t*>(data.data()), data.size(), out);
}

bool DecodeToken(std::string_view token, std::string* out) {
  std::vector<uint8_t> bytes;
  if (DecodeData(token, &bytes) < 0) return false;
  out->assign(bytes.begin(), bytes.end());
  return true;
}

std::vector<std::string_view> Split(std::string_view line) {
  std::vector<std::string_view> out;
  while (!line.empty()) {
    size_t sp = line.find(' ');
    out.push_back(line.substr(0, sp));
    line.remove_prefix(sp == std::string_view::npos ? line.size() : sp + 1);
  }
  return out;
}

bool ParseHeader(std::string_view line, JournalHeader* h) {
  auto t = Split(line);
  return t.size() == 5 && t[0] == kMagic && t[1] == "1" && ParseInt(t[2], &h->pid) && h->pid > 0 &&
         !t[3].empty() && (h->boot_id = std::string(t[3]), true) &&
         ParseUint64(t[4], &h->start_time);
}

// "+"/"-" and the entry: the op, or 0 when malformed.
char ParseEntry(std::string_view line, JournalEntry* e) {
  auto t = Split(line);
  if (t.size() < 3 || (t[0] != "+" && t[0] != "-")) return 0;
  auto type = std::find(std::begin(kTypeNames), std::end(kTypeNames), t[1]);
  if (type == std::end(kTypeNames)) return 0;
  e->type = static_cast<JournalEntry::Type>(type - std::begin(kTypeNames));
  if (!DecodeToken(t[2], &e->path) || e->path.empty()) return 0;
  switch (e->type) {
    case JournalEntry::Type::kEvent:
    case JournalEntry::Type::kKnob:
      if (t.size() != 4 || !DecodeToken(t[3], &e->name)) return 0;
      break;
    case JournalEntry::Type::kPin:
      if (t.size() != 3) return 0;
      break;
    case JournalEntry::Type::kCgroup:
      if (t.size() != 5 || !ParseUint32(t[3], &e->attach_type) || !ParseUint32(t[4], &e->prog_id))
        return 0;
      break;
  }
  return t[0][0];
}

}  // namespace

std::string FormatJournalHeader(const JournalHeader& h) {
  return std::string(kMagic) + " 1 " + std::to_string(h.pid) + " " + h.boot_id + " " +
         std::to_string(h.start_time);
}

std::string FormatJournalEntry(char op, const JournalEntry& e) {
  std::string line(1, op);
  line.push_back(' ');
  line += kTypeNames[static_cast<int>(e.type)];
  AppendToken(e.path, &line);
  switch (e.type) {
    case JournalEntry::Type::kEvent:
    case JournalEntry::Type::kKnob:
      AppendToken(e.name, &line);
      break;
    case JournalEntry::Type::kPin:
      break;
    case JournalEntry::Type::kCgroup:
      line += " " + std::to_string(e.attach_type) + " " + std::to_string(e.prog_id);
      break;
  }
  return line;
}

int ParseJournal(std::string_view text, JournalHeader* h, std::vector<JournalEntry>* live) {
  live->clear();
  size_t nl = text.find('\n');
  if (nl == std::string_view::npos || !ParseHeader(text.substr(0, nl), h)) return -EINVAL;
  text.remove_prefix(nl + 1);
  while ((nl = text.find('\n')) != std::string_view::npos) {  // a torn last line never counts
    JournalEntry e;
    char op = ParseEntry(text.substr(0, nl), &e);
    text.remove_prefix(nl + 1);
    if (op == 0) return -EINVAL;
    if (op == '+') {
      live->push_back(std::move(e));
      continue;
    }
    auto it = std::find(live->rbegin(), live->rend(), e);
    if (it != live->rend()) live->erase(std::next(it).base());
  }
  return 0;
}

int ProcessStartTime(int pid, uint64_t* start_time, ProcLife* life) {
  std::string stat;
  int r = ReadFile("/proc/" + std::to_string(pid) + "/stat", &stat, 4096);
  if (r < 0) return r == -ENOENT ? -ESRCH : r;
  // "pid (comm) state ppid ..." where comm may hold spaces and ')': fields after the last ')'.
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return -EINVAL;
  auto fields = Split(std::string_view(stat).substr(close + 2));
  // fields[0] is field 3 (state), [6] field 9 (the kernel's task flags); start time is field 22.
  uint64_t flags = 0;
  if (fields.size() < 20 || !ParseUint64(fields[19], start_time) || !ParseUint64(fields[6], &flags))
    return -EINVAL;
  constexpr uint64_t kPfExiting = 0x4;  // include/linux/sched.h PF_EXITING
  if (life)
    *life = fields[0] == "Z" || fields[0] == "X" ? ProcLife::kZombie
            : (flags & kPfExiting)               ? ProcLife::kExiting
                                                 : ProcLife::kRunning;
  return 0;
}

int SelfIdentity(JournalHeader* h) {
  h->pid = static_cast<int>(getpid());
  int r = ReadFile("/proc/sys/kernel/random/boot_id", &h->boot_id, 128);
  if (r < 0) return r;
  while (!h->boot_id.empty() && (h->boot_id.back() == '\n' || h->boot_id.back() == ' '))
    h->boot_id.pop_back();
  if (h->boot_id.empty() || h->boot_id.find(' ') != std::string::npos) return -EINVAL;
  return ProcessStartTime(h->pid, &h->start_time);
}

std::string DefaultStateDir() {
  if (IsDir("/run")) return "/run/bpfd";
  if (IsDir("/data/local/tmp")) return "/data/local/tmp/bpfd";
  return "/tmp/bpfd";
}

int PrepareStateDir(const std::string& dir, std::string* why) {
  if (dir.empty() || dir[0] != '/') {
    *why = "the state directory must be an absolute path";
    return -EINVAL;
  }
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    *why = "cannot create " + dir + ": " + std::strerror(errno);
    return -errno;
  }
  struct stat st;
  if (lstat(dir.c_str(), &st) != 0) {
    *why = dir + ": " + std::strerror(errno);
    return -errno;
  }
  if (!S_ISDIR(st.st_mode)) {
    *why = dir + " is not a directory";
    return -ENOTDIR;
  }
  if (st.st_uid != geteuid() || (st.st_mode & 022)) {
    *why = dir + " is owned by uid " + std::to_string(st.st_uid) +
           " or writable by others: refusing to trust its journals";
    return -EPERM;
  }
  return 0;
}

int Journal::Create() {
  JournalHeader h;
  if (int r = SelfIdentity(&h); r < 0) return r;
  // pid and start time: a later process with the same pid never appends to a dead one's file.
  path_ = dir_ + "/" + std::to_string(h.pid) + "-" + std::to_string(h.start_time) + ".journal";
  int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    int err = -errno;
    path_.clear();
    return err;
  }
  int r = WriteAll(fd, FormatJournalHeader(h) + "\n");
  close(fd);
  if (r < 0) Remove();
  return r;
}

int Journal::Append(char op, const JournalEntry& e) {
  if (!enabled()) return 0;
  int r = path_.empty() ? Create() : 0;
  if (r == 0) {
    int fd = open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
    r = fd < 0 ? -errno : WriteAll(fd, FormatJournalEntry(op, e) + "\n");
    if (fd >= 0) close(fd);
  }
  if (r < 0 && !failed_said_) {
    failed_said_ = true;
    std::fprintf(stderr, "bpfd: journal in %s: %s (what this session makes is not recorded)\n",
                 dir_.c_str(), std::strerror(-r));
  }
  return r;
}

void Journal::Remove() {
  if (!path_.empty()) unlink(path_.c_str());
  path_.clear();
}

}  // namespace bpfd
