// Probe attachment through perf_event_open(2); see attached_probe.h.
#include "core/kernel/attached_probe.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/kernel/perf_event.h"

namespace bpfd {

// Constructs Probes (AttachedProbe's constructor is private so only the factories create them).
struct ProbeBuilder {
  static std::unique_ptr<AttachedProbe> Make(ProbeType type, std::string key) {
    return std::unique_ptr<AttachedProbe>(new AttachedProbe(type, std::move(key)));
  }
  static void AddFd(AttachedProbe* p, UniqueFd fd) { p->fds_.push_back(std::move(fd)); }
  static void SetDynamicEvent(AttachedProbe* p, const std::string& tracefs, ProbeKind kind,
                              const std::string& group, const std::string& event) {
    p->tracefs_ = tracefs;
    p->kind_ = kind;
    p->group_ = group;
    p->event_ = event;
  }
};

namespace {

constexpr const char* kPmuDir = "/sys/bus/event_source/devices/";
constexpr size_t kMaxEventNameLen = 63;  // kernel MAX_EVENT_NAME_LEN (64) minus NUL

// Parses a non-negative decimal integer (surrounding whitespace allowed).
bool ParseUint(const std::string& s, unsigned long* v) {
  const char* p = s.c_str();
  while (*p == ' ' || *p == '\t') ++p;
  if (*p < '0' || *p > '9') return false;
  char* end = nullptr;
  errno = 0;
  *v = std::strtoul(p, &end, 10);
  if (errno) return false;
  while (*end == ' ' || *end == '\n' || *end == '\t') ++end;
  return *end == '\0';
}

// PMU type id from <kPmuDir>/<pmu>/type; -ENOENT when the PMU does not exist.
int ReadPmuType(const char* pmu, uint32_t* type) {
  std::string text;
  int r = ReadFile(std::string(kPmuDir) + pmu + "/type", &text);
  if (r < 0) return r;
  unsigned long v;
  if (!ParseUint(text, &v) || v > 0xffffffffUL) return -EINVAL;
  *type = static_cast<uint32_t>(v);
  return 0;
}

// Bit number of the PMU's "retprobe" format ("config:N").
int ReadRetprobeBit(const char* pmu, int* bit) {
  std::string text;
  int r = ReadFile(std::string(kPmuDir) + pmu + "/format/retprobe", &text);
  if (r < 0) return r;
  if (text.compare(0, 7, "config:") != 0) return -EINVAL;
  unsigned long v;
  if (!ParseUint(text.substr(7), &v) || v > 63) return -EINVAL;
  *bit = static_cast<int>(v);
  return 0;
}

// SET_BPF then ENABLE; the fd is left open (owned by the caller) either way.
int AttachProgToPerfFd(int pfd, int prog_fd) {
  if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog_fd) != 0) return -errno;
  if (ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0) != 0) return -errno;
  return 0;
}

uint32_t Fnv1a(std::string_view s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

// tracefs event names must match [A-Za-z_][A-Za-z0-9_]* and be < 64 chars. We append
// "_bpfd_<pid>" so concurrent daemons (and other tools) never collide; a hash of the original
// name is added whenever sanitising or truncating changed it, to keep distinct keys distinct.
std::string DynamicEventName(const std::string& ev_name) {
  std::string s;
  bool changed = false;
  for (char c : ev_name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    s.push_back(ok ? c : '_');
    changed |= !ok;
  }
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) {
    s.insert(s.begin(), '_');
    changed = true;
  }
  char suffix[48];
  std::snprintf(suffix, sizeof(suffix), "_bpfd_%d", static_cast<int>(getpid()));
  if (s.size() + strlen(suffix) > kMaxEventNameLen) changed = true;
  if (changed) {
    char h[16];
    std::snprintf(h, sizeof(h), "_%08x", Fnv1a(ev_name));
    size_t keep = kMaxEventNameLen - strlen(suffix) - strlen(h);
    if (s.size() > keep) s.resize(keep);
    s += h;
  }
  return s + suffix;
}

int ResolveTracefs(const ProbeOptions& opts, std::string* tracefs) {
  if (!opts.tracefs.empty()) {
    *tracefs = opts.tracefs;
    return 0;
  }
  return FindTracefs(tracefs);
}

// Attach through a kprobe/uprobe PMU. -ENOENT (from reading the PMU type) means "no PMU".
int AttachViaPmu(const char* pmu, int prog_fd, bool retprobe, const char* target, uint64_t offset,
                 int pid, int cpu, AttachedProbe* probe) {
  uint32_t type;
  int r = ReadPmuType(pmu, &type);
  if (r < 0) return r;
  perf_event_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.size = sizeof(attr);
  attr.type = type;
  if (retprobe) {
    int bit;
    r = ReadRetprobeBit(pmu, &bit);
    if (r < 0) return r == -ENOENT ? -EOPNOTSUPP : r;
    attr.config |= 1ULL << bit;
  }
  attr.config1 = reinterpret_cast<uintptr_t>(target);  // kprobe_func / uprobe_path
  attr.config2 = offset;                               // probe_offset
  attr.sample_period = 1;
  attr.wakeup_events = 1;
  int pfd = PerfEventOpen(&attr, pid, cpu, -1);
  if (pfd < 0) return pfd;
  UniqueFd fd(pfd);
  r = AttachProgToPerfFd(fd.get(), prog_fd);
  if (r < 0) return r;
  ProbeBuilder::AddFd(probe, std::move(fd));
  return 0;
}

// Opens PERF_TYPE_TRACEPOINT for a tracefs event id and attaches the program.
int AttachTracepointId(int id, int prog_fd, int pid, int cpu, UniqueFd* out) {
  perf_event_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.size = sizeof(attr);
  attr.type = PERF_TYPE_TRACEPOINT;
  attr.config = static_cast<uint64_t>(id);
  attr.sample_type = PERF_SAMPLE_RAW;
  attr.sample_period = 1;
  attr.wakeup_events = 1;
  int pfd = PerfEventOpen(&attr, pid, cpu, -1);
  if (pfd < 0) return pfd;
  UniqueFd fd(pfd);
  int r = AttachProgToPerfFd(fd.get(), prog_fd);
  if (r < 0) return r;
  *out = std::move(fd);
  return 0;
}

// Legacy path: create <group>/<event> in kprobe_events/uprobe_events, then attach as a
// tracepoint. The event is removed again on any failure. -EOPNOTSUPP if the file is absent.
int AttachViaTracefs(const ProbeOptions& opts, ProbeKind kind, const std::string& ev_name,
                     const std::string& target_def, bool retprobe, int prog_fd, int pid, int cpu,
                     AttachedProbe* probe) {
  std::string tracefs;
  int r = ResolveTracefs(opts, &tracefs);
  if (r < 0) return r;
  const char* file = kind == ProbeKind::kKprobe ? "/kprobe_events" : "/uprobe_events";
  if (access((tracefs + file).c_str(), F_OK) != 0) return errno == ENOENT ? -EOPNOTSUPP : -errno;
  const std::string group = kind == ProbeKind::kKprobe ? "kprobes" : "uprobes";
  const std::string event = DynamicEventName(ev_name);
  std::string def = std::string(retprobe ? "r:" : "p:") + group + "/" + event + " " + target_def;
  if (opts.before_create) opts.before_create(tracefs + file, group + "/" + event);
  r = AddProbeEvent(tracefs, kind, def);
  if (r == -EEXIST) {
    // A leftover with our pid in its name comes from a dead process (we never reuse names).
    if (RemoveProbeEvent(tracefs, kind, group, event) == 0) r = AddProbeEvent(tracefs, kind, def);
  }
  if (r < 0) return r;
  int id = TracepointId(tracefs, group, event);
  UniqueFd fd;
  r = id < 0 ? id : AttachTracepointId(id, prog_fd, pid, cpu, &fd);
  if (r < 0) {
    fd.reset();
    RemoveProbeEventRetrying(tracefs, kind, group, event);
    return r;
  }
  ProbeBuilder::AddFd(probe, std::move(fd));
  ProbeBuilder::SetDynamicEvent(probe, tracefs, kind, group, event);
  return 0;
}

// Whether to go through the PMU named `pmu` ("kprobe"/"uprobe"); -EOPNOTSUPP when opts.api
// demands a PMU this kernel lacks.
int UsePmu(const ProbeOptions& opts, const char* pmu, bool* use) {
  bool have = access((std::string(kPmuDir) + pmu).c_str(), F_OK) == 0;
  if (opts.api == ProbeApi::kPmu && !have) return -EOPNOTSUPP;
  *use = have && opts.api != ProbeApi::kTracefs;
  return 0;
}

}  // namespace

int ParseProbeApi(std::string_view s, ProbeApi* api) {
  *api = s == "pmu" ? ProbeApi::kPmu : s == "tracefs" ? ProbeApi::kTracefs : ProbeApi::kAuto;
  return s.empty() || s == "auto" || s == "pmu" || s == "tracefs" ? 0 : -EINVAL;
}

AttachedProbe::~AttachedProbe() { Detach(); }

std::string AttachedProbe::dynamic_event() const {
  return event_.empty() ? "" : group_ + "/" + event_;
}

int AttachedProbe::Detach() {
  for (auto& fd : fds_) {
    if (fd) ioctl(fd.get(), PERF_EVENT_IOC_DISABLE, 0);
  }
  fds_.clear();  // closes
  int r = 0;
  if (!event_.empty()) {
    r = RemoveProbeEventRetrying(tracefs_, kind_, group_, event_);
    event_.clear();
  }
  return r;
}

std::string TracepointKey(const std::string& category, const std::string& tpname) {
  return category + ":" + tpname;
}

int AttachKprobe(int prog_fd, bool retprobe, const std::string& ev_name, const std::string& fn_name,
                 std::unique_ptr<AttachedProbe>* out, const ProbeOptions& opts) {
  if (!IsProbeToken(fn_name)) return -EINVAL;
  auto probe = ProbeBuilder::Make(ProbeType::kKprobe, ev_name);
  bool pmu;
  int r = UsePmu(opts, "kprobe", &pmu);
  if (r < 0) return r;
  if (pmu) {
    r = AttachViaPmu("kprobe", prog_fd, retprobe, fn_name.c_str(), opts.fn_offset, -1, 0,
                     probe.get());
  } else {
    std::string target = fn_name;
    if (opts.fn_offset) target += "+" + std::to_string(opts.fn_offset);
    r = AttachViaTracefs(opts, ProbeKind::kKprobe, ev_name, target, retprobe, prog_fd, -1, 0,
                         probe.get());
  }
  if (r < 0) return r;
  *out = std::move(probe);
  return 0;
}

int AttachUprobe(int prog_fd, bool retprobe, const std::string& ev_name,
                 const std::string& binary_path, uint64_t offset, int pid,
                 std::unique_ptr<AttachedProbe>* out, const ProbeOptions& opts) {
  if (binary_path.empty() || pid < -1) return -EINVAL;
  auto probe = ProbeBuilder::Make(ProbeType::kUprobe, ev_name);
  int cpu = pid == -1 ? 0 : -1;
  bool pmu;
  int r = UsePmu(opts, "uprobe", &pmu);
  if (r < 0) return r;
  if (pmu) {
    r = AttachViaPmu("uprobe", prog_fd, retprobe, binary_path.c_str(), offset, pid, cpu,
                     probe.get());
  } else {
    // uprobe_events syntax cannot carry whitespace or control bytes in the path.
    if (!IsProbeToken(binary_path)) return -EINVAL;
    char off[32];
    std::snprintf(off, sizeof(off), ":0x%llx", static_cast<unsigned long long>(offset));
    r = AttachViaTracefs(opts, ProbeKind::kUprobe, ev_name, binary_path + off, retprobe, prog_fd,
                         pid, cpu, probe.get());
  }
  if (r < 0) return r;
  *out = std::move(probe);
  return 0;
}

int AttachTracepoint(int prog_fd, const std::string& category, const std::string& tpname,
                     std::unique_ptr<AttachedProbe>* out, const ProbeOptions& opts) {
  if (!IsSafePathComponent(category) || !IsSafePathComponent(tpname)) return -EINVAL;
  std::string tracefs;
  int r = ResolveTracefs(opts, &tracefs);
  if (r < 0) return r;
  int id = TracepointId(tracefs, category, tpname);
  if (id < 0) return id;
  UniqueFd fd;
  r = AttachTracepointId(id, prog_fd, -1, 0, &fd);
  if (r < 0) return r;
  auto probe = ProbeBuilder::Make(ProbeType::kTracepoint, TracepointKey(category, tpname));
  ProbeBuilder::AddFd(probe.get(), std::move(fd));
  *out = std::move(probe);
  return 0;
}

int AttachPerfEvent(int prog_fd, uint32_t type, uint64_t config, uint64_t sample_period,
                    uint64_t sample_freq, int pid, int cpu, int group_fd,
                    std::unique_ptr<AttachedProbe>* out) {
  if (sample_period == 0 && sample_freq == 0) return -EINVAL;
  perf_event_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.size = sizeof(attr);
  attr.type = type;
  attr.config = config;
  if (sample_freq > 0) {
    attr.freq = 1;
    attr.sample_freq = sample_freq;
  } else {
    attr.sample_period = sample_period;
  }
  std::vector<int> cpus;
  if (pid == -1 && cpu == -1) {
    int r = OnlineCpus(&cpus);
    if (r < 0) return r;
  } else {
    cpus.push_back(cpu);
  }
  auto probe = ProbeBuilder::Make(ProbeType::kPerfEvent, "");
  for (int c : cpus) {
    int pfd = PerfEventOpen(&attr, pid, c, group_fd);
    if (pfd < 0) return pfd;  // probe's destructor closes what was opened so far
    UniqueFd fd(pfd);
    int r = AttachProgToPerfFd(fd.get(), prog_fd);
    if (r < 0) return r;
    ProbeBuilder::AddFd(probe.get(), std::move(fd));
  }
  *out = std::move(probe);
  return 0;
}

int OnlineCpus(std::vector<int>* cpus) {
  cpus->clear();
  std::string text;
  int r = ReadFile("/sys/devices/system/cpu/online", &text);
  if (r < 0) return r;
  const char* p = text.c_str();
  while (*p && *p != '\n') {
    char* end;
    long a = std::strtol(p, &end, 10);
    if (end == p || a < 0) return -EINVAL;
    long b = a;
    p = end;
    if (*p == '-') {
      b = std::strtol(p + 1, &end, 10);
      if (end == p + 1 || b < a || b > 1 << 20) return -EINVAL;
      p = end;
    }
    for (long c = a; c <= b; ++c) cpus->push_back(static_cast<int>(c));
    if (*p == ',') ++p;
  }
  return cpus->empty() ? -ENOENT : 0;
}

}  // namespace bpfd
