// The forwarding commands (docs/protocol.md "Forwarding") against the real kernel: SYS_BPF's
// generic executor (maps, a rejected program's log, nested info buffers, held BTF), fd ownership,
// SYS_UNAME, FILE_* and a uprobe_events definition the session's end removes.
// SKIPs when bpf() is unusable (EPERM in a sandbox, ENOSYS under qemu-user).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <set>
#include <string>
#include <vector>

#include "core/base/file_io.h"
#include "core/base/sha256.h"
#include "core/daemon/session.h"
#include "core/kernel/tracefs.h"
#include "core/kernel/usyms.h"
#include "core/wire/cached_read.h"
#include "core/wire/tokens.h"
#include "tests/bpf_test_util.h"
#include "tests/testing.h"

using namespace bpfd;
using namespace bpfd::testutil;

namespace {

constexpr uint64_t kClientPtr = 0x7f0000001000;  // a host address the daemon must hand back

std::string Path(const std::string& p) { return Data(p.data(), p.size()); }

std::string Str(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

uint64_t U64At(const std::vector<uint8_t>& v, size_t off) {
  uint64_t x = 0;
  if (v.size() >= off + 8) std::memcpy(&x, v.data() + off, 8);
  return x;
}

// MAP_CREATE through SYS_BPF; the fd (the session's) or -errno.
long long CreateMap(Session& s, uint32_t type, uint32_t ks, uint32_t vs, uint32_t max) {
  bpf_attr attr{};
  attr.map_type = type;
  attr.key_size = ks;
  attr.value_size = vs;
  attr.max_entries = max;
  return SysBpf(s, BPF_MAP_CREATE, attr).ret;
}

// A map element command with its key (and value) buffers; pointer fields hold kClientPtr
// (attr.value only when `value`: DELETE_ELEM wants every field after key zero).
SysBpfReply Elem(Session& s, int cmd, long long map, const std::string& groups, bool value = true) {
  bpf_attr attr{};
  attr.map_fd = static_cast<uint32_t>(map);
  attr.key = kClientPtr;
  if (value) attr.value = kClientPtr + 8;
  return SysBpf(s, cmd, attr, groups);
}

}  // namespace

extern "C" __attribute__((noinline, used)) int BpfdForwardUprobeTarget(int x) {
  asm volatile("" ::: "memory");
  return x * 2;
}

TEST(SysBpfHashMapOpsAndErrnos) {
  REQUIRE_BPF();
  Session s;
  long long map = CreateMap(s, BPF_MAP_TYPE_HASH, 4, 8, 4);
  EXPECT(map > 2);
  if (map < 0) return;
  for (uint32_t k = 1; k <= 3; ++k) {
    uint64_t v = k * 100;
    auto up = Elem(s, BPF_MAP_UPDATE_ELEM, map,
                   InBuf(ATTR_SLOT(key), &k, 4) + InBuf(ATTR_SLOT(value), &v, 8));
    EXPECT_EQ(up.ret, 0);
    // The client's pointer values come back, not the daemon's.
    EXPECT_EQ(U64At(up.attr, offsetof(bpf_attr, key)), kClientPtr);
    EXPECT_EQ(U64At(up.attr, offsetof(bpf_attr, value)), kClientPtr + 8);
    EXPECT(up.bufs.empty());
  }
  // What the kernel holds, checked directly on the daemon's fd (same process).
  uint32_t k2 = 2;
  uint64_t direct = 0;
  EXPECT_EQ(bpf_map_lookup_elem(static_cast<int>(map), &k2, &direct), 0);
  EXPECT_EQ(direct, 200u);

  auto look = Elem(s, BPF_MAP_LOOKUP_ELEM, map,
                   InBuf(ATTR_SLOT(key), &k2, 4) + OutBuf(ATTR_SLOT(value), 8));
  EXPECT_EQ(look.ret, 0);
  EXPECT_EQ(look.bufs.size(), 1u);
  EXPECT_EQ(U64At(look.bufs[1], 0), 200u);
  uint32_t k9 = 9;
  EXPECT_EQ(
      Elem(s, BPF_MAP_LOOKUP_ELEM, map, InBuf(ATTR_SLOT(key), &k9, 4) + OutBuf(ATTR_SLOT(value), 8))
          .ret,
      -ENOENT);

  // Iteration: NULL key first (no slot; attr.key = 0), then each key until ENOENT.
  bpf_attr first{};
  first.map_fd = static_cast<uint32_t>(map);
  first.next_key = kClientPtr;
  auto it = SysBpf(s, BPF_MAP_GET_NEXT_KEY, first, OutBuf(ATTR_SLOT(next_key), 4));
  std::vector<uint32_t> keys;
  int out_index = 0;  // next_key is buffer 0 without a key buffer, 1 after it
  while (it.ret == 0 && keys.size() < 10 && it.bufs[out_index].size() == 4) {
    uint32_t key;
    std::memcpy(&key, it.bufs[out_index].data(), 4);
    out_index = 1;
    keys.push_back(key);
    it = Elem(s, BPF_MAP_GET_NEXT_KEY, map,
              InBuf(ATTR_SLOT(key), &key, 4) + OutBuf(ATTR_SLOT(next_key), 4));
  }
  EXPECT_EQ(it.ret, -ENOENT);
  EXPECT_EQ(keys.size(), 3u);
  EXPECT(it.bufs.size() == 1 && it.bufs[1].size() == 4);  // o buffers come back on errors too

  EXPECT_EQ(Elem(s, BPF_MAP_DELETE_ELEM, map, InBuf(ATTR_SLOT(key), &k2, 4), false).ret, 0);
  EXPECT_EQ(Elem(s, BPF_MAP_DELETE_ELEM, map, InBuf(ATTR_SLOT(key), &k2, 4), false).ret, -ENOENT);
  EXPECT_EQ(bpf_map_lookup_elem(static_cast<int>(map), &k2, &direct), -ENOENT);

  // The map fd is the session's: SYS_CLOSE closes it once; stdin and strangers are refused.
  EXPECT_EQ(Ret(s, "SYS_CLOSE 0"), -EBADF);
  EXPECT_EQ(Ret(s, "SYS_CLOSE 1"), -EBADF);
  EXPECT_EQ(Ret(s, "SYS_CLOSE " + std::to_string(map)), 0);
  EXPECT_EQ(Ret(s, "SYS_CLOSE " + std::to_string(map)), -EBADF);
  EXPECT(fcntl(0, F_GETFD) >= 0);
}

TEST(SysBpfRejectedProgramReturnsVerifierLog) {
  REQUIRE_BPF();
  Session s;
  Asm a;
  a.Exit();  // r0 never written
  auto r = SysBpfProgLoad(s, BPF_PROG_TYPE_SOCKET_FILTER, a.Bytes(), 4096);
  EXPECT(r.ret == -EACCES || r.ret == -EINVAL);
  EXPECT_EQ(r.bufs.size(), 1u);
  std::string log = Str(r.bufs[2]);
  EXPECT(log.find("R0") != std::string::npos);
  EXPECT_EQ(U64At(r.attr, offsetof(bpf_attr, log_buf)), 0u);  // the client's value: it sent 0
}

TEST(SysBpfProgInfoWithNestedMapIds) {
  REQUIRE_BPF();
  Session s;
  long long map = CreateMap(s, BPF_MAP_TYPE_ARRAY, 4, 8, 1);
  EXPECT(map >= 0);
  if (map < 0) return;
  Asm a;
  a.LdMapFd(1, static_cast<int>(map)).MovImm(0, 0).Exit();
  long long prog = SysBpfProgLoad(s, BPF_PROG_TYPE_SOCKET_FILTER, a.Bytes()).ret;
  EXPECT(prog >= 0);
  if (prog < 0) return;

  bpf_prog_info info{};
  info.nr_map_ids = 4;
  info.map_ids = kClientPtr + 0x100;  // nested pointer, inside buffer 0
  bpf_attr get{};
  get.info.bpf_fd = static_cast<uint32_t>(prog);
  get.info.info_len = sizeof(info);
  get.info.info = kClientPtr;
  auto r = SysBpf(s, BPF_OBJ_GET_INFO_BY_FD, get,
                  InBuf(ATTR_SLOT(info.info), &info, sizeof(info), 'x') +
                      OutBuf(BpfSlot{0, offsetof(bpf_prog_info, map_ids)}, 16));
  EXPECT_EQ(r.ret, 0);
  uint32_t info_len = 0;
  if (r.attr.size() == sizeof(bpf_attr))
    std::memcpy(&info_len, r.attr.data() + offsetof(bpf_attr, info.info_len), 4);
  EXPECT(info_len > 0 && info_len <= sizeof(info));  // written back by the kernel
  EXPECT_EQ(U64At(r.attr, offsetof(bpf_attr, info.info)), kClientPtr);
  EXPECT_EQ(r.bufs.size(), 2u);
  bpf_prog_info got{};
  if (r.bufs[0].size() == sizeof(got)) std::memcpy(&got, r.bufs[0].data(), sizeof(got));
  EXPECT_EQ(got.nr_map_ids, 1u);
  EXPECT_EQ(got.map_ids, kClientPtr + 0x100);  // restored inside the returned buffer
  EXPECT(got.id != 0);
  bpf_map_info mi{};
  uint32_t mlen = sizeof(mi);
  EXPECT_EQ(bpf_obj_get_info_by_fd(static_cast<int>(map), &mi, &mlen), 0);
  uint32_t id0 = 0;
  if (r.bufs[1].size() == 16) std::memcpy(&id0, r.bufs[1].data(), 4);
  EXPECT_EQ(id0, mi.id);
}

TEST(SysUnameMatches) {
  REQUIRE_BPF();
  Session s;
  auto lines = Cmd(s, "SYS_UNAME");
  EXPECT_EQ(RetOf(lines), 0);
  utsname u;
  EXPECT_EQ(uname(&u), 0);
  std::string want;
  for (const char* f : {u.sysname, u.nodename, u.release, u.version, u.machine})
    want += Data(f, std::strlen(f)) + " ";
  want.pop_back();
  EXPECT(lines.size() == 2 && lines[1] == want);
}

// Unrestricted (bpfd daemon --unrestricted): every path, as the 2017 daemon; the policy's
// answers are bpf_file_policy_test's.
TEST(FileCommandsMatchTheFileSystem) {
  REQUIRE_BPF();
  Session s(SessionOptions{.unrestricted = true});
  std::string tracefs;
  if (FindTracefs(&tracefs) < 0) SKIP("no tracefs");
  // A tracefs file reports size 0: read to EOF.
  std::string id_path = tracefs + "/events/syscalls/sys_enter_getpid/id", id;
  if (ReadFile(id_path, &id) < 0) SKIP("no syscalls:sys_enter_getpid tracepoint");
  auto rd = Cmd(s, "FILE_READ " + Path(id_path));
  EXPECT_EQ(RetOf(rd), static_cast<long long>(id.size()));
  EXPECT(rd.size() == 2 && Str(UnData(rd[1])) == id);
  EXPECT_EQ(Ret(s, "FILE_READ " + Path("/nonexistent/bpfd")), -ENOENT);
  auto empty = Cmd(s, "FILE_READ " + Path("/dev/null"));
  EXPECT(RetOf(empty) == 0 && empty.size() == 2 && empty[1] == "-");

  auto ls = Cmd(s, "FILE_LIST " + Path(tracefs + "/events/syscalls"));
  EXPECT(RetOf(ls) > 10);
  EXPECT_EQ(static_cast<long long>(ls.size()) - 1, RetOf(ls));
  bool found = false;
  for (auto& l : ls) found = found || l == "4 " + Path("sys_enter_getpid");
  EXPECT(found);
  for (auto& l : ls)
    EXPECT(l.find(" " + Path(".")) == std::string::npos &&
           l.find(" " + Path("..")) == std::string::npos);

  struct stat st;
  EXPECT_EQ(stat("/proc/self/exe", &st), 0);
  auto fst = Cmd(s, "FILE_STAT " + Path("/proc/self/exe") + " 1");
  EXPECT_EQ(RetOf(fst), 0);
  EXPECT(fst.size() == 2 &&
         fst[1].rfind(std::to_string(st.st_mode) + " " + std::to_string(st.st_size) + " " +
                          std::to_string(st.st_ino) + " ",
                      0) == 0);
  auto ft = fst.size() == 2 ? SplitTokens(fst[1]) : std::vector<std::string_view>{};
  EXPECT(ft.size() == 15 && ft[11] == std::to_string(st.st_mtime) &&
         ft[13] == std::to_string(st.st_mtim.tv_nsec) &&
         ft[14] == std::to_string(st.st_ctim.tv_nsec));
  auto lst = Cmd(s, "FILE_STAT " + Path("/proc/self/exe") + " 0");
  EXPECT(lst.size() == 2 && S_ISLNK(std::stoul(lst[1])));
  EXPECT_EQ(Ret(s, "FILE_STAT " + Path("/nonexistent/bpfd") + " 1"), -ENOENT);

  EXPECT_EQ(Ret(s, "FILE_ACCESS " + Path("/") + " " + std::to_string(R_OK)), 0);
  EXPECT_EQ(Ret(s, "FILE_ACCESS " + Path("/nonexistent/bpfd") + " 0"), -ENOENT);

  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe));
  auto rl = Cmd(s, "FILE_READLINK " + Path("/proc/self/exe"));
  EXPECT_EQ(RetOf(rl), n);
  EXPECT(rl.size() == 2 && n > 0 && Str(UnData(rl[1])) == std::string(exe, static_cast<size_t>(n)));
  EXPECT_EQ(Ret(s, "FILE_READLINK " + Path("/")), -EINVAL);

  auto sf = Cmd(s, "FILE_STATFS " + Path(tracefs));
  EXPECT_EQ(RetOf(sf), 0);
  EXPECT(sf.size() == 2 && sf[1].rfind(std::to_string(0x74726163) + " ", 0) == 0);  // TRACEFS_MAGIC
  EXPECT_EQ(Ret(s, "FILE_WRITE 1 " + Path("x")), -EBADF);                           // never stdout

  // FILE_PREAD: pieces of a file opened read-only, as the host library reads a binary.
  std::string exe_bytes;
  EXPECT_EQ(ReadFile("/proc/self/exe", &exe_bytes, 64u << 20), 0);
  long long rfd =
      Ret(s, "FILE_OPEN " + Path("/proc/self/exe") + " " + std::to_string(O_RDONLY) + " 0");
  EXPECT(rfd > 2);
  auto pr = Cmd(s, "FILE_PREAD " + std::to_string(rfd) + " 1000 4096");
  EXPECT_EQ(RetOf(pr), 4096);
  EXPECT(pr.size() == 2 && Str(UnData(pr[1])) == exe_bytes.substr(1000, 4096));
  auto tail = Cmd(s, "FILE_PREAD " + std::to_string(rfd) + " " +
                         std::to_string(exe_bytes.size() - 10) + " 100");
  EXPECT_EQ(RetOf(tail), 10);  // short at the end of the file
  EXPECT(tail.size() == 2 && Str(UnData(tail[1])) == exe_bytes.substr(exe_bytes.size() - 10));
  EXPECT_EQ(Ret(s, "FILE_PREAD " + std::to_string(rfd) + " 0 " + std::to_string(64u << 20)),
            -EINVAL);
  EXPECT_EQ(Ret(s, "FILE_PREAD " + std::to_string(rfd) + " 18446744073709551615 1"), -EINVAL);
  EXPECT_EQ(Ret(s, "FILE_PREAD 0 0 1"), -EBADF);  // stdin is not the session's
  EXPECT_EQ(Ret(s, "SYS_CLOSE " + std::to_string(rfd)), 0);
  EXPECT_EQ(Ret(s, "FILE_PREAD " + std::to_string(rfd) + " 0 1"), -EBADF);
}

// In a session whose probe API is tracefs (daemon --probe-api tracefs or BPFD_PROBE_API=tracefs)
// the uprobe (and kprobe) PMU's sysfs directory is ENOENT to FILE_*: BCC and libbpf then take
// uprobe_events (the tracefs guest port's BCC tools rely on it).
// FILE_LIST_TREE: tracefs's events/ two levels deep in one reply, entry for entry what
// FILE_LIST gives of it and of each subsystem; only below tracefs under the policy.
TEST(FileListTreeIsTheListingsOfASubtree) {
  Session s;
  std::string tracefs;
  if (FindTracefs(&tracefs) < 0) SKIP("no tracefs");
  const std::string events = tracefs + "/events";
  auto tree = Cmd(s, "FILE_LIST_TREE " + Path(events) + " 2");
  auto top = Cmd(s, "FILE_LIST " + Path(events));
  auto sys = Cmd(s, "FILE_LIST " + Path(events + "/syscalls"));
  EXPECT(RetOf(top) > 10 && RetOf(sys) > 10);
  EXPECT_EQ(static_cast<long long>(tree.size()) - 1, RetOf(tree));
  std::set<std::string> got(tree.begin() + 1, tree.end()), want;
  for (size_t i = 1; i < top.size(); ++i) want.insert(top[i]);
  for (size_t i = 1; i < sys.size(); ++i) {
    std::string type = sys[i].substr(0, sys[i].find(' '));
    want.insert(type + " " + Path("syscalls/" + Str(UnData(sys[i].substr(type.size() + 1)))));
  }
  for (const std::string& line : want) EXPECT(got.count(line) == 1);
  EXPECT(got.count("4 " + Path("syscalls/sys_enter_getpid")) == 1);
  auto one = Cmd(s, "FILE_LIST_TREE " + Path(events) + " 1");
  EXPECT(std::vector<std::string>(one.begin() + 1, one.end()) ==
         std::vector<std::string>(top.begin() + 1, top.end()));
  for (const char* depth : {"0", "4", "x"})
    EXPECT(Cmd(s, "FILE_LIST_TREE " + Path(events) + " " + depth)[0] == "Command not recognized");
  EXPECT_EQ(Ret(s, "FILE_LIST_TREE " + Path("/proc/1") + " 2"), -EACCES);
  EXPECT_EQ(Ret(s, "FILE_LIST_TREE " + Path("/etc") + " 1"), -EACCES);
}

// FILE_READ_CACHED: the contents when the host holds none of their digests, "=<digest>" when
// it holds the file's, all of it again once the file changed; FILE_READ's errors and policy.
TEST(FileReadCachedSendsADigestForHeldContents) {
  Session open_session(SessionOptions{.unrestricted = true});  // a file this test can change
  char path[] = "/tmp/bpfd_cached_read.XXXXXX";
  int fd = mkstemp(path);
  EXPECT(fd >= 0);
  close(fd);
  EXPECT_EQ(WriteFile(path, "boot 1 symbols", false), 0);
  const std::string line = "FILE_READ_CACHED " + Path(path) + " ";
  const Sha256Digest v1 = Sha256Of("boot 1 symbols"), other = Sha256Of("another target");
  auto full = Cmd(open_session, line + "-");
  EXPECT(RetOf(full) == 14 && full.size() == 2 && Str(UnData(full[1])) == "boot 1 symbols");
  auto held = Cmd(open_session, line + FormatDigestList(std::vector<Sha256Digest>{other, v1}));
  Sha256Digest d{};
  EXPECT(RetOf(held) == 14 && held.size() == 2 && ParseDigestMatch(held[1], &d) && d == v1);
  EXPECT_EQ(WriteFile(path, "boot 2 symbols!", false), 0);  // a reboot, a module load
  auto changed = Cmd(open_session, line + FormatDigestList(std::vector<Sha256Digest>{v1}));
  EXPECT(RetOf(changed) == 15 && changed.size() == 2 &&
         Str(UnData(changed[1])) == "boot 2 symbols!");
  unlink(path);
  EXPECT_EQ(Ret(open_session, line + "-"), -ENOENT);
  // Under the policy: what FILE_READ may read, with FILE_READ's refusals; bad digest lists.
  Session s;
  EXPECT(RetOf(Cmd(s, "FILE_READ_CACHED " + Path("/proc/kallsyms") + " -")) > 1000);
  EXPECT_EQ(Ret(s, "FILE_READ_CACHED " + Path("/etc/shadow") + " -"), -EACCES);
  for (const char* bad : {" x", " -,-", " ", ""})
    EXPECT(Cmd(s, "FILE_READ_CACHED " + Path("/proc/kallsyms") + bad)[0] ==
           "Command not recognized");
}

// SYS_BPF_CACHED on the kernel's BTF, as libbpf reads it (BTF_GET_FD_BY_ID, then
// OBJ_GET_INFO_BY_FD with a buffer of its size): all of it when the host holds none of the
// digests, "=<digest>" when it holds the kernel's, and SYS_BPF refuses digests.
TEST(SysBpfCachedSendsADigestForHeldBtf) {
  REQUIRE_BPF();
  std::string vmlinux;
  if (ReadFile("/sys/kernel/btf/vmlinux", &vmlinux) < 0) SKIP("no /sys/kernel/btf/vmlinux");
  uint32_t id = 0;
  EXPECT_EQ(bpf_btf_get_next_id(0, &id), 0);  // the first BTF object is the kernel's
  Session s;
  bpf_attr by_id{};
  by_id.btf_id = id;
  long long fd = SysBpf(s, BPF_BTF_GET_FD_BY_ID, by_id).ret;
  EXPECT(fd >= 0);
  if (fd < 0) return;
  auto info_of = [&](std::span<const Sha256Digest> held, bool cached = true) {
    bpf_btf_info info{};
    info.btf = kClientPtr + 0x100;
    info.btf_size = static_cast<uint32_t>(vmlinux.size());
    bpf_attr get{};
    get.info.bpf_fd = static_cast<uint32_t>(fd);
    get.info.info_len = sizeof(info);
    get.info.info = kClientPtr;
    return SysBpf(s, BPF_OBJ_GET_INFO_BY_FD, get,
                  InBuf(ATTR_SLOT(info.info), &info, sizeof(info), 'x') +
                      OutBuf(BpfSlot{0, offsetof(bpf_btf_info, btf)}, vmlinux.size(), held),
                  cached);
  };
  const Sha256Digest kernel = Sha256Of(vmlinux), other = Sha256Of("another kernel's BTF");
  auto whole = info_of({});
  EXPECT(whole.ret == 0 && whole.held.empty() && whole.bufs.count(1) &&
         Str(whole.bufs[1]) == vmlinux);
  auto held = info_of(std::vector<Sha256Digest>{other, kernel});
  EXPECT(held.ret == 0 && !held.bufs.count(1) && held.held.count(1) && held.held[1] == kernel);
  EXPECT(held.bufs.count(0));  // the info itself still comes back
  auto stale = info_of(std::vector<Sha256Digest>{other});
  EXPECT(stale.ret == 0 && stale.held.empty() && Str(stale.bufs[1]) == vmlinux);
  auto plain = info_of(std::vector<Sha256Digest>{kernel}, false);
  EXPECT(plain.ret == -EINVAL && plain.attr.empty());  // SYS_BPF takes no digests
}

TEST(TracefsProbeApiHidesTheProbePmus) {
  const std::string type = "/sys/bus/event_source/devices/uprobe/type";
  if (access(type.c_str(), R_OK) != 0) SKIP("no uprobe PMU here (" + type + ")");
  std::string local;
  EXPECT_EQ(ReadFile(type, &local), 0);
  Session s;
  EXPECT_EQ(Ret(s, "FILE_READ " + Path(type)), static_cast<long long>(local.size()));
  Session tracefs(SessionOptions{.probe_api = ProbeApi::kTracefs});
  EXPECT_EQ(Ret(tracefs, "FILE_READ " + Path(type)), -ENOENT);
  EXPECT_EQ(Ret(tracefs, "FILE_ACCESS " + Path("/sys/devices/uprobe") + " 0"), -ENOENT);
  EXPECT_EQ(Ret(tracefs, "FILE_STAT " + Path("/sys/bus/event_source/devices/kprobe") + " 1"),
            -ENOENT);
  EXPECT_EQ(Ret(tracefs, "FILE_ACCESS " + Path("/sys/bus/event_source/devices") + " 0"), 0);
  Session pmu(SessionOptions{.probe_api = ProbeApi::kPmu});
  EXPECT_EQ(Ret(pmu, "FILE_ACCESS " + Path(type) + " 0"), 0);
}

TEST(UprobeEventsWrittenAreRemovedAtSessionEnd) {
  REQUIRE_BPF();
  std::string tracefs, exe(4096, '\0');
  if (FindTracefs(&tracefs) < 0) SKIP("no tracefs");
  if (access((tracefs + "/uprobe_events").c_str(), W_OK) != 0)
    SKIP("no uprobe_events in tracefs (kernel without CONFIG_UPROBE_EVENTS)");
  ssize_t n = readlink("/proc/self/exe", exe.data(), exe.size());
  if (n <= 0) SKIP("cannot read /proc/self/exe");
  exe.resize(static_cast<size_t>(n));
  uint64_t off = 0;
  EXPECT_EQ(BpfdForwardUprobeTarget(2), 4);  // referenced, so the linker keeps it
  if (UserSymbols::FileOffsetForSymbol(exe, "BpfdForwardUprobeTarget", &off) < 0)
    SKIP("BpfdForwardUprobeTarget not in this binary's symbol table");
  char hex[32];
  std::snprintf(hex, sizeof(hex), "0x%llx", static_cast<unsigned long long>(off));
  const std::string ev = "fwd" + std::to_string(getpid());
  std::string before, after, listing;
  ReadFile(tracefs + "/uprobe_events", &before);
  {
    Session s;
    long long fd = Ret(s, "FILE_OPEN " + Path(tracefs + "/uprobe_events") + " " +
                              std::to_string(O_WRONLY | O_APPEND) + " 0");
    EXPECT(fd > 2);
    std::string named = "p:bpfd_fwd_test/" + ev + " " + exe + ":" + hex;
    std::string unnamed = "p " + exe + ":" + hex;  // the kernel picks the name (group uprobes)
    std::string gone = "p:bpfd_fwd_test/" + ev + "_gone " + exe + ":" + hex;
    for (const std::string& def : {named, unnamed, gone})
      EXPECT_EQ(Ret(s, "FILE_WRITE " + std::to_string(fd) + " " + Path(def)),
                static_cast<long long>(def.size()));
    std::string rm = "-:bpfd_fwd_test/" + ev + "_gone";
    EXPECT_EQ(Ret(s, "FILE_WRITE " + std::to_string(fd) + " " + Path(rm)),
              static_cast<long long>(rm.size()));
    EXPECT(access((tracefs + "/events/bpfd_fwd_test/" + ev).c_str(), F_OK) == 0);
    ReadFile(tracefs + "/uprobe_events", &listing);
    EXPECT(listing.size() > before.size());
    EXPECT(listing.find(ev + "_gone") == std::string::npos);
  }  // the session ends without removing them
  ReadFile(tracefs + "/uprobe_events", &after);
  EXPECT(after == before);
  EXPECT(access((tracefs + "/events/bpfd_fwd_test/" + ev).c_str(), F_OK) != 0);
}

TEST_MAIN()
