// SYS_BPF's least-privilege policy (core/daemon/bpf_policy.h) against the real kernel: what a
// restricted session refuses (-EACCES, and nothing happens in the kernel), what it still
// allows, and that an unrestricted session (--unrestricted) is not limited at all.
// SKIPs when bpf() is unusable (EPERM in a sandbox, ENOSYS under qemu-user).
#include <bpf/btf.h>
#include <linux/magic.h>
#include <linux/perf_event.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "core/daemon/session.h"
#include "tests/bpf_test_util.h"
#include "tests/testing.h"

using namespace bpfd;
using namespace bpfd::testutil;

namespace {

SessionOptions Unrestricted() {
  SessionOptions o;
  o.unrestricted = true;
  return o;
}

// bpffs at /sys/fs/bpf (mounted if it is not): "" or why not.
std::string BpffsUnavailable() {
  struct statfs st;
  if (statfs("/sys/fs/bpf", &st) == 0 && st.f_type == BPF_FS_MAGIC) return "";
  if (mount("bpf", "/sys/fs/bpf", "bpf", 0, nullptr) == 0) return "";
  return std::string("no bpffs at /sys/fs/bpf: ") + strerror(errno);
}

std::string PinPath(const char* what) {
  return "/sys/fs/bpf/bpfd_policy_" + std::string(what) + "_" + std::to_string(getpid());
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

long long ObjPin(Session& s, long long fd, const std::string& path) {
  bpf_attr attr{};
  attr.bpf_fd = static_cast<uint32_t>(fd);
  attr.pathname = 0x7f0000002000;
  return SysBpf(s, BPF_OBJ_PIN, attr, InBuf(ATTR_SLOT(pathname), path.c_str(), path.size() + 1))
      .ret;
}

long long CreateMap(Session& s) {
  bpf_attr attr{};
  attr.map_type = BPF_MAP_TYPE_HASH;
  attr.key_size = 4;
  attr.value_size = 8;
  attr.max_entries = 4;
  return SysBpf(s, BPF_MAP_CREATE, attr).ret;
}

// A map this process creates outside any session, holding key 1 -> 100; its fd and id.
struct OutsideMap {
  int fd = -1;
  uint32_t id = 0;
  ~OutsideMap() {
    if (fd >= 0) close(fd);
  }
};
void MakeOutsideMap(OutsideMap* m) {
  m->fd = bpf_map_create(BPF_MAP_TYPE_HASH, "bpfd_foreign", 4, 8, 4, nullptr);
  uint32_t k = 1;
  uint64_t v = 100;
  bpf_map_update_elem(m->fd, &k, &v, BPF_ANY);
  bpf_map_info info{};
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(m->fd, &info, &len) == 0) m->id = info.id;
}

long long MapById(Session& s, uint32_t id) {
  bpf_attr attr{};
  attr.map_id = id;
  return SysBpf(s, BPF_MAP_GET_FD_BY_ID, attr).ret;
}

SysBpfReply Elem(Session& s, int cmd, long long map, uint32_t key, const uint64_t* value,
                 bool out = false) {
  bpf_attr attr{};
  attr.map_fd = static_cast<uint32_t>(map);
  attr.key = 0x7f0000001000;
  std::string groups = InBuf(ATTR_SLOT(key), &key, 4);
  if (value || out) {
    attr.value = 0x7f0000001008;
    groups += out ? OutBuf(ATTR_SLOT(value), 8) : InBuf(ATTR_SLOT(value), value, 8);
  }
  return SysBpf(s, cmd, attr, groups);
}

// r1 = 0; *(u64 *)(r10 - 8) = 0; r2 = r10 - 8; r3 = 8; call bpf_probe_write_user; exit 0
std::string ProbeWriteUserProg() {
  using namespace insn;
  std::vector<bpf_insn> p = {Mov64Imm(BPF_REG_1, 0),          StMem(BPF_DW, BPF_REG_10, -8, 0),
                             Mov64Reg(BPF_REG_2, BPF_REG_10), Alu64Imm(BPF_ADD, BPF_REG_2, -8),
                             Mov64Imm(BPF_REG_3, 8),          Call(BPF_FUNC_probe_write_user),
                             Mov64Imm(BPF_REG_0, 0),          Exit()};
  return std::string(reinterpret_cast<const char*>(p.data()), p.size() * sizeof(bpf_insn));
}

}  // namespace

TEST(ObjPinIsRefusedAndNothingIsPinned) {
  REQUIRE_BPF();
  std::string why = BpffsUnavailable();
  if (!why.empty()) SKIP(why);
  Session s;
  long long map = CreateMap(s);
  EXPECT(map > 2);
  std::string path = PinPath("pin");
  EXPECT_EQ(ObjPin(s, map, path), -EACCES);
  EXPECT(!Exists(path));

  Session u(Unrestricted());
  long long umap = CreateMap(u);
  EXPECT_EQ(ObjPin(u, umap, path), 0);
  EXPECT(Exists(path));
  unlink(path.c_str());
}

TEST(ProgAttachAndUnknownCommandsAreRefused) {
  REQUIRE_BPF();
  Session s;
  bpf_attr attr{};
  attr.target_fd = 0;
  attr.attach_bpf_fd = 0;
  attr.attach_type = BPF_CGROUP_INET_INGRESS;
  EXPECT_EQ(SysBpf(s, BPF_PROG_ATTACH, attr).ret, -EACCES);
  EXPECT_EQ(SysBpf(s, BPF_PROG_DETACH, attr).ret, -EACCES);
  EXPECT_EQ(SysBpf(s, BPF_PROG_BIND_MAP + 1, bpf_attr{}).ret, -EACCES);  // BPF_TOKEN_CREATE
  // The kernel, not the policy, answers an unrestricted session (fd 0 is no cgroup).
  Session u(Unrestricted());
  EXPECT(SysBpf(u, BPF_PROG_ATTACH, attr).ret != -EACCES);
}

TEST(AMapOpenedByIdIsReadOnly) {
  REQUIRE_BPF();
  OutsideMap m;
  MakeOutsideMap(&m);
  EXPECT(m.fd >= 0 && m.id != 0);
  Session s;
  long long fd = MapById(s, m.id);
  EXPECT(fd > 2);
  if (fd < 0) return;
  uint64_t v = 7, got = 0;
  EXPECT_EQ(Elem(s, BPF_MAP_UPDATE_ELEM, fd, 1, &v).ret, -EACCES);
  EXPECT_EQ(Elem(s, BPF_MAP_UPDATE_ELEM, fd, 2, &v).ret, -EACCES);
  EXPECT_EQ(Elem(s, BPF_MAP_DELETE_ELEM, fd, 1, nullptr).ret, -EACCES);
  EXPECT_EQ(Elem(s, BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, 1, nullptr, true).ret, -EACCES);
  bpf_attr freeze{};
  freeze.map_fd = static_cast<uint32_t>(fd);
  EXPECT_EQ(SysBpf(s, BPF_MAP_FREEZE, freeze).ret, -EACCES);
  auto look = Elem(s, BPF_MAP_LOOKUP_ELEM, fd, 1, nullptr, true);
  EXPECT_EQ(look.ret, 0);
  if (look.bufs.count(1) && look.bufs[1].size() == 8) std::memcpy(&got, look.bufs[1].data(), 8);
  EXPECT_EQ(got, 100u);
  // Nothing changed, and the session's fd (same process) is read-only in the kernel too.
  uint32_t k = 1;
  EXPECT_EQ(bpf_map_lookup_elem(m.fd, &k, &got), 0);
  EXPECT_EQ(got, 100u);
  EXPECT_EQ(bpf_map_update_elem(static_cast<int>(fd), &k, &v, BPF_ANY), -EPERM);
  // A map the session created itself is writable.
  long long own = CreateMap(s);
  EXPECT_EQ(Elem(s, BPF_MAP_UPDATE_ELEM, own, 1, &v).ret, 0);
  EXPECT_EQ(Elem(s, BPF_MAP_DELETE_ELEM, own, 1, nullptr).ret, 0);

  Session u(Unrestricted());
  long long ufd = MapById(u, m.id);
  EXPECT_EQ(Elem(u, BPF_MAP_UPDATE_ELEM, ufd, 1, &v).ret, 0);
  EXPECT_EQ(bpf_map_lookup_elem(m.fd, &k, &got), 0);
  EXPECT_EQ(got, 7u);
}

TEST(APinnedMapOpensReadOnlyAndOnlyUnderSysFsBpf) {
  REQUIRE_BPF();
  std::string why = BpffsUnavailable();
  if (!why.empty()) SKIP(why);
  OutsideMap m;
  MakeOutsideMap(&m);
  std::string path = PinPath("get");
  EXPECT_EQ(bpf_obj_pin(m.fd, path.c_str()), 0);
  Session s;
  auto get = [&](const std::string& p) {
    bpf_attr attr{};
    attr.pathname = 0x7f0000002000;
    return SysBpf(s, BPF_OBJ_GET, attr, InBuf(ATTR_SLOT(pathname), p.c_str(), p.size() + 1)).ret;
  };
  long long fd = get(path);
  EXPECT(fd > 2);
  uint64_t v = 9;
  EXPECT_EQ(Elem(s, BPF_MAP_UPDATE_ELEM, fd, 1, &v).ret, -EACCES);
  EXPECT_EQ(Elem(s, BPF_MAP_LOOKUP_ELEM, fd, 1, nullptr, true).ret, 0);
  EXPECT_EQ(get("/sys/fs/bpf/../../../tmp/x"), -EACCES);
  EXPECT_EQ(get("/tmp/x"), -EACCES);
  unlink(path.c_str());
}

TEST(ProbeWriteUserIsRefused) {
  REQUIRE_BPF();
  Session s;
  std::string code = ProbeWriteUserProg();
  EXPECT_EQ(SysBpfProgLoad(s, BPF_PROG_TYPE_TRACEPOINT, code).ret, -EACCES);
  // Unrestricted, the verifier decides (it accepts it as root on a kernel without lockdown).
  Session u(Unrestricted());
  long long ret = SysBpfProgLoad(u, BPF_PROG_TYPE_TRACEPOINT, code).ret;
  EXPECT(ret != -EACCES);
}

TEST(AnActingKfuncIsRefusedByName) {
  REQUIRE_BPF();
  struct btf* vmlinux = btf__load_vmlinux_btf();
  int id = vmlinux ? btf__find_by_name_kind(vmlinux, "bpf_send_signal_task", BTF_KIND_FUNC) : -1;
  btf__free(vmlinux);
  if (id <= 0) SKIP("this kernel has no bpf_send_signal_task kfunc (6.13+)");
  bpf_insn call{};
  call.code = BPF_JMP | BPF_CALL;
  call.src_reg = BPF_PSEUDO_KFUNC_CALL;
  call.imm = id;
  std::vector<bpf_insn> p = {call, insn::Mov64Imm(BPF_REG_0, 0), insn::Exit()};
  std::string code(reinterpret_cast<const char*>(p.data()), p.size() * sizeof(bpf_insn));
  Session s;
  EXPECT_EQ(SysBpfProgLoad(s, BPF_PROG_TYPE_TRACEPOINT, code).ret, -EACCES);
  // Unrestricted, the verifier decides (it refuses this one: no task argument).
  Session u(Unrestricted());
  EXPECT(SysBpfProgLoad(u, BPF_PROG_TYPE_TRACEPOINT, code).ret != -EACCES);
}

TEST(PointersTheDaemonDidNotCopyAreRefused) {
  REQUIRE_BPF();
  Session s;
  long long map = CreateMap(s);
  uint32_t key = 1;
  bpf_attr attr{};
  attr.map_fd = static_cast<uint32_t>(map);
  attr.key = 0x7f0000001000;
  attr.value = reinterpret_cast<uintptr_t>(&key);  // an address in the daemon: never sent
  EXPECT_EQ(SysBpf(s, BPF_MAP_LOOKUP_ELEM, attr, InBuf(ATTR_SLOT(key), &key, 4)).ret, -EACCES);
}

// In every mode: the kernel would write into (or read from) the daemon's heap past the copy.
// Restricted sessions say -EACCES (the policy's line), unrestricted ones -EFAULT.
TEST(BuffersShorterThanTheKernelIsToldAreRefused) {
  REQUIRE_BPF();
  for (bool unrestricted : {false, true}) {
    Session s(unrestricted ? Unrestricted() : SessionOptions{});
    const long long refused = unrestricted ? -EFAULT : -EACCES;
    long long map = CreateMap(s);  // 4-byte keys, 8-byte values
    uint32_t key = 1;
    bpf_attr attr{};
    attr.map_fd = static_cast<uint32_t>(map);
    attr.key = 0x7f0000001000;
    attr.value = 0x7f0000001008;
    // The kernel would write 8 bytes into a 4-byte buffer of the daemon's heap.
    EXPECT_EQ(SysBpf(s, BPF_MAP_LOOKUP_ELEM, attr,
                     InBuf(ATTR_SLOT(key), &key, 4) + OutBuf(ATTR_SLOT(value), 4))
                  .ret,
              refused);
    EXPECT_EQ(SysBpf(s, BPF_MAP_LOOKUP_ELEM, attr,
                     InBuf(ATTR_SLOT(key), &key, 2) + OutBuf(ATTR_SLOT(value), 8))
                  .ret,
              refused);
    EXPECT_EQ(SysBpf(s, BPF_MAP_LOOKUP_ELEM, attr,
                     InBuf(ATTR_SLOT(key), &key, 4) + OutBuf(ATTR_SLOT(value), 8))
                  .ret,
              -ENOENT);
    // A verifier log the kernel is told is 64 KiB long, in 16 bytes.
    using namespace insn;
    const bpf_insn code[] = {Mov64Imm(BPF_REG_0, 0), Exit()};
    static const char license[] = "GPL";
    bpf_attr load{};
    load.prog_type = BPF_PROG_TYPE_TRACEPOINT;
    load.insn_cnt = 2;
    load.log_level = 1;
    load.log_size = 65536;
    std::string groups = InBuf(ATTR_SLOT(insns), code, sizeof(code)) +
                         InBuf(ATTR_SLOT(license), license, sizeof(license));
    EXPECT_EQ(SysBpf(s, BPF_PROG_LOAD, load, groups + OutBuf(ATTR_SLOT(log_buf), 16)).ret, refused);
    EXPECT(SysBpf(s, BPF_PROG_LOAD, load, groups + OutBuf(ATTR_SLOT(log_buf), 65536)).ret > 2);
    // A license without its NUL: the kernel would read on into the heap.
    load.log_level = 0;
    load.log_size = 0;
    EXPECT_EQ(
        SysBpf(s, BPF_PROG_LOAD, load,
               InBuf(ATTR_SLOT(insns), code, sizeof(code)) + InBuf(ATTR_SLOT(license), "GPL", 3))
            .ret,
        refused);
  }
}

// A 40-byte line asking for a 256 MiB output buffer: -E2BIG in a small reply, in every mode.
TEST(HugeOutputBuffersAreRefused) {
  for (bool unrestricted : {false, true}) {
    Session s(unrestricted ? Unrestricted() : SessionOptions{});
    auto lines = Cmd(s, "SYS_BPF 1 AAAAAAAAAAAAAAAAAAAAAA== a8 o 268435456 -");
    EXPECT_EQ(RetOf(lines), -E2BIG);
    EXPECT_EQ(lines.size(), size_t{1});
  }
}

TEST(LinkCreateTakesOnlyTracingAttachTypes) {
  REQUIRE_BPF();
  Session s;
  bpf_attr attr{};
  attr.link_create.attach_type = BPF_CGROUP_INET_INGRESS;
  EXPECT_EQ(SysBpf(s, BPF_LINK_CREATE, attr).ret, -EACCES);
  attr.link_create.attach_type = BPF_XDP;
  EXPECT_EQ(SysBpf(s, BPF_LINK_CREATE, attr).ret, -EACCES);
  attr.link_create.attach_type = BPF_PERF_EVENT;  // fd 0 is no program: the kernel says so
  long long ret = SysBpf(s, BPF_LINK_CREATE, attr).ret;
  EXPECT(ret != -EACCES && ret < 0);
}

TEST(AForeignProgramCannotBeAttached) {
  REQUIRE_BPF();
  using namespace insn;
  const bpf_insn code[] = {Mov64Imm(BPF_REG_0, 0), Exit()};
  int prog = bpf_prog_load(BPF_PROG_TYPE_PERF_EVENT, "bpfd_foreign", "GPL", code, 2, nullptr);
  EXPECT(prog >= 0);
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  EXPECT_EQ(bpf_obj_get_info_by_fd(prog, &info, &len), 0);
  Session s;
  bpf_attr by_id{};
  by_id.prog_id = info.id;
  long long fd = SysBpf(s, BPF_PROG_GET_FD_BY_ID, by_id).ret;
  EXPECT(fd > 2);
  perf_event_attr pa{};
  pa.type = PERF_TYPE_SOFTWARE;
  pa.size = sizeof(pa);
  pa.config = PERF_COUNT_SW_CPU_CLOCK;
  pa.sample_period = 1000000;
  pa.disabled = 1;
  auto open = Cmd(s, "SYS_PERF_EVENT_OPEN " + B64(&pa, sizeof(pa)) + " 0 -1 -1 0");
  long long ev = RetOf(open);
  EXPECT(ev > 2);
  std::string set_bpf = "SYS_IOCTL " + std::to_string(ev) + " " +
                        std::to_string(PERF_EVENT_IOC_SET_BPF) + " " + std::to_string(fd);
  EXPECT_EQ(RetOf(Cmd(s, set_bpf)), -EACCES);
  bpf_attr link{};
  link.link_create.prog_fd = static_cast<uint32_t>(fd);
  link.link_create.target_fd = static_cast<uint32_t>(ev);
  link.link_create.attach_type = BPF_PERF_EVENT;
  EXPECT_EQ(SysBpf(s, BPF_LINK_CREATE, link).ret, -EACCES);
  // Nor put into the session's own program array (a tail call would run it).
  bpf_attr pa_attr{};
  pa_attr.map_type = BPF_MAP_TYPE_PROG_ARRAY;
  pa_attr.key_size = 4;
  pa_attr.value_size = 4;
  pa_attr.max_entries = 1;
  long long array = SysBpf(s, BPF_MAP_CREATE, pa_attr).ret;
  EXPECT(array > 2);
  uint64_t value = static_cast<uint64_t>(fd);  // the fd in the low 4 bytes; 4 are sent
  bpf_attr up{};
  up.map_fd = static_cast<uint32_t>(array);
  up.key = 0x7f0000001000;
  up.value = 0x7f0000001008;
  uint32_t zero = 0;
  EXPECT_EQ(SysBpf(s, BPF_MAP_UPDATE_ELEM, up,
                   InBuf(ATTR_SLOT(key), &zero, 4) + InBuf(ATTR_SLOT(value), &value, 4))
                .ret,
            -EACCES);
  close(prog);
}

TEST_MAIN()
