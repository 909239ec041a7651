// End-to-end tests against the real kernel (root, outside any sandbox): a Session driven through
// HandleLine loads raw bytecode, attaches it, reads maps and perf samples, and cleans up.
// When bpf() is unusable (EPERM in a sandbox, ENOSYS under qemu-user) every test SKIPs.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/daemon/session.h"
#include "core/kernel/attached_probe.h"
#include "core/kernel/tracefs.h"
#include "core/kernel/usyms.h"
#include "tests/bpf_test_util.h"
#include "tests/testing.h"

using namespace bpfd;
using namespace bpfd::testutil;

namespace {

uint32_t ProgId(int fd) {
  bpf_prog_info info;
  std::memset(&info, 0, sizeof(info));
  uint32_t len = sizeof(info);
  return bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? info.id : 0;
}

uint32_t MapId(int fd) {
  bpf_map_info info;
  std::memset(&info, 0, sizeof(info));
  uint32_t len = sizeof(info);
  return bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? info.id : 0;
}

// Objects are freed asynchronously after the last reference goes: wait up to 3 s for ENOENT.
bool GoneById(uint32_t id, bool prog) {
  for (int i = 0; i < 300; ++i) {
    int fd = prog ? bpf_prog_get_fd_by_id(id) : bpf_map_get_fd_by_id(id);
    if (fd < 0) return fd == -ENOENT;
    close(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

constexpr int kMagic = 0x5a5a5a5a;

// hash[*(u32 *)(fp - 4)] += 1 (atomically), or = 1 when absent; then goes to label `done`
// (which the caller binds). Uses label `init`, r0-r4 and the 8 bytes at fp-16.
void CountAtFpMinus4(Asm& a, int hash_fd, int init, int done) {
  a.LdMapFd(1, hash_fd)
      .MovReg(2, 10)
      .AddImm(2, -4)
      .Call(BPF_FUNC_map_lookup_elem)
      .JeqImm(0, 0, init)
      .MovImm(1, 1)
      .AtomicAddDw(0, 1, 0)
      .Ja(done)
      .Bind(init)
      .StDw(10, -16, 1)
      .LdMapFd(1, hash_fd)
      .MovReg(2, 10)
      .AddImm(2, -4)
      .MovReg(3, 10)
      .AddImm(3, -16)
      .MovImm(4, BPF_ANY)
      .Call(BPF_FUNC_map_update_elem);
}

// Tracepoint program: for our tgid only, counts into hash[tgid] (lookup + atomic add, or
// insert 1) and emits an 8-byte sample {tgid, kMagic} to the perf event array.
std::string CountAndEmitProg(int hash_fd, int perf_fd, uint32_t tgid) {
  enum { kOut, kInit, kEmit };
  Asm a;
  a.MovReg(6, 1)
      .Call(BPF_FUNC_get_current_pid_tgid)
      .RshImm(0, 32)
      .MovReg(7, 0)
      .JneImm(7, static_cast<int32_t>(tgid), kOut)
      .StxW(10, 7, -4);
  CountAtFpMinus4(a, hash_fd, kInit, kEmit);
  a.Bind(kEmit)
      .StxW(10, 7, -24)
      .StW(10, -20, kMagic)
      .MovReg(1, 6)
      .LdMapFd(2, perf_fd)
      .LdImm64(3, BPF_F_CURRENT_CPU)
      .MovReg(4, 10)
      .AddImm(4, -24)
      .MovImm(5, 8)
      .Call(BPF_FUNC_perf_event_output)
      .Bind(kOut)
      .MovImm(0, 0)
      .Exit();
  return a.Bytes();
}

// Kprobe-type program (for uprobes): counts into hash[key].
std::string CountProg(int hash_fd, uint32_t key) {
  enum { kOut, kInit };
  Asm a;
  a.StW(10, -4, static_cast<int32_t>(key));
  CountAtFpMinus4(a, hash_fd, kInit, kOut);
  a.Bind(kOut).MovImm(0, 0).Exit();
  return a.Bytes();
}

uint64_t LoadU64(const std::vector<uint8_t>& v) {
  uint64_t x = 0;
  if (v.size() == 8) std::memcpy(&x, v.data(), 8);
  return x;
}

}  // namespace

extern "C" __attribute__((noinline, used)) int BpfdUprobeTarget(int x) {
  asm volatile("" ::: "memory");
  return x + 1;
}

TEST(TracepointCountsIntoMapAndEmitsSamples) {
  REQUIRE_BPF();
  uint32_t prog_id = 0, hash_id = 0, perf_id = 0;
  {
    Session s;
    const uint32_t tgid = static_cast<uint32_t>(getpid());
    std::vector<int> cpus;
    EXPECT_EQ(OnlineCpus(&cpus), 0);
    int ncpu_possible = libbpf_num_possible_cpus();
    EXPECT(ncpu_possible > 0);

    long long hash = Ret(s, "BPF_CREATE_MAP 1 counts 4 8 64 0");
    long long perf = Ret(s, "BPF_CREATE_MAP 4 events 4 4 " + std::to_string(ncpu_possible) + " 0");
    EXPECT(hash >= 0);
    EXPECT(perf >= 0);
    std::string code = CountAndEmitProg(static_cast<int>(hash), static_cast<int>(perf), tgid);
    auto load = Cmd(s, ProgLoadLine(BPF_PROG_TYPE_TRACEPOINT, "getpid_count", code));
    long long prog = RetOf(load);
    if (prog < 0)
      for (auto& l : load) std::printf("  verifier: %s\n", l.c_str());
    EXPECT(prog >= 0);
    if (hash < 0 || perf < 0 || prog < 0) return;
    prog_id = ProgId(static_cast<int>(prog));
    hash_id = MapId(static_cast<int>(hash));
    perf_id = MapId(static_cast<int>(perf));
    EXPECT(prog_id && hash_id && perf_id);

    // One perf buffer per online CPU, stored in the perf event array.
    std::vector<long long> bufs;
    std::string poll_fds;
    for (int cpu : cpus) {
      long long b = Ret(s, "BPF_OPEN_PERF_BUFFER -1 " + std::to_string(cpu) + " 8");
      EXPECT(b >= 0);
      if (b < 0) return;
      bufs.push_back(b);
      poll_fds += " " + std::to_string(b);
      EXPECT_EQ(Ret(s, "BPF_UPDATE_ELEM " + std::to_string(perf) + " " + B64U32(cpu) + " 4 " +
                           B64U32(static_cast<uint32_t>(b)) + " 4 0"),
                0);
    }

    long long tp =
        Ret(s, "BPF_ATTACH_TRACEPOINT " + std::to_string(prog) + " syscalls sys_enter_getpid");
    if (tp < 0) std::printf("  attach tracepoint: ret=%lld\n", tp);
    EXPECT(tp >= 0);
    if (tp < 0) return;

    constexpr int kCalls = 25;
    for (int i = 0; i < kCalls; ++i) syscall(SYS_getpid);

    // The whole map in one reply: key line, value line.
    auto dump = Cmd(s, "BPF_GET_FIRST_KEY " + std::to_string(hash) + " 4 8 1");
    EXPECT_EQ(dump.size(), 2u);
    uint64_t count = 0;
    if (dump.size() == 2) {
      EXPECT(UnB64(dump[0]) == UnB64(B64U32(tgid)));
      count = LoadU64(UnB64(dump[1]));
      EXPECT(count >= static_cast<uint64_t>(kCalls));
    }
    // The same through lookup.
    auto look = Cmd(s, "BPF_LOOKUP_ELEM " + std::to_string(hash) + " " + B64U32(tgid) + " 4 8");
    EXPECT_EQ(look.size(), 1u);
    if (look.size() == 1) EXPECT(LoadU64(UnB64(look[0])) >= count);

    // Collect the samples.
    std::set<long long> buf_set(bufs.begin(), bufs.end());
    uint64_t samples = 0;
    bool well_formed = true;
    for (int round = 0; round < 20 && samples < count; ++round) {
      auto lines = Cmd(s, "PERF_READER_POLL 200 " + std::to_string(bufs.size()) + poll_fds);
      for (const std::string& l : lines) {
        long long fd = -1, size = -1;
        char b64[256] = {0};
        if (std::sscanf(l.c_str(), "%lld %lld %255s", &fd, &size, b64) != 3) {
          well_formed = false;
          continue;
        }
        std::vector<uint8_t> data = UnB64(b64);
        well_formed = well_formed && buf_set.count(fd) && size >= 8 &&
                      data.size() == static_cast<size_t>(size);
        uint32_t got_tgid = 0, magic = 0;
        if (data.size() >= 8) {
          std::memcpy(&got_tgid, data.data(), 4);
          std::memcpy(&magic, data.data() + 4, 4);
        }
        well_formed = well_formed && got_tgid == tgid && magic == static_cast<uint32_t>(kMagic);
        ++samples;
      }
    }
    EXPECT(well_formed);
    auto lost = Cmd(s, "PERF_READER_LOST");
    EXPECT_EQ(RetOf(lost), 0);
    EXPECT_EQ(lost.size(), bufs.size() + 1);
    uint64_t lost_total = 0;
    for (size_t i = 1; i < lost.size(); ++i)
      lost_total += std::strtoull(lost[i].c_str() + lost[i].find(' '), nullptr, 10);
    EXPECT_EQ(samples + lost_total, count);

    // Detach stops the counting; a second detach says ENOENT.
    EXPECT_EQ(Ret(s, "BPF_DETACH_TRACEPOINT syscalls sys_enter_getpid"), 0);
    EXPECT_EQ(Ret(s, "BPF_DETACH_TRACEPOINT syscalls sys_enter_getpid"), -ENOENT);
    syscall(SYS_getpid);
    auto after = Cmd(s, "BPF_LOOKUP_ELEM " + std::to_string(hash) + " " + B64U32(tgid) + " 4 8");
    EXPECT(after.size() == 1 &&
           LoadU64(UnB64(after[0])) == LoadU64(UnB64(look.empty() ? "" : look[0])));

    // Attach again and leave it attached: the session's end must detach it.
    EXPECT(Ret(s, "BPF_ATTACH_TRACEPOINT " + std::to_string(prog) + " syscalls sys_enter_getpid") >=
           0);
    EXPECT_EQ(Ret(s, "BPF_CLEAR_MAP " + std::to_string(hash) + " 4"), 1);
  }  // ~Session
  EXPECT(prog_id && GoneById(prog_id, true));
  EXPECT(hash_id && GoneById(hash_id, false));
  EXPECT(perf_id && GoneById(perf_id, false));
}

TEST(UprobeFiresDetachesAndLeavesNoEvent) {
  REQUIRE_BPF();
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n <= 0) SKIP("cannot read /proc/self/exe");
  exe[n] = 0;
  uint64_t off = 0;
  int r = UserSymbols::FileOffsetForSymbol(exe, "BpfdUprobeTarget", &off);
  if (r < 0) SKIP("BpfdUprobeTarget not in this binary's symbol table (stripped?)");
  std::string tracefs;
  uint32_t prog_id = 0;
  {
    Session s;
    long long hash = Ret(s, "BPF_CREATE_MAP 1 ucount 4 8 8 0");
    EXPECT(hash >= 0);
    long long prog =
        Ret(s, ProgLoadLine(BPF_PROG_TYPE_KPROBE, "ucount", CountProg(static_cast<int>(hash), 7)));
    EXPECT(prog >= 0);
    if (hash < 0 || prog < 0) return;
    prog_id = ProgId(static_cast<int>(prog));
    std::string attach = "BPF_ATTACH_UPROBE " + std::to_string(prog) + " 0 bpfd_test_uprobe " +
                         exe + " " + std::to_string(off) + " " + std::to_string(getpid());
    long long up = Ret(s, attach);
    if (up == -EOPNOTSUPP) SKIP("uprobes are not supported by this kernel");
    EXPECT(up >= 0);
    if (up < 0) return;
    int sum = 0;
    for (int i = 0; i < 10; ++i) sum += BpfdUprobeTarget(i);
    EXPECT_EQ(sum, 55);
    auto look = Cmd(s, "BPF_LOOKUP_ELEM " + std::to_string(hash) + " " + B64U32(7) + " 4 8");
    EXPECT(look.size() == 1 && LoadU64(UnB64(look[0])) == 10);
    EXPECT_EQ(Ret(s, "BPF_DETACH_UPROBE bpfd_test_uprobe"), 0);
    EXPECT_EQ(Ret(s, "BPF_DETACH_UPROBE bpfd_test_uprobe"), -ENOENT);
    // BCC's order: close the perf fd, then detach by name; both succeed.
    up = Ret(s, attach);
    EXPECT(up >= 0);
    EXPECT_EQ(Ret(s, "BPF_CLOSE_PERF_EVENT_FD " + std::to_string(up)), 0);
    EXPECT_EQ(Ret(s, "BPF_DETACH_UPROBE bpfd_test_uprobe"), 0);
    // And one left attached for the session's end.
    EXPECT(Ret(s, attach) >= 0);
    FindTracefs(&tracefs);
  }
  EXPECT(prog_id && GoneById(prog_id, true));
  std::string events;
  if (!tracefs.empty() && ReadFile(tracefs + "/uprobe_events", &events) >= 0)
    EXPECT(events.find("bpfd_test_uprobe") == std::string::npos);
}

TEST(VerifierLogFollowsRetLine) {
  REQUIRE_BPF();
  Session s;
  Asm a;
  a.Exit();  // r0 never written
  auto lines = Cmd(s, ProgLoadLine(BPF_PROG_TYPE_SOCKET_FILTER, "bad", a.Bytes()));
  EXPECT(!lines.empty() && lines[0].rfind("bpf_prog_load: ret=-", 0) == 0);
  EXPECT_EQ(RetOf(lines), -EACCES);
  EXPECT(lines.size() >= 2);
  bool mentions_r0 = false;
  for (const auto& l : lines)
    mentions_r0 = mentions_r0 || l.find("R0 !read_ok") != std::string::npos;
  EXPECT(mentions_r0);
  // A good program has no log.
  Asm ok;
  ok.MovImm(0, 0).Exit();
  auto good = Cmd(s, ProgLoadLine(BPF_PROG_TYPE_SOCKET_FILTER, "__none__", ok.Bytes()));
  EXPECT_EQ(good.size(), 1u);
  EXPECT(RetOf(good) >= 0);
}

TEST(KernelErrnosComeBack) {
  REQUIRE_BPF();
  Session s;
  EXPECT_EQ(Ret(s, "BPF_CREATE_MAP 1 zero 8 8 0 0"), -EINVAL);
  EXPECT_EQ(Ret(s, "BPF_CREATE_MAP 4000 bad 8 8 1 0"), -EINVAL);
  long long h = Ret(s, "BPF_CREATE_MAP 1 h 8 8 1 0");
  EXPECT(h >= 0);
  std::string hs = std::to_string(h);
  EXPECT_EQ(Ret(s, "BPF_LOOKUP_ELEM " + hs + " " + B64U64(1) + " 8 8"), -ENOENT);
  EXPECT_EQ(Ret(s, "BPF_DELETE_ELEM " + hs + " " + B64U64(1) + " 8"), -ENOENT);
  EXPECT_EQ(Ret(s, "BPF_GET_FIRST_KEY " + hs + " 8 8 0"), -ENOENT);
  EXPECT_EQ(Ret(s, "BPF_GET_FIRST_KEY " + hs + " 8 8 1"), -ENOENT);
  EXPECT_EQ(Ret(s, "BPF_UPDATE_ELEM " + hs + " " + B64U64(1) + " 8 " + B64U64(2) + " 8 0"), 0);
  EXPECT_EQ(Ret(s, "BPF_UPDATE_ELEM " + hs + " " + B64U64(1) + " 8 " + B64U64(2) + " 8 1"),
            -EEXIST);
  EXPECT_EQ(Ret(s, "BPF_UPDATE_ELEM " + hs + " " + B64U64(2) + " 8 " + B64U64(2) + " 8 1"), -E2BIG);
  EXPECT_EQ(Ret(s, "BPF_UPDATE_ELEM " + hs + " " + B64U64(3) + " 8 " + B64U64(2) + " 8 2"),
            -ENOENT);
  EXPECT_EQ(Ret(s, "BPF_GET_NEXT_KEY " + hs + " " + B64U64(1) + " 8"), -ENOENT);
  long long arr = Ret(s, "BPF_CREATE_MAP 2 a 4 8 2 0");
  EXPECT_EQ(Ret(s, "BPF_DELETE_ELEM " + std::to_string(arr) + " " + B64U32(0) + " 4"), -EINVAL);
  EXPECT_EQ(Ret(s, "BPF_CLEAR_MAP " + std::to_string(arr) + " 4"), -EINVAL);
  // Per-CPU values carry every possible CPU's slot, each rounded up to 8 bytes.
  long long pc = Ret(s, "BPF_CREATE_MAP 6 pc 4 4 1 0");
  EXPECT(pc >= 0);
  int ncpu = libbpf_num_possible_cpus();
  std::string vlen = std::to_string(8 * ncpu);
  auto v = Cmd(s, "BPF_LOOKUP_ELEM " + std::to_string(pc) + " " + B64U32(0) + " 4 " + vlen);
  EXPECT(v.size() == 1 && UnB64(v[0]).size() == static_cast<size_t>(8 * ncpu));
  EXPECT_EQ(Ret(s, "BPF_LOOKUP_ELEM " + std::to_string(pc) + " " + B64U32(0) + " 4 4"), -EINVAL);
  // Tracepoint that does not exist.
  Asm ok;
  ok.MovImm(0, 0).Exit();
  long long tp = Ret(s, ProgLoadLine(BPF_PROG_TYPE_TRACEPOINT, "tp", ok.Bytes()));
  EXPECT(tp >= 0);
  EXPECT_EQ(Ret(s, "BPF_ATTACH_TRACEPOINT " + std::to_string(tp) + " no_such_cat no_such_tp"),
            -ENOENT);
  // Kprobes: a clear error either way (this kernel kind has CONFIG_KPROBES off).
  long long kp = Ret(s, ProgLoadLine(BPF_PROG_TYPE_KPROBE, "kp", ok.Bytes()));
  EXPECT(kp >= 0);
  long long k =
      Ret(s, "BPF_ATTACH_KPROBE " + std::to_string(kp) + " 0 bpfd_test_kp no_such_function_xyz");
  EXPECT(k < 0);
}

TEST(BadInputNeverReachesTheKernelWrongly) {
  REQUIRE_BPF();
  Session s;
  long long h = Ret(s, "BPF_CREATE_MAP 1 h 4 8 4 0");
  EXPECT(h >= 0);
  std::string hs = std::to_string(h);
  const std::string k = B64U32(1), v = B64U64(2);
  // Bad base64, decoded length != klen/vlen, klen/vlen != the map's sizes, absurd sizes.
  EXPECT_EQ(Ret(s, "BPF_UPDATE_ELEM " + hs + " AQAAAA=! 4 " + v + " 8 0"), -EINVAL);
  EXPECT_EQ(Ret(s, "BPF_UPDATE_ELEM " + hs + " " + k + " 4 " + v + "= 8 0"), -EINVAL);
  EXPECT_EQ(Ret(s, "BPF_UPDATE_ELEM " + hs + " " + B64U64(1) + " 4 " + v + " 8 0"), -EINVAL);
  EXPECT_EQ(Ret(s, "BPF_UPDATE_ELEM " + hs + " " + B64U64(1) + " 8 " + v + " 8 0"), -EINVAL);
  EXPECT_EQ(Ret(s, "BPF_UPDATE_ELEM " + hs + " " + k + " 4 " + B64U32(2) + " 4 0"), -EINVAL);
  EXPECT_EQ(Ret(s, "BPF_UPDATE_ELEM " + hs + " " + k + " 2000000 " + v + " 8 0"), -EINVAL);
  EXPECT_EQ(Ret(s, "BPF_UPDATE_ELEM " + hs + " " + k + " 4 " + v + " 18446744073709551615 0"),
            -EINVAL);
  EXPECT_EQ(Ret(s, "BPF_LOOKUP_ELEM " + hs + " " + k + " 4 9"), -EINVAL);
  EXPECT_EQ(Ret(s, "BPF_GET_FIRST_KEY " + hs + " 5 8 0"), -EINVAL);
  EXPECT_EQ(Ret(s, "BPF_GET_FIRST_KEY " + hs + " 4 7 1"), -EINVAL);
  // Not a map / not the session's map.
  Asm ok;
  ok.MovImm(0, 0).Exit();
  long long prog = Ret(s, ProgLoadLine(BPF_PROG_TYPE_SOCKET_FILTER, "p", ok.Bytes()));
  EXPECT(prog >= 0);
  EXPECT_EQ(Ret(s, "BPF_UPDATE_ELEM " + std::to_string(prog) + " " + k + " 4 " + v + " 8 0"),
            -EINVAL);
  int foreign = bpf_map_create(BPF_MAP_TYPE_HASH, nullptr, 4, 8, 4, nullptr);
  EXPECT(foreign >= 0);
  EXPECT_EQ(Ret(s, "BPF_UPDATE_ELEM " + std::to_string(foreign) + " " + k + " 4 " + v + " 8 0"),
            -EINVAL);
  EXPECT_EQ(Ret(s, "BPF_CLEAR_MAP " + std::to_string(foreign) + " 4"), -EINVAL);
  EXPECT_EQ(Ret(s, "BPF_ATTACH_TRACEPOINT " + hs + " syscalls sys_enter_getpid"), -EINVAL);
  EXPECT_EQ(Ret(s, "BPF_CLOSE_PERF_EVENT_FD " + std::to_string(foreign)), -EINVAL);
  close(foreign);
  // Poll arguments.
  long long b = Ret(s, "BPF_OPEN_PERF_BUFFER -1 0 1");
  EXPECT(b >= 0);
  std::string bs = std::to_string(b);
  EXPECT_EQ(Ret(s, "PERF_READER_POLL 0 -1 " + bs), -EINVAL);
  EXPECT_EQ(Ret(s, "PERF_READER_POLL 0 2 " + bs), -EINVAL);
  EXPECT_EQ(Ret(s, "PERF_READER_POLL 0 1 " + bs + " " + bs), -EINVAL);
  EXPECT_EQ(Ret(s, "PERF_READER_POLL 0 1 " + hs), -EINVAL);
  EXPECT(Cmd(s, "PERF_READER_POLL 0 1 " + bs).empty());
  EXPECT(Cmd(s, "PERF_READER_POLL 0 2 " + bs + " " + bs).empty());  // duplicates are fine
  // Non-numeric / missing arguments; trailing extras are accepted.
  auto nr1 = Cmd(s, "BPF_LOOKUP_ELEM " + hs + " " + k + " four 8");
  auto nr2 = Cmd(s, "BPF_LOOKUP_ELEM " + hs + " " + k + " 4");
  EXPECT(nr1.size() == 1 && nr1[0] == kNotRecognized);
  EXPECT(nr2.size() == 1 && nr2[0] == kNotRecognized);
  EXPECT_EQ(Ret(s, "BPF_UPDATE_ELEM " + hs + " " + k + " 4 " + v + " 8 0 extra words"), 0);
  // The session still works after all of that.
  auto dump = Cmd(s, "BPF_GET_FIRST_KEY " + hs + " 4 8 1");
  EXPECT(dump.size() == 2 && dump[0] == k && dump[1] == v);
}

TEST(HugeLinesAreOneCommand) {
  REQUIRE_BPF();
  Session s;
  // 1M + 1 instructions: an ~11 MB line the kernel refuses as too big, but one command.
  std::string insns((1u << 20) * 8 + 8, '\0');
  for (size_t i = 0; i < insns.size(); i += 8) insns[i] = static_cast<char>(BPF_JMP | BPF_EXIT);
  std::string line = ProgLoadLine(BPF_PROG_TYPE_SOCKET_FILTER, "big", insns);
  EXPECT(line.size() > 11000000u);
  auto r = Cmd(s, line);
  EXPECT_EQ(r.size(), 1u);
  EXPECT(RetOf(r) < 0);
  // A huge map dump comes back in one linear reply.
  long long h = Ret(s, "BPF_CREATE_MAP 2 big 4 256 20000 0");
  EXPECT(h >= 0);
  auto start = std::chrono::steady_clock::now();
  auto dump = Cmd(s, "BPF_GET_FIRST_KEY " + std::to_string(h) + " 4 256 1");
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(dump.size(), 40000u);
  EXPECT(secs < 5.0);
}

TEST_MAIN()
