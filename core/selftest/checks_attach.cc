// The selftest's attach checks: each loads a tiny raw-bytecode program, attaches it the way a
// tracing tool would, triggers it from this process and checks that it ran. Everything is
// RAII-owned and released before the check returns.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "core/base/unique_fd.h"
#include "core/kernel/attached_probe.h"
#include "core/kernel/bpf_insns.h"
#include "core/kernel/perf_buffer.h"
#include "core/kernel/usyms.h"
#include "core/selftest/checks.h"

// The uprobe check's target: a real function of this binary, found through its runtime address
// and /proc/self/maps (never its symbol), so it works on the stripped release binary too.
extern "C" __attribute__((noinline)) int bpfd_selftest_uprobe_target(int x) {
  asm volatile("" ::: "memory");
  return x * 3 + 1;
}

namespace bpfd::selftest {
namespace {

using namespace insn;

constexpr uint64_t kMagic = 0x62706664'5e1f7e57ULL;
constexpr int kTriggers = 3;

void TriggerGetpid() {
  for (int i = 0; i < kTriggers; ++i) syscall(SYS_getpid);
}

// Runs this thread on CPU 0 for the object's lifetime: the tracepoint and kprobe attach
// helpers open their perf event on CPU 0 only.
class PinCpu0 {
 public:
  PinCpu0() {
    CPU_ZERO(&saved_);
    if (sched_getaffinity(0, sizeof(saved_), &saved_) != 0) return;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    ok_ = sched_setaffinity(0, sizeof(one), &one) == 0;
  }
  ~PinCpu0() {
    if (ok_) sched_setaffinity(0, sizeof(saved_), &saved_);
  }
  bool ok() const { return ok_; }

 private:
  cpu_set_t saved_;
  bool ok_ = false;
};

// An array map with one u64 counter and a program (of any tracing type) that increments it.
struct Counter {
  UniqueFd map, prog;

  int Load(bpf_prog_type type, const char* name) {
    int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bpfd_st_count", 4, 8, 1, nullptr);
    if (fd < 0) return fd;
    map.reset(fd);
    std::vector<bpf_insn> p;
    CountIntoSlot0(&p, map.get());
    fd = bpf_prog_load(type, name, "GPL", p.data(), p.size(), nullptr);
    if (fd < 0) return fd;
    prog.reset(fd);
    return 0;
  }
  uint64_t Read() const {
    uint32_t key = 0;
    uint64_t v = 0;
    return bpf_map_lookup_elem(map.get(), &key, &v) == 0 ? v : 0;
  }
};

// "fired N times" or a FAIL saying the attach did nothing.
SelftestCheck FiredOrNot(std::string_view name, const Counter& c, const std::string& where) {
  uint64_t n = c.Read();
  if (n == 0) return Fail(name, "attached to " + where + " but the program never ran");
  return Pass(name, "attached to " + where + "; the program ran " + std::to_string(n) + " times");
}

std::string EventName(const char* what) {
  return std::string("bpfd_st_") + what + std::to_string(getpid());
}

// The output program: on our own process's syscall, emits {kMagic, pid_tgid} to the
// PERF_EVENT_ARRAY slot of the current CPU.
std::vector<bpf_insn> OutputProgram(int map_fd, uint32_t tgid) {
  std::vector<bpf_insn> p;
  p.push_back(Mov64Reg(BPF_REG_6, BPF_REG_1));
  p.push_back(Call(BPF_FUNC_get_current_pid_tgid));
  p.push_back(Mov64Reg(BPF_REG_7, BPF_REG_0));
  p.push_back(Alu64Imm(BPF_RSH, BPF_REG_0, 32));
  size_t skip = p.size();
  p.push_back(JmpImm(BPF_JNE, BPF_REG_0, static_cast<int32_t>(tgid), 0));
  LdImm64(&p, BPF_REG_1, kMagic);
  p.push_back(StxMem(BPF_DW, BPF_REG_10, BPF_REG_1, -16));
  p.push_back(StxMem(BPF_DW, BPF_REG_10, BPF_REG_7, -8));
  p.push_back(Mov64Reg(BPF_REG_1, BPF_REG_6));
  LdMapFd(&p, BPF_REG_2, map_fd);
  LdImm64(&p, BPF_REG_3, BPF_F_CURRENT_CPU);
  p.push_back(Mov64Reg(BPF_REG_4, BPF_REG_10));
  p.push_back(Alu64Imm(BPF_ADD, BPF_REG_4, -16));
  p.push_back(Mov64Imm(BPF_REG_5, 16));
  p.push_back(Call(BPF_FUNC_perf_event_output));
  p[skip].off = static_cast<int16_t>(p.size() - (skip + 1));
  p.push_back(Mov64Imm(BPF_REG_0, 0));
  p.push_back(Exit());
  return p;
}

std::string PerfFix(int err) {
  if (err == -EACCES || err == -EPERM)
    return "; fix: run as root, or lower /proc/sys/kernel/perf_event_paranoid";
  return "";
}

}  // namespace

SelftestCheck CheckTracepointRoundTrip(const Env& env) {
  constexpr const char* kName = "tracepoint";
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu < 1) return Fail(kName, "cannot count the possible CPUs: " + ErrnoText(ncpu));
  int fd = bpf_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "bpfd_st_events", 4, 4,
                          static_cast<uint32_t>(ncpu), nullptr);
  if (fd < 0) return Fail(kName, "perf event array create failed: " + ErrnoText(fd));
  UniqueFd map(fd);
  std::unique_ptr<PerfBuffer> pb;
  int r = PerfBuffer::Open(-1, 0, 1, &pb);
  if (r < 0) return Fail(kName, "perf buffer open failed: " + ErrnoText(r) + PerfFix(r));
  uint32_t key = 0, val = static_cast<uint32_t>(pb->fd());
  if (bpf_map_update_elem(map.get(), &key, &val, BPF_ANY) != 0)
    return Fail(kName, "storing the perf buffer in the map failed: " + ErrnoText(errno));
  std::vector<bpf_insn> p = OutputProgram(map.get(), static_cast<uint32_t>(getpid()));
  fd =
      bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "bpfd_st_output", "GPL", p.data(), p.size(), nullptr);
  if (fd < 0) return Fail(kName, "perf output program rejected: " + ErrnoText(fd));
  UniqueFd prog(fd);

  PinCpu0 pin;
  if (!pin.ok()) return Skip(kName, "cannot run this thread on CPU 0, where the event is opened");
  // syscalls:sys_enter_getpid needs CONFIG_FTRACE_SYSCALLS; raw_syscalls:sys_enter does not.
  std::string where = "syscalls:sys_enter_getpid";
  std::unique_ptr<AttachedProbe> probe;
  r = AttachTracepoint(prog.get(), "syscalls", "sys_enter_getpid", &probe, {env.tracefs});
  if (r == -ENOENT) {
    where = "raw_syscalls:sys_enter";
    r = AttachTracepoint(prog.get(), "raw_syscalls", "sys_enter", &probe, {env.tracefs});
  }
  if (r < 0) {
    std::string why = NotSet(env, "BPF_EVENTS");
    return Fail(kName, "attaching to " + where + " failed: " + ErrnoText(r) +
                           (why.empty() ? "" : " (" + why + ")") + PerfFix(r));
  }
  TriggerGetpid();
  struct pollfd pfd = {pb->fd(), POLLIN, 0};
  poll(&pfd, 1, 1000);
  int good = 0, bad = 0;
  const uint64_t self = static_cast<uint64_t>(getpid()) << 32;
  r = pb->Drain([&](const uint8_t* data, uint32_t size) {
    uint64_t s[2];
    if (size < sizeof(s)) return void(++bad);
    std::memcpy(s, data, sizeof(s));
    (s[0] == kMagic && (s[1] & ~0xffffffffULL) == self) ? ++good : ++bad;
  });
  probe.reset();
  if (r < 0) return Fail(kName, "the perf buffer ring is corrupt: " + ErrnoText(r));
  if (good == 0)
    return Fail(kName,
                "attached to " + where + " but no sample came back through the perf buffer (" +
                    std::to_string(bad) + " malformed, " + std::to_string(pb->lost()) + " lost)");
  return Pass(kName, "attached to " + where + "; " + std::to_string(good) +
                         " samples came back through the perf buffer");
}

SelftestCheck CheckKprobe(const Env& env) {
  constexpr const char* kName = "kprobe";
  Counter c;
  int r = c.Load(BPF_PROG_TYPE_KPROBE, "bpfd_st_kprobe");
  if (r < 0) return Fail(kName, "kprobe program rejected: " + ErrnoText(r));
  PinCpu0 pin;
  if (!pin.ok()) return Skip(kName, "cannot run this thread on CPU 0, where the event is opened");
  // The getpid syscall's entry, by each architecture's name for it.
  static constexpr const char* kTargets[] = {"__x64_sys_getpid", "__arm64_sys_getpid",
                                             "__se_sys_getpid", "sys_getpid"};
  std::unique_ptr<AttachedProbe> probe;
  std::string where;
  for (const char* fn : kTargets) {
    where = fn;
    r = AttachKprobe(c.prog.get(), false, EventName("k"), fn, &probe, {env.tracefs});
    if (r != -ENOENT && r != -EINVAL) break;
  }
  if (r == -EOPNOTSUPP) {
    std::string why = NotSet(env, "KPROBES");
    return Fail(kName, (why.empty() ? "no kprobe PMU and no kprobe_events (CONFIG_KPROBES off?)"
                                    : why + ": no kprobe PMU and no kprobe_events") +
                           ", so kprobe tools cannot work here; fix: a kernel built with "
                           "CONFIG_KPROBES=y");
  }
  if (r < 0) return Fail(kName, "attaching to " + where + " failed: " + ErrnoText(r) + PerfFix(r));
  TriggerGetpid();
  probe.reset();
  return FiredOrNot(kName, c, where);
}

SelftestCheck CheckUprobe(const Env& env) {
  constexpr const char* kName = "uprobe";
  // Thumb function pointers carry bit 0; the instruction is at the even address.
  auto addr = reinterpret_cast<uintptr_t>(&bpfd_selftest_uprobe_target) & ~uintptr_t{1};
  std::vector<MapEntry> maps;
  int r = ReadProcMaps(getpid(), &maps);
  if (r < 0) return Fail(kName, "cannot read /proc/self/maps: " + ErrnoText(r));
  const MapEntry* m = nullptr;
  for (const MapEntry& e : maps)
    if (addr >= e.start && addr < e.end) m = &e;
  if (!m || m->path.empty() || m->path[0] != '/')
    return Fail(kName, "this binary's code is not a file mapping in /proc/self/maps");
  if (m->deleted) return Skip(kName, "this binary was deleted after it started: " + m->path);
  uint64_t offset = addr - m->start + m->pgoff;
  Counter c;
  r = c.Load(BPF_PROG_TYPE_KPROBE, "bpfd_st_uprobe");
  if (r < 0) return Fail(kName, "uprobe program rejected: " + ErrnoText(r));
  std::unique_ptr<AttachedProbe> probe;
  r = AttachUprobe(c.prog.get(), false, EventName("u"), m->path, offset, getpid(), &probe,
                   {env.tracefs});
  if (r == -EOPNOTSUPP) {
    std::string why = NotSet(env, "UPROBE_EVENTS");
    return Fail(kName, (why.empty() ? "no uprobe PMU and no uprobe_events" : why) +
                           ", so uprobe tools cannot work here; fix: a kernel built with "
                           "CONFIG_UPROBE_EVENTS=y");
  }
  char hex[32];
  std::snprintf(hex, sizeof(hex), ":0x%llx", static_cast<unsigned long long>(offset));
  std::string where = m->path + hex;
  if (r < 0) return Fail(kName, "attaching to " + where + " failed: " + ErrnoText(r) + PerfFix(r));
  int (*volatile target)(int) = bpfd_selftest_uprobe_target;
  int sink = 0;
  for (int i = 0; i < kTriggers; ++i) sink += target(i);
  asm volatile("" ::"r"(sink));
  probe.reset();
  return FiredOrNot(kName, c, where);
}

SelftestCheck CheckRingbuf(const Env&) {
  constexpr const char* kName = "ringbuf";
  int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "bpfd_st_ringbuf", 0, 0,
                          static_cast<uint32_t>(sysconf(_SC_PAGESIZE)), nullptr);
  if (fd == -EINVAL)
    return Fail(kName,
                "the kernel has no BPF ring buffer maps (added in Linux 5.8); tools fall "
                "back to perf buffers");
  if (fd < 0) return Fail(kName, "ring buffer map create failed: " + ErrnoText(fd));
  UniqueFd map(fd);
  std::vector<bpf_insn> p;
  p.push_back(StMem(BPF_DW, BPF_REG_10, -8, 0));
  LdMapFd(&p, BPF_REG_1, map.get());
  p.push_back(Mov64Reg(BPF_REG_2, BPF_REG_10));
  p.push_back(Alu64Imm(BPF_ADD, BPF_REG_2, -8));
  p.push_back(Mov64Imm(BPF_REG_3, 8));
  p.push_back(Mov64Imm(BPF_REG_4, 0));
  p.push_back(Call(BPF_FUNC_ringbuf_output));
  p.push_back(Mov64Imm(BPF_REG_0, 0));
  p.push_back(Exit());
  fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "bpfd_st_ringbuf", "GPL", p.data(), p.size(),
                     nullptr);
  if (fd < 0)
    return Fail(kName, "a program calling bpf_ringbuf_output was rejected: " + ErrnoText(fd));
  close(fd);
  return Pass(kName, "ring buffer map created; bpf_ringbuf_output accepted by the verifier");
}

SelftestCheck CheckRawTracepoint(const Env&) {
  constexpr const char* kName = "raw-tracepoint";
  Counter c;
  int r = c.Load(BPF_PROG_TYPE_RAW_TRACEPOINT, "bpfd_st_rawtp");
  if (r == -EINVAL)
    return Fail(kName, "raw tracepoint programs rejected (EINVAL): kernel older than 4.17?");
  if (r < 0) return Fail(kName, "raw tracepoint program rejected: " + ErrnoText(r));
  int fd = bpf_raw_tracepoint_open("sys_enter", c.prog.get());
  if (fd < 0) return Fail(kName, "BPF_RAW_TRACEPOINT_OPEN sys_enter failed: " + ErrnoText(fd));
  UniqueFd link(fd);
  TriggerGetpid();
  link.reset();
  return FiredOrNot(kName, c, "sys_enter");
}

}  // namespace bpfd::selftest
