// RING_MAP/RING_POLL end to end against the real kernel: a tracepoint program (attached the
// way BCC does it, through SYS_PERF_EVENT_OPEN and SYS_IOCTL) writes to a perf event array's
// ring or a BPF ringbuf, and RING_POLL returns the kernel's raw records, whole ones only.
// SKIPs when bpf() is unusable (EPERM in a sandbox, ENOSYS under qemu-user).
#include <fcntl.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "core/daemon/session.h"
#include "core/kernel/perf_event.h"
#include "core/kernel/tracefs.h"
#include "tests/bpf_test_util.h"
#include "tests/testing.h"

using namespace bpfd;
using namespace bpfd::testutil;

namespace {

constexpr int kMagic = 0x6a6a6a6a;
// Our tgid, read once: every getpid(2) of this process fires the programs below.
const uint32_t kTgid = static_cast<uint32_t>(getpid());

std::string N(long long v) { return std::to_string(v); }

// Calls getpid n times from a thread pinned to CPU 0 (the perf events below watch CPU 0).
void GetpidOnCpu0(int n) {
  std::thread t([n] {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    sched_setaffinity(0, sizeof(set), &set);
    for (int i = 0; i < n; ++i) syscall(SYS_getpid);
  });
  t.join();
}

// A tracepoint program: for our tgid only, emits the 8 bytes {tgid, kMagic} with `emit`
// (perf_event_output or ringbuf_output) into map_fd.
std::string EmitProg(int map_fd, bool ringbuf) {
  enum { kOut };
  Asm a;
  a.MovReg(6, 1)
      .Call(BPF_FUNC_get_current_pid_tgid)
      .RshImm(0, 32)
      .JneImm(0, static_cast<int32_t>(kTgid), kOut)
      .StxW(10, 0, -8)
      .StW(10, -4, kMagic);
  if (ringbuf) {
    a.LdMapFd(1, map_fd).MovReg(2, 10).AddImm(2, -8).MovImm(3, 8).MovImm(4, 0).Call(
        BPF_FUNC_ringbuf_output);
  } else {
    a.MovReg(1, 6)
        .LdMapFd(2, map_fd)
        .LdImm64(3, BPF_F_CURRENT_CPU)
        .MovReg(4, 10)
        .AddImm(4, -8)
        .MovImm(5, 8)
        .Call(BPF_FUNC_perf_event_output);
  }
  a.Bind(kOut).MovImm(0, 0).Exit();
  return a.Bytes();
}

long long LoadProg(Session& s, const std::string& code) {
  auto r = SysBpfProgLoad(s, BPF_PROG_TYPE_TRACEPOINT, code, 65536);
  if (r.ret < 0)
    std::printf("  verifier: %s\n", std::string(r.bufs[2].begin(), r.bufs[2].end()).c_str());
  return r.ret;
}

// The session's perf event fd for `attr` on CPU 0 (pid -1), or -errno.
long long PerfOpen(Session& s, const perf_event_attr& attr) {
  return Ret(s, "SYS_PERF_EVENT_OPEN " + B64(&attr, sizeof(attr)) + " -1 0 -1 0");
}

// Attaches prog to syscalls:sys_enter_getpid on CPU 0 as BCC does; the perf event fd or -errno.
long long AttachGetpid(Session& s, long long prog) {
  std::string tracefs, id;
  if (FindTracefs(&tracefs) < 0) return -ENODEV;
  std::string path = tracefs + "/events/syscalls/sys_enter_getpid/id";
  auto rd = Cmd(s, "FILE_READ " + B64(path.data(), path.size()));
  if (RetOf(rd) <= 0 || rd.size() != 2) return -ENOENT;
  auto bytes = UnB64(rd[1]);
  perf_event_attr attr{};
  attr.size = sizeof(attr);
  attr.type = PERF_TYPE_TRACEPOINT;
  attr.config = std::stoull(std::string(bytes.begin(), bytes.end()));
  attr.sample_period = 1;
  attr.wakeup_events = 1;
  long long fd = PerfOpen(s, attr);
  if (fd < 0) return fd;
  long long r = Ret(s, "SYS_IOCTL " + N(fd) + " " + N(PERF_EVENT_IOC_SET_BPF) + " " + N(prog));
  if (r == 0) r = Ret(s, "SYS_IOCTL " + N(fd) + " " + N(PERF_EVENT_IOC_ENABLE) + " 0");
  return r < 0 ? r : fd;
}

// Records of one RING_POLL, concatenated (empty when no ring had data).
std::vector<uint8_t> Poll(Session& s, int timeout_ms, long long fd, uint64_t max) {
  auto lines = Cmd(s, "RING_POLL " + N(timeout_ms) + " " + N(fd) + ":" + std::to_string(max));
  EXPECT(RetOf(lines) == 0 || RetOf(lines) == 1);
  EXPECT_EQ(static_cast<long long>(lines.size()), RetOf(lines) + 1);
  if (lines.size() != 2) return {};
  EXPECT(lines[1].rfind(N(fd) + " ", 0) == 0);
  return UnData(lines[1].substr(lines[1].find(' ') + 1));
}

// Checks one record's 8-byte payload {tgid, kMagic}.
bool IsOurPayload(const uint8_t* p) {
  uint32_t v[2];
  std::memcpy(v, p, 8);
  return v[0] == kTgid && v[1] == static_cast<uint32_t>(kMagic);
}

}  // namespace

TEST(PerfRingMirrorsSamples) {
  REQUIRE_BPF();
  Session s;
  bpf_attr ma{};
  ma.map_type = BPF_MAP_TYPE_PERF_EVENT_ARRAY;
  ma.key_size = ma.value_size = 4;
  ma.max_entries = 1;
  long long map = SysBpf(s, BPF_MAP_CREATE, ma).ret;
  EXPECT(map >= 0);
  perf_event_attr pa = BpfOutputAttr();
  pa.disabled = 1;
  long long pfd = PerfOpen(s, pa);
  EXPECT(pfd >= 0);
  if (map < 0 || pfd < 0) return;
  const long page = sysconf(_SC_PAGESIZE);
  EXPECT_EQ(Ret(s, "RING_MAP " + N(pfd) + " perf " + N(page * 3)), -EINVAL);  // not a power of two
  EXPECT_EQ(Ret(s, "RING_MAP " + N(pfd) + " perf " + N(page * 4)), 0);
  EXPECT_EQ(Ret(s, "RING_MAP " + N(pfd) + " perf " + N(page * 4)), -EBUSY);
  auto id = Cmd(s, "SYS_IOCTL " + N(pfd) + " " + N(PERF_EVENT_IOC_ID) + " 0");
  EXPECT(RetOf(id) == 0 && id.size() == 2 && std::stoull(id[1]) > 0);
  EXPECT_EQ(Ret(s, "SYS_IOCTL " + N(pfd) + " " + N(PERF_EVENT_IOC_ENABLE) + " 0"), 0);
  uint32_t k0 = 0, v = static_cast<uint32_t>(pfd);
  bpf_attr up{};
  up.map_fd = static_cast<uint32_t>(map);
  EXPECT_EQ(SysBpf(s, BPF_MAP_UPDATE_ELEM, up,
                   InBuf(ATTR_SLOT(key), &k0, 4) + InBuf(ATTR_SLOT(value), &v, 4))
                .ret,
            0);
  long long prog = LoadProg(s, EmitProg(static_cast<int>(map), false));
  EXPECT(prog >= 0);
  if (prog < 0) return;
  long long tp = AttachGetpid(s, prog);
  if (tp == -ENOENT || tp == -ENODEV) SKIP("no syscalls:sys_enter_getpid tracepoint");
  EXPECT(tp >= 0);
  EXPECT_EQ(Poll(s, 0, pfd, 1 << 20).size(), 0u);  // nothing yet, no wait

  constexpr int kCalls = 5;
  GetpidOnCpu0(kCalls);
  // PERF_RECORD_SAMPLE: header, u32 raw size, 8 bytes payload, padding to 8: 24 bytes.
  constexpr size_t kRecord = 24;
  int samples = 0;
  for (int round = 0; round < 10 && samples < kCalls; ++round) {
    std::vector<uint8_t> recs = Poll(s, 1000, pfd, 1 << 20);
    for (size_t off = 0; off + sizeof(perf_event_header) <= recs.size();) {
      perf_event_header h;
      std::memcpy(&h, recs.data() + off, sizeof(h));
      EXPECT(h.size >= sizeof(h) && off + h.size <= recs.size());
      if (h.size < sizeof(h) || off + h.size > recs.size()) break;
      if (h.type == PERF_RECORD_SAMPLE) {
        EXPECT_EQ(h.size, kRecord);
        EXPECT(IsOurPayload(recs.data() + off + sizeof(h) + 4));
        ++samples;
      }
      off += h.size;
    }
  }
  EXPECT_EQ(samples, kCalls);

  // Less room than one record: nothing now, the record stays for the next poll.
  GetpidOnCpu0(1);
  EXPECT_EQ(Poll(s, 1000, pfd, kRecord - 8).size(), 0u);
  std::vector<uint8_t> kept = Poll(s, 0, pfd, 1 << 20);
  EXPECT_EQ(kept.size(), kRecord);
  EXPECT(kept.size() == kRecord && IsOurPayload(kept.data() + 12));
  EXPECT_EQ(Ret(s, "RING_POLL 0 " + N(pfd) + ":1 " + N(pfd) + ":2"), -EINVAL);  // twice
  EXPECT_EQ(Ret(s, "RING_POLL 0 0:4096"), -EBADF);  // not the session's ring
  EXPECT_EQ(Ret(s, "SYS_IOCTL 0 " + N(PERF_EVENT_IOC_ENABLE) + " 0"), -EBADF);
  EXPECT_EQ(Ret(s, "SYS_IOCTL " + N(pfd) + " " + N(PERF_EVENT_IOC_SET_FILTER) + " 0"), -ENOTTY);
  EXPECT_EQ(Ret(s, "SYS_CLOSE " + N(pfd)), 0);  // unmaps the ring, then closes
}

TEST(RingbufMirrorsRecords) {
  REQUIRE_BPF();
  Session s;
  const long page = sysconf(_SC_PAGESIZE);
  bpf_attr ma{};
  ma.map_type = BPF_MAP_TYPE_RINGBUF;
  ma.max_entries = static_cast<uint32_t>(page * 4);
  long long map = SysBpf(s, BPF_MAP_CREATE, ma).ret;
  if (map == -EINVAL) SKIP("no BPF ringbuf (kernel before 5.8)");
  EXPECT(map >= 0);
  if (map < 0) return;
  EXPECT_EQ(Ret(s, "RING_MAP " + N(map) + " ringbuf " + N(page * 8)), -EINVAL);  // not its size
  EXPECT_EQ(Ret(s, "RING_MAP " + N(map) + " ringbuf " + N(page * 4)), 0);
  long long prog = LoadProg(s, EmitProg(static_cast<int>(map), true));
  EXPECT(prog >= 0);
  if (prog < 0) return;
  long long tp = AttachGetpid(s, prog);
  if (tp == -ENOENT || tp == -ENODEV) SKIP("no syscalls:sys_enter_getpid tracepoint");
  EXPECT(tp >= 0);

  // A record: u32 len (8), u32 page offset, 8 bytes of data: 16 bytes.
  constexpr size_t kRecord = 16;
  constexpr int kCalls = 5;
  GetpidOnCpu0(kCalls);
  std::vector<uint8_t> recs = Poll(s, 1000, map, 1 << 20);
  EXPECT_EQ(recs.size(), kRecord * kCalls);
  for (size_t off = 0; off + kRecord <= recs.size(); off += kRecord) {
    uint32_t len;
    std::memcpy(&len, recs.data() + off, 4);
    EXPECT_EQ(len, 8u);
    EXPECT(IsOurPayload(recs.data() + off + 8));
  }
  GetpidOnCpu0(2);
  EXPECT_EQ(Poll(s, 1000, map, kRecord - 1).size(), 0u);
  EXPECT_EQ(Poll(s, 0, map, kRecord).size(), kRecord);  // one whole record fits
  EXPECT_EQ(Poll(s, 0, map, 1 << 20).size(), kRecord);  // and the other was kept
}

// A FILE_OPEN'd regular file is no ring: mapping it would let RING_POLL fault past its end
// (SIGBUS) or walk records the file makes up. Both kinds refuse it, before any mmap.
TEST(RingMapRefusesARegularFile) {
  char path[] = "/tmp/bpfd_ring_fileXXXXXX";
  int tmp = mkstemp(path);
  EXPECT(tmp >= 0);
  if (tmp < 0) return;
  const long page = sysconf(_SC_PAGESIZE);
  // A metadata page claiming a far-away head, then a record header of an absurd size.
  std::vector<uint8_t> bytes(static_cast<size_t>(page) * 5, 0);
  uint64_t head = 1ull << 40;
  std::memcpy(bytes.data() + offsetof(perf_event_mmap_page, data_head), &head, 8);
  bytes[static_cast<size_t>(page) + 6] = 0xff;
  EXPECT_EQ(write(tmp, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  close(tmp);
  SessionOptions opts;
  opts.unrestricted = true;  // FILE_OPEN of a path outside tracing
  Session s(opts);
  long long fd = Ret(s, "FILE_OPEN " + Data(path, strlen(path)) + " " + N(O_RDWR) + " 0");
  unlink(path);
  EXPECT(fd >= 0);
  if (fd < 0) return;
  EXPECT_EQ(Ret(s, "RING_MAP " + N(fd) + " perf " + N(page * 4)), -EINVAL);
  if (BpfUnavailable().empty())  // the ringbuf check asks bpf(): ENOSYS under qemu-user
    EXPECT_EQ(Ret(s, "RING_MAP " + N(fd) + " ringbuf " + N(page * 4)), -EINVAL);
  EXPECT_EQ(Ret(s, "RING_POLL 0 " + N(fd) + ":4096"), -EBADF);  // nothing was mapped
}

TEST_MAIN()
