// Real perf buffer tests: a raw-bytecode tracepoint program on syscalls:sys_enter_getpid calls
// bpf_perf_event_output into a PERF_EVENT_ARRAY holding a PerfBuffer's fd; we drain and check.
#include "core/kernel/perf_buffer.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "core/kernel/attached_probe.h"
#include "core/kernel/bpf_insns.h"
#include "tests/bpf_test_util.h"
#include "tests/testing.h"

namespace {

using namespace bpfd::insn;

constexpr uint64_t kMagic = 0x62706664d00dfeedULL;
constexpr uint32_t kMagic2 = 0x5ca1ab1e;
constexpr uint32_t kSampleSize = 28;  // 4 + 28 is 8-aligned: no padding in the raw size

struct Sample {
  uint64_t magic, pid_tgid, ktime;
  uint32_t magic2;
};

// Pins the test to one CPU for its lifetime so every sample lands in that CPU's buffer.
struct Pinned {
  cpu_set_t saved;
  int cpu = -1;
  Pinned() {
    CPU_ZERO(&saved);
    if (sched_getaffinity(0, sizeof(saved), &saved) != 0) return;
    for (int c = 0; c < CPU_SETSIZE; ++c) {
      if (!CPU_ISSET(c, &saved)) continue;
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(c, &one);
      if (sched_setaffinity(0, sizeof(one), &one) == 0) cpu = c;
      break;
    }
  }
  ~Pinned() { sched_setaffinity(0, sizeof(saved), &saved); }
};

// PERF_EVENT_ARRAY + the output program + a PerfBuffer on the pinned CPU.
struct Rig {
  Pinned pin;
  int map_fd = -1, prog_fd = -1;
  uint64_t want_pid_tgid = 0;  // computed before attaching: getpid() itself would be traced
  std::unique_ptr<bpfd::PerfBuffer> pb;
  std::unique_ptr<bpfd::AttachedProbe> probe;
  ~Rig() {
    probe.reset();
    if (prog_fd >= 0) close(prog_fd);
    if (map_fd >= 0) close(map_fd);
  }
  int Setup(int page_cnt) {
    if (pin.cpu < 0) return -ESRCH;
    want_pid_tgid =
        (static_cast<uint64_t>(getpid()) << 32) | static_cast<uint32_t>(syscall(SYS_gettid));
    int ncpu = libbpf_num_possible_cpus();
    if (ncpu <= pin.cpu) return -EINVAL;
    map_fd = bpf_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "bpfd_events", 4, 4,
                            static_cast<uint32_t>(ncpu), nullptr);
    if (map_fd < 0) return map_fd;
    int r = bpfd::PerfBuffer::Open(-1, pin.cpu, page_cnt, &pb);
    if (r < 0) return r;
    uint32_t key = static_cast<uint32_t>(pin.cpu);
    uint32_t val = static_cast<uint32_t>(pb->fd());
    if (bpf_map_update_elem(map_fd, &key, &val, BPF_ANY) != 0) return -errno;

    std::vector<bpf_insn> p;
    p.push_back(Mov64Reg(BPF_REG_6, BPF_REG_1));  // ctx
    p.push_back(Call(BPF_FUNC_get_current_pid_tgid));
    p.push_back(Mov64Reg(BPF_REG_7, BPF_REG_0));
    p.push_back(Alu64Imm(BPF_RSH, BPF_REG_0, 32));
    size_t skip = p.size();
    p.push_back(JmpImm(BPF_JNE, BPF_REG_0, static_cast<int32_t>(want_pid_tgid >> 32), 0));
    LdImm64(&p, BPF_REG_1, kMagic);
    p.push_back(StxMem(BPF_DW, BPF_REG_10, BPF_REG_1, -32));
    p.push_back(StxMem(BPF_DW, BPF_REG_10, BPF_REG_7, -24));
    p.push_back(Call(BPF_FUNC_ktime_get_ns));
    p.push_back(StxMem(BPF_DW, BPF_REG_10, BPF_REG_0, -16));
    p.push_back(StMem(BPF_W, BPF_REG_10, -8, static_cast<int32_t>(kMagic2)));
    p.push_back(Mov64Reg(BPF_REG_1, BPF_REG_6));
    LdMapFd(&p, BPF_REG_2, map_fd);
    LdImm64(&p, BPF_REG_3, BPF_F_CURRENT_CPU);
    p.push_back(Mov64Reg(BPF_REG_4, BPF_REG_10));
    p.push_back(Alu64Imm(BPF_ADD, BPF_REG_4, -32));
    p.push_back(Mov64Imm(BPF_REG_5, kSampleSize));
    p.push_back(Call(BPF_FUNC_perf_event_output));
    p[skip].off = static_cast<int16_t>(p.size() - (skip + 1));  // jump to the exit below
    p.push_back(Mov64Imm(BPF_REG_0, 0));
    p.push_back(Exit());
    prog_fd =
        bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "bpfd_output", "GPL", p.data(), p.size(), nullptr);
    if (prog_fd < 0) return prog_fd;
    return bpfd::AttachTracepoint(prog_fd, "syscalls", "sys_enter_getpid", &probe);
  }
  // Drains and checks every sample; returns the number of samples (or -errno).
  int DrainChecked(uint64_t* last_ktime, int* bad) {
    return pb->Drain([&](const uint8_t* data, uint32_t size) {
      Sample s;
      if (size != kSampleSize) {
        ++*bad;
        return;
      }
      memcpy(&s, data, kSampleSize);
      if (s.magic != kMagic || s.magic2 != kMagic2 || s.pid_tgid != want_pid_tgid ||
          s.ktime < *last_ktime) {
        ++*bad;
      }
      *last_ktime = s.ktime;
    });
  }
};

}  // namespace

TEST(RejectsBadPageCounts) {
  std::unique_ptr<bpfd::PerfBuffer> pb;
  EXPECT_EQ(bpfd::PerfBuffer::Open(-1, 0, 0, &pb), -EINVAL);
  EXPECT_EQ(bpfd::PerfBuffer::Open(-1, 0, 3, &pb), -EINVAL);
  EXPECT_EQ(bpfd::PerfBuffer::Open(-1, 0, -8, &pb), -EINVAL);
  EXPECT(pb == nullptr);
}

TEST(SamplesArriveIntactThenStopAfterDetach) {
  REQUIRE_BPF();
  Rig rig;
  int r = rig.Setup(8);
  if (r == -ENOENT) SKIP("no syscalls:sys_enter_getpid tracepoint");
  EXPECT_EQ(r, 0);
  if (r != 0) return;
  EXPECT(!rig.pb->HasData());
  for (int i = 0; i < 10; ++i) syscall(SYS_getpid);
  struct pollfd pfd = {rig.pb->fd(), POLLIN, 0};
  EXPECT_EQ(poll(&pfd, 1, 1000), 1);
  EXPECT(rig.pb->HasData());
  uint64_t last = 0;
  int bad = 0;
  EXPECT_EQ(rig.DrainChecked(&last, &bad), 10);
  EXPECT_EQ(bad, 0);
  EXPECT(last != 0);
  EXPECT_EQ(rig.pb->lost(), 0u);
  EXPECT_EQ(rig.DrainChecked(&last, &bad), 0);
  rig.probe.reset();  // detached: no more samples
  for (int i = 0; i < 5; ++i) syscall(SYS_getpid);
  EXPECT_EQ(rig.DrainChecked(&last, &bad), 0);
  EXPECT(!rig.pb->HasData());
}

TEST(RecordsWrappingTheRingEnd) {
  REQUIRE_BPF();
  Rig rig;
  int r = rig.Setup(1);  // one page: 40-byte records straddle its end every ~100 samples
  if (r == -ENOENT) SKIP("no syscalls:sys_enter_getpid tracepoint");
  EXPECT_EQ(r, 0);
  if (r != 0) return;
  uint64_t last = 0;
  int bad = 0, total = 0;
  for (int round = 0; round < 12; ++round) {
    for (int i = 0; i < 37; ++i) syscall(SYS_getpid);
    int n = rig.DrainChecked(&last, &bad);
    EXPECT_EQ(n, 37);
    total += n > 0 ? n : 0;
  }
  EXPECT_EQ(total, 12 * 37);
  EXPECT_EQ(bad, 0);
  EXPECT_EQ(rig.pb->lost(), 0u);
}

TEST(CountsLostSamples) {
  REQUIRE_BPF();
  Rig rig;
  int r = rig.Setup(1);
  if (r == -ENOENT) SKIP("no syscalls:sys_enter_getpid tracepoint");
  EXPECT_EQ(r, 0);
  if (r != 0) return;
  for (int i = 0; i < 200; ++i) syscall(SYS_getpid);  // 8000 bytes into a 4096-byte ring
  uint64_t last = 0;
  int bad = 0;
  int first = rig.DrainChecked(&last, &bad);
  EXPECT(first > 0 && first < 200);
  syscall(SYS_getpid);  // the kernel reports the loss with the next record that fits
  int second = rig.DrainChecked(&last, &bad);
  EXPECT_EQ(second, 1);
  EXPECT_EQ(static_cast<uint64_t>(first) + rig.pb->lost(), 200u);
  EXPECT_EQ(bad, 0);
}

TEST_MAIN()
