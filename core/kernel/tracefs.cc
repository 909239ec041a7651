// Tracefs helpers; see tracefs.h.
#include "core/kernel/tracefs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "core/base/file_io.h"
#include "core/base/unique_fd.h"

namespace bpfd {
namespace {

constexpr long kTracefsMagic = 0x74726163;  // TRACEFS_MAGIC from <linux/magic.h>
constexpr const char* kDefaultTracefs = "/sys/kernel/tracing";

bool IsTracefs(const std::string& path) {
  struct statfs st;
  if (statfs(path.c_str(), &st) != 0) return false;
  return static_cast<long>(st.f_type) == kTracefsMagic;
}

// /proc/mounts escapes space, tab, newline and backslash as \ooo octal.
std::string UnescapeMountField(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    auto oct = [&](size_t j) { return s[j] >= '0' && s[j] <= '7'; };
    if (s[i] == '\\' && i + 3 < s.size() && oct(i + 1) && oct(i + 2) && oct(i + 3)) {
      out.push_back(
          static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Returns the first tracefs mount point listed in /proc/mounts, or "".
std::string TracefsFromProcMounts() {
  std::string mounts;
  if (ReadFile("/proc/mounts", &mounts) < 0) return "";
  size_t pos = 0;
  while (pos < mounts.size()) {
    size_t eol = mounts.find('\n', pos);
    if (eol == std::string::npos) eol = mounts.size();
    std::string_view line(mounts.data() + pos, eol - pos);
    pos = eol + 1;
    // Fields: device mountpoint fstype options dump pass
    size_t a = line.find(' ');
    if (a == std::string_view::npos) continue;
    size_t b = line.find(' ', a + 1);
    if (b == std::string_view::npos) continue;
    size_t c = line.find(' ', b + 1);
    if (c == std::string_view::npos) continue;
    if (line.substr(b + 1, c - b - 1) != "tracefs") continue;
    std::string mp = UnescapeMountField(line.substr(a + 1, b - a - 1));
    if (IsTracefs(mp)) return mp;
  }
  return "";
}

int ListSubdirs(const std::string& dir, std::vector<std::string>* out) {
  out->clear();
  DIR* d = opendir(dir.c_str());
  if (!d) return -errno;
  int dfd = dirfd(d);
  errno = 0;
  while (struct dirent* e = readdir(d)) {
    std::string_view name(e->d_name);
    if (name == "." || name == "..") continue;
    bool is_dir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st;
      is_dir = fstatat(dfd, e->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
    }
    if (is_dir) out->emplace_back(name);
    errno = 0;
  }
  int err = errno;
  closedir(d);
  if (err) return -err;
  std::sort(out->begin(), out->end());
  return 0;
}

const char* ProbeEventsFile(ProbeKind kind) {
  return kind == ProbeKind::kKprobe ? "/kprobe_events" : "/uprobe_events";
}

void SleepMs(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

}  // namespace

int FindTracefs(std::string* path) {
  std::string mp = TracefsFromProcMounts();
  if (mp.empty()) {
    for (const char* cand : {kDefaultTracefs, "/sys/kernel/debug/tracing"}) {
      if (IsTracefs(cand)) {
        mp = cand;
        break;
      }
    }
  }
  if (mp.empty()) {
    if (mount("nodev", kDefaultTracefs, "tracefs", 0, nullptr) != 0) {
      int err = errno;
      // Lost a race with another mounter: accept what is there now.
      if (!(err == EBUSY && IsTracefs(kDefaultTracefs))) return -err;
    }
    if (!IsTracefs(kDefaultTracefs)) return -ENODEV;
    mp = kDefaultTracefs;
  }
  *path = std::move(mp);
  return 0;
}

int ListCategories(const std::string& tracefs, std::vector<std::string>* out) {
  return ListSubdirs(tracefs + "/events", out);
}

int ListEvents(const std::string& tracefs, const std::string& category,
               std::vector<std::string>* out) {
  out->clear();
  if (!IsSafePathComponent(category)) return -EINVAL;
  return ListSubdirs(tracefs + "/events/" + category, out);
}

int TracepointId(const std::string& tracefs, const std::string& category, const std::string& name) {
  if (!IsSafePathComponent(category) || !IsSafePathComponent(name)) return -EINVAL;
  std::string text;
  int r = ReadFile(tracefs + "/events/" + category + "/" + name + "/id", &text);
  if (r < 0) return r;
  char* end = nullptr;
  errno = 0;
  long id = std::strtol(text.c_str(), &end, 10);
  if (errno != 0 || end == text.c_str() || id < 0 || id > 0x7fffffffL) return -EINVAL;
  return static_cast<int>(id);
}

namespace {
bool IsControl(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }
}  // namespace

bool IsProbeToken(std::string_view s) {
  for (char c : s)
    if (c == ' ' || IsControl(c)) return false;  // every isspace byte but ' ' is a control byte
  return !s.empty();
}

int AddProbeEvent(const std::string& tracefs, ProbeKind kind, std::string_view definition) {
  for (char c : definition)
    if (IsControl(c)) return -EINVAL;
  if (definition.empty()) return -EINVAL;
  return WriteFile(tracefs + ProbeEventsFile(kind), definition, /*append=*/true);
}

int RemoveProbeEvent(const std::string& tracefs, ProbeKind kind, std::string_view group,
                     std::string_view event) {
  if (!IsSafePathComponent(group) || !IsSafePathComponent(event)) return -EINVAL;
  std::string cmd = "-:";
  cmd.append(group).append("/").append(event);
  return WriteFile(tracefs + ProbeEventsFile(kind), cmd, /*append=*/true);
}

// The perf event release that drops the last user can trail the close(2) slightly.
int RemoveProbeEventRetrying(const std::string& tracefs, ProbeKind kind, const std::string& group,
                             const std::string& event) {
  if (!IsSafePathComponent(group) || !IsSafePathComponent(event)) return -EINVAL;
  return RemoveDynamicEvent(tracefs + ProbeEventsFile(kind), group + "/" + event);
}

int RemoveDynamicEvent(const std::string& events_file, std::string_view name) {
  for (char c : name)
    if (IsControl(c) || c == ' ') return -EINVAL;
  if (name.empty()) return -EINVAL;
  const std::string cmd = "-:" + std::string(name);
  int r = 0;
  for (int attempt = 0; attempt < 20; ++attempt) {
    r = WriteFile(events_file, cmd, /*append=*/true);
    if (r != -EBUSY) break;
    SleepMs(attempt < 5 ? 1 : 20);
  }
  return r;
}

std::string TracefsAt(std::string_view named) {
  std::string n(named);
  if (IsTracefs(n)) return n;
  // Every forwarded file operation asks: the last answer stands while it is still a tracefs
  // (two statfs calls, not a read of /proc/mounts each time).
  static thread_local std::string last;
  if (!last.empty() && IsTracefs(last)) return last;
  std::string found;
  if (FindTracefs(&found) < 0) return n;
  last = found;
  return found;
}

bool IsTracefsFile(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash != std::string::npos && IsTracefs(slash == 0 ? "/" : path.substr(0, slash));
}

}  // namespace bpfd
