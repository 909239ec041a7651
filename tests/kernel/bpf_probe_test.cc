// Real attach tests of core/probe: tracepoint, uprobe (PMU and uprobe_events), kprobe (clean
// "unsupported" where CONFIG_KPROBES is off) and perf events, each counting into an array map.
#include "core/kernel/attached_probe.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "core/kernel/bpf_insns.h"
#include "core/kernel/ksyms.h"
#include "core/kernel/usyms.h"
#include "tests/bpf_test_util.h"
#include "tests/testing.h"

extern "C" __attribute__((noinline, used)) int bpfd_probe_test_target(int x) {
  asm volatile("" ::: "memory");
  return x + 1;
}

namespace {

using namespace bpfd::insn;

int (*volatile g_target)(int) = bpfd_probe_test_target;

uint32_t KernelVersion() {
  struct utsname u;
  unsigned a = 0, b = 0, c = 0;
  if (uname(&u) == 0) sscanf(u.release, "%u.%u.%u", &a, &b, &c);
  return (a << 16) + (b << 8) + (c > 255 ? 255 : c);
}

// A map with one u64 counter and a program of `type` that increments it when the current
// process is this test (so other processes hitting the same probe do not disturb counts).
struct Counter {
  int map_fd = -1;
  int prog_fd = -1;
  std::string log;
  ~Counter() {
    if (prog_fd >= 0) close(prog_fd);
    if (map_fd >= 0) close(map_fd);
  }
  int Load(bpf_prog_type type) {
    map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bpfd_count", 4, 8, 1, nullptr);
    if (map_fd < 0) return map_fd;
    std::vector<bpf_insn> p;
    p.push_back(Call(BPF_FUNC_get_current_pid_tgid));
    p.push_back(Alu64Imm(BPF_RSH, BPF_REG_0, 32));
    p.push_back(JmpImm(BPF_JNE, BPF_REG_0, getpid(), 10));  // to the final "r0 = 0; exit"
    CountIntoSlot0(&p, map_fd);
    LIBBPF_OPTS(bpf_prog_load_opts, opts);
    opts.kern_version = KernelVersion();
    prog_fd = bpf_prog_load(type, "bpfd_count", "GPL", p.data(), p.size(), &opts);
    if (prog_fd < 0) {  // load again with the verifier log, for the test output
      log.assign(1 << 20, '\0');
      opts.log_level = 1;
      opts.log_size = static_cast<uint32_t>(log.size());
      opts.log_buf = log.data();
      int r = bpf_prog_load(type, "bpfd_count", "GPL", p.data(), p.size(), &opts);
      std::printf("prog load: %s; verifier log:\n%s\n", strerror(-prog_fd), log.c_str());
      if (r >= 0) close(r);
    }
    return prog_fd < 0 ? prog_fd : 0;
  }
  uint64_t Get() const {
    uint32_t key = 0;
    uint64_t v = ~0ULL;
    if (bpf_map_lookup_elem(map_fd, &key, &v) != 0) return ~0ULL;
    return v;
  }
};

std::string SelfExe() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

int CountFds() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (readdir(d)) ++n;
    closedir(d);
  }
  return n;
}

std::string Tracefs() {
  std::string t;
  return bpfd::FindTracefs(&t) == 0 ? t : "";
}

bool FileExists(const std::string& p) { return access(p.c_str(), F_OK) == 0; }

void SpinMs(int ms) {
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  volatile uint64_t x = 0;
  do {
    for (int i = 0; i < 10000; ++i) x = x + static_cast<uint64_t>(i);
    clock_gettime(CLOCK_MONOTONIC, &b);
  } while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < ms);
}

}  // namespace

TEST(TracepointCountsThenDetaches) {
  REQUIRE_BPF();
  Counter c;
  EXPECT_EQ(c.Load(BPF_PROG_TYPE_TRACEPOINT), 0);
  std::unique_ptr<bpfd::AttachedProbe> p;
  int r = bpfd::AttachTracepoint(c.prog_fd, "syscalls", "sys_enter_getpid", &p);
  if (r == -ENOENT) SKIP("no syscalls:sys_enter_getpid tracepoint (CONFIG_FTRACE_SYSCALLS off)");
  EXPECT_EQ(r, 0);
  if (r != 0) return;
  EXPECT(p->fd() >= 0);
  EXPECT(p->type() == bpfd::ProbeType::kTracepoint);
  EXPECT_EQ(p->key(), std::string("syscalls:sys_enter_getpid"));
  EXPECT_EQ(p->key(), bpfd::TracepointKey("syscalls", "sys_enter_getpid"));
  for (int i = 0; i < 5; ++i) syscall(SYS_getpid);
  EXPECT_EQ(c.Get(), 5u);
  EXPECT_EQ(p->Detach(), 0);
  EXPECT_EQ(p->fd(), -1);
  EXPECT_EQ(p->Detach(), 0);  // idempotent
  for (int i = 0; i < 3; ++i) syscall(SYS_getpid);
  EXPECT_EQ(c.Get(), 5u);
  // Destruction alone detaches too.
  EXPECT_EQ(bpfd::AttachTracepoint(c.prog_fd, "syscalls", "sys_enter_getpid", &p), 0);
  syscall(SYS_getpid);
  EXPECT_EQ(c.Get(), 6u);
  p.reset();
  syscall(SYS_getpid);
  EXPECT_EQ(c.Get(), 6u);
}

TEST(TracepointErrorsLeakNothing) {
  REQUIRE_BPF();
  Counter tp, kp;
  EXPECT_EQ(tp.Load(BPF_PROG_TYPE_TRACEPOINT), 0);
  EXPECT_EQ(kp.Load(BPF_PROG_TYPE_KPROBE), 0);
  int before = CountFds();
  std::unique_ptr<bpfd::AttachedProbe> p;
  EXPECT_EQ(bpfd::AttachTracepoint(tp.prog_fd, "sched", "no_such_tp_bpfd", &p), -ENOENT);
  EXPECT_EQ(bpfd::AttachTracepoint(tp.prog_fd, "..", "x", &p), -EINVAL);
  EXPECT_EQ(bpfd::AttachTracepoint(kp.prog_fd, "sched", "sched_switch", &p), -EINVAL);
  EXPECT_EQ(bpfd::AttachTracepoint(tp.map_fd, "sched", "sched_switch", &p), -EINVAL);
  EXPECT(p == nullptr);
  EXPECT_EQ(CountFds(), before);
}

TEST(UprobePmuCountsCallsOfThisBinary) {
  REQUIRE_BPF();
  uint64_t off = 0;
  int r = bpfd::UserSymbols::FileOffsetForSymbol(SelfExe(), "bpfd_probe_test_target", &off);
  if (r == -ENOENT) SKIP("test binary has no symbol table");
  EXPECT_EQ(r, 0);
  if (!FileExists("/sys/bus/event_source/devices/uprobe")) SKIP("no uprobe PMU");
  Counter c;
  EXPECT_EQ(c.Load(BPF_PROG_TYPE_KPROBE), 0);
  std::unique_ptr<bpfd::AttachedProbe> p;
  EXPECT_EQ(bpfd::AttachUprobe(c.prog_fd, false, "bpfd_test_up", SelfExe(), off, getpid(), &p), 0);
  if (!p) return;
  EXPECT_EQ(p->key(), std::string("bpfd_test_up"));
  EXPECT(p->type() == bpfd::ProbeType::kUprobe);
  EXPECT(p->dynamic_event().empty());
  for (int i = 0; i < 4; ++i) g_target(i);
  EXPECT_EQ(c.Get(), 4u);
  p.reset();
  g_target(0);
  EXPECT_EQ(c.Get(), 4u);
  // Return probe, all processes (the program filters on our pid).
  EXPECT_EQ(bpfd::AttachUprobe(c.prog_fd, true, "bpfd_test_ur", SelfExe(), off, -1, &p), 0);
  for (int i = 0; i < 3; ++i) g_target(i);
  EXPECT_EQ(c.Get(), 7u);
}

TEST(UprobeViaUprobeEventsRemovesItsEvent) {
  REQUIRE_BPF();
  std::string tfs = Tracefs();
  if (tfs.empty()) SKIP("no tracefs");
  if (!FileExists(tfs + "/uprobe_events")) SKIP("no uprobe_events");
  uint64_t off = 0;
  if (bpfd::UserSymbols::FileOffsetForSymbol(SelfExe(), "bpfd_probe_test_target", &off) != 0) {
    SKIP("test binary has no symbol table");
  }
  Counter c;
  EXPECT_EQ(c.Load(BPF_PROG_TYPE_KPROBE), 0);
  bpfd::ProbeOptions opts;
  opts.api = bpfd::ProbeApi::kTracefs;
  std::unique_ptr<bpfd::AttachedProbe> p;
  EXPECT_EQ(
      bpfd::AttachUprobe(c.prog_fd, false, "bpfd.test/up", SelfExe(), off, getpid(), &p, opts), 0);
  if (!p) return;
  std::string ev = p->dynamic_event();
  EXPECT(ev.rfind("uprobes/bpfd_test_up_", 0) == 0);
  EXPECT(ev.find("_bpfd_" + std::to_string(getpid())) != std::string::npos);
  std::string listing;
  EXPECT_EQ(bpfd::ReadFile(tfs + "/uprobe_events", &listing), 0);
  EXPECT(listing.find(ev) != std::string::npos);
  for (int i = 0; i < 6; ++i) g_target(i);
  EXPECT_EQ(c.Get(), 6u);
  p.reset();
  g_target(0);
  EXPECT_EQ(c.Get(), 6u);
  EXPECT_EQ(bpfd::ReadFile(tfs + "/uprobe_events", &listing), 0);
  EXPECT(listing.find(ev) == std::string::npos);
  // Failure after creating the event (wrong program type) must remove the event again.
  Counter tp;
  EXPECT_EQ(tp.Load(BPF_PROG_TYPE_TRACEPOINT), 0);
  EXPECT_EQ(bpfd::AttachUprobe(tp.prog_fd, false, "bpfd_test_bad", SelfExe(), off, -1, &p, opts),
            -EINVAL);
  EXPECT_EQ(bpfd::ReadFile(tfs + "/uprobe_events", &listing), 0);
  EXPECT(listing.find("bpfd_test_bad_bpfd_" + std::to_string(getpid())) == std::string::npos);
}

TEST(Kprobe) {
  REQUIRE_BPF();
  Counter c;
  EXPECT_EQ(c.Load(BPF_PROG_TYPE_KPROBE), 0);
  bpfd::KernelSymbols ks;
  std::string fn;
  for (const char* cand : {"__x64_sys_getpid", "__arm64_sys_getpid", "sys_getpid"}) {
    uint64_t a;
    if (ks.Lookup(cand, &a) == 0) {
      fn = cand;
      break;
    }
  }
  if (fn.empty()) fn = "sys_getpid";
  std::unique_ptr<bpfd::AttachedProbe> p;
  int r = bpfd::AttachKprobe(c.prog_fd, false, "p_getpid", fn, &p);
  if (r == -EOPNOTSUPP) {
    // Must be the kernel's doing, not ours: neither interface may exist.
    std::string tfs = Tracefs();
    EXPECT(!FileExists("/sys/bus/event_source/devices/kprobe"));
    EXPECT(!tfs.empty() && !FileExists(tfs + "/kprobe_events"));
    EXPECT(p == nullptr);
    SKIP(
        "kprobes unsupported by this kernel: no kprobe PMU and no kprobe_events "
        "(CONFIG_KPROBES off); AttachKprobe returned -EOPNOTSUPP as designed");
  }
  EXPECT_EQ(r, 0);
  if (r != 0) return;
  for (int i = 0; i < 3; ++i) syscall(SYS_getpid);
  EXPECT_EQ(c.Get(), 3u);
  p.reset();
  syscall(SYS_getpid);
  EXPECT_EQ(c.Get(), 3u);
  if (FileExists(Tracefs() + "/kprobe_events")) {
    bpfd::ProbeOptions opts;
    opts.api = bpfd::ProbeApi::kTracefs;
    EXPECT_EQ(bpfd::AttachKprobe(c.prog_fd, true, "r_getpid", fn, &p, opts), 0);
    syscall(SYS_getpid);
    EXPECT_EQ(c.Get(), 4u);
  }
}

TEST(PerfEventSampling) {
  REQUIRE_BPF();
  Counter c;
  EXPECT_EQ(c.Load(BPF_PROG_TYPE_PERF_EVENT), 0);
  std::unique_ptr<bpfd::AttachedProbe> p;
  EXPECT_EQ(bpfd::AttachPerfEvent(c.prog_fd, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, 0, 0,
                                  getpid(), -1, -1, &p),
            -EINVAL);
  // Frequency mode on this thread.
  EXPECT_EQ(bpfd::AttachPerfEvent(c.prog_fd, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, 0, 1000,
                                  getpid(), -1, -1, &p),
            0);
  if (!p) return;
  EXPECT(p->type() == bpfd::ProbeType::kPerfEvent);
  SpinMs(200);
  EXPECT(c.Get() > 0 && c.Get() != ~0ULL);
  p.reset();  // samples may land until here; none after
  uint64_t n = c.Get();
  SpinMs(50);
  EXPECT_EQ(c.Get(), n);
  // Period mode (ns of CPU clock), all online CPUs.
  EXPECT_EQ(bpfd::AttachPerfEvent(c.prog_fd, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, 1000000,
                                  0, -1, -1, -1, &p),
            0);
  SpinMs(200);
  EXPECT(c.Get() > n);
  EXPECT(bpfd::AttachPerfEvent(c.prog_fd, 0x7ffff, 0, 1, 0, -1, 0, -1, &p) < 0);
}

TEST(OnlineCpus) {
  std::vector<int> cpus;
  EXPECT_EQ(bpfd::OnlineCpus(&cpus), 0);
  EXPECT(!cpus.empty());
  EXPECT_EQ(static_cast<long>(cpus.size()), sysconf(_SC_NPROCESSORS_ONLN));
}

TEST_MAIN()
