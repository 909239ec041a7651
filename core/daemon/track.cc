// Recording what the forwarding commands make; see track.h.
#include "core/daemon/track.h"

#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/base/file_io.h"
#include "core/kernel/probe_events.h"
#include "core/kernel/tracefs.h"

namespace bpfd {
namespace {

constexpr size_t kMaxKnob = 1u << 20;

// The real path (symlinks resolved) when it exists, else path as given.
std::string RealPath(const std::string& path) {
  char buf[PATH_MAX];
  return realpath(path.c_str(), buf) ? std::string(buf) : path;
}

std::string_view Base(std::string_view path) { return path.substr(path.rfind('/') + 1); }

bool EventsFile(std::string_view path) {
  std::string_view b = Base(path);
  return b == "kprobe_events" || b == "uprobe_events" || b == "dynamic_events";
}

// Files written for their effect on a buffer, not to set something: nothing to restore.
bool BufferFile(std::string_view path) {
  std::string_view b = Base(path);
  return b == "trace" || b == "trace_marker" || b == "trace_marker_raw" || b == "free_buffer";
}

std::string EventName(const ProbeEventEdit& e) {
  return e.group.empty() ? e.event : e.group + "/" + e.event;
}

bool Listed(const std::vector<std::pair<std::string, std::string>>& listing,
            const ProbeEventEdit& e) {
  return std::any_of(listing.begin(), listing.end(), [&](const auto& l) {
    return l.second == e.event && (e.group.empty() || l.first == e.group);
  });
}

std::vector<std::pair<std::string, std::string>> Listing(const std::string& file) {
  std::string text;
  if (ReadFile(file, &text) < 0) return {};
  return ListedProbeEvents(text);
}

uint32_t AttrU32(const BpfCall& call, size_t off) {
  uint32_t v = 0;
  if (call.attr().size() >= off + sizeof(v)) std::memcpy(&v, call.attr().data() + off, sizeof(v));
  return v;
}

// The pin's path (absolute), from the attr's pathname buffer: "" when there is none.
std::string PinPath(const BpfCall& call) {
  for (const SysBpfBuffer& b : call.buffers()) {
    if (b.slot.parent != -1 || b.slot.off != offsetof(bpf_attr, pathname)) continue;
    std::string p(b.data.begin(), std::find(b.data.begin(), b.data.end(), uint8_t{0}));
    if (p.empty()) return p;
    if (p[0] != '/') {
      char cwd[PATH_MAX];
      if (!getcwd(cwd, sizeof(cwd))) return {};
      p = std::string(cwd) + "/" + p;
    }
    return p;
  }
  return {};
}

// The cgroup directory an fd is open on: "" when it is not one.
std::string CgroupPath(int fd) {
  struct statfs st;
  if (fstatfs(fd, &st) != 0) return {};
  constexpr long kCgroup2 = 0x63677270, kCgroup1 = 0x27e0eb;  // <linux/magic.h>
  if (static_cast<long>(st.f_type) != kCgroup2 && static_cast<long>(st.f_type) != kCgroup1)
    return {};
  char link[40], target[PATH_MAX];
  std::snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, target, sizeof(target) - 1);
  return n > 0 && target[0] == '/' ? std::string(target, static_cast<size_t>(n)) : std::string();
}

uint32_t ProgId(int fd) {
  bpf_prog_info info;
  std::memset(&info, 0, sizeof(info));
  bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.info.bpf_fd = static_cast<uint32_t>(fd);
  attr.info.info_len = sizeof(info);
  attr.info.info = reinterpret_cast<uintptr_t>(&info);
  return syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)) == 0 ? info.id : 0;
}

}  // namespace

int TrackFileOpen(Session& s, const std::string& path, int flags) {
  const std::string real = RealPath(path);
  if (EventsFile(real) && (flags & O_TRUNC)) {
    std::fprintf(stderr,
                 "bpfd: FILE_OPEN %s with O_TRUNC refused (it would delete every idle event "
                 "on the system; remove events by name with -:group/event)\n",
                 Base(real).data());
    return -EACCES;
  }
  const bool write = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
  // Under the policy no knob is writable (file_policy.cc); unrestricted, any is.
  if (!write || !s.unrestricted() || !s.kernel_enabled() || EventsFile(real) || BufferFile(real) ||
      s.HasKnob(real) || !IsTracefsFile(real))
    return 0;
  std::string original;
  if (ReadFile(real, &original, kMaxKnob) >= 0)
    s.RecordMade({JournalEntry::Type::kKnob, real, original});
  return 0;
}

ssize_t TrackedWrite(Session& s, const std::string& path, int fd, std::string_view data) {
  std::vector<ProbeEventEdit> edits;
  std::string file;
  if (EventsFile(path)) {
    file = RealPath(path);
    edits = Base(file) == "dynamic_events"
                ? ParseDynamicEventWrite(data)
                : ParseProbeEventWrite(data, Base(file) == "kprobe_events" ? ProbeKind::kKprobe
                                                                           : ProbeKind::kUprobe);
  }
  const bool adds = std::any_of(edits.begin(), edits.end(), [](auto& e) { return e.add; });
  const auto before = adds ? Listing(file) : decltype(Listing(file)){};
  // Named definitions are journalled before the kernel makes them (an existing name is not
  // this write's: the write fails with -EEXIST and the event is another's).
  std::vector<JournalEntry> recorded;
  for (const ProbeEventEdit& e : edits) {
    if (!e.add || e.event.empty() || Listed(before, e)) continue;
    JournalEntry j{JournalEntry::Type::kEvent, file, EventName(e)};
    if (s.RecordMade(j)) recorded.push_back(std::move(j));
  }
  ssize_t n;
  do {
    n = write(fd, data.data(), data.size());
  } while (n < 0 && errno == EINTR);
  const int err = errno;
  if (edits.empty()) return n < 0 ? -err : n;
  const auto after = Listing(file);
  if (n < 0) {  // the lines before the failing one took effect: only the others are forgotten
    for (const JournalEntry& j : recorded) {
      auto e = std::find_if(edits.begin(), edits.end(), [&](const ProbeEventEdit& e) {
        return e.add && EventName(e) == j.name;
      });
      if (!Listed(after, *e)) s.ForgetMade(j);
    }
  }
  for (const ProbeEventEdit& e : edits)
    if (!e.add && (n >= 0 || !Listed(after, e))) s.ForgetEvent(EventName(e));
  // Definitions the kernel names: the new entries of their group, recorded after the fact.
  for (const auto& listed : after) {
    bool unnamed = std::any_of(edits.begin(), edits.end(), [&](const ProbeEventEdit& e) {
      return e.add && e.event.empty() && (e.group.empty() || e.group == listed.first);
    });
    if (unnamed && std::find(before.begin(), before.end(), listed) == before.end())
      s.RecordMade({JournalEntry::Type::kEvent, file, listed.first + "/" + listed.second});
  }
  return n < 0 ? -err : n;
}

long TrackedBpf(Session& s, int cmd, BpfCall& call, const std::function<long()>& run) {
  if (!s.unrestricted()) return run();  // the policy refuses pins and legacy attachments
  JournalEntry j;
  bool recorded = false;
  if (cmd == BPF_OBJ_PIN) {
    j = {JournalEntry::Type::kPin, PinPath(call), ""};
    recorded = !j.path.empty() && s.RecordMade(j);
  } else if (cmd == BPF_PROG_ATTACH || cmd == BPF_PROG_DETACH) {
    j = {JournalEntry::Type::kCgroup,
         CgroupPath(static_cast<int>(AttrU32(call, offsetof(bpf_attr, target_fd)))), ""};
    j.attach_type = AttrU32(call, offsetof(bpf_attr, attach_type));
    j.prog_id = ProgId(static_cast<int>(AttrU32(call, offsetof(bpf_attr, attach_bpf_fd))));
    recorded = cmd == BPF_PROG_ATTACH && !j.path.empty() && j.prog_id != 0 && s.RecordMade(j);
  }
  long res = run();
  if (recorded && res < 0) s.ForgetMade(j);
  if (cmd == BPF_PROG_DETACH && res == 0 && !j.path.empty()) s.ForgetMade(j);
  return res;
}

}  // namespace bpfd
