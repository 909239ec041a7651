// SYS_BPF's least-privilege policy; see bpf_policy.h. Field offsets are the uapi linux/bpf.h's
// (libbpf 1.1's copy); a field beyond a short attr reads as 0, as the kernel sees it. Bytes past
// the fields this daemon knows for a command must be zero: a newer field may be a pointer.
#include "core/daemon/bpf_policy.h"
#include "core/daemon/policy_rules.h"

#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>

namespace bpfd {
namespace {

#define OFF(field) offsetof(union bpf_attr, field)
#define END(field) (OFF(field) + sizeof(std::declval<union bpf_attr>().field))

// Newer than the header: BPF_TRACE_UPROBE_MULTI (Linux 6.6), and where its link_create variant
// ends (path, offsets, ref_ctr_offsets, cookies: u64 pointers; cnt, flags, pid: u32).
constexpr uint32_t kTraceUprobeMulti = 48;
constexpr size_t kLinkUnion = OFF(link_create.target_btf_id);
constexpr size_t kUprobeMultiEnd = kLinkUnion + 44;
// RAW_TRACEPOINT_OPEN's cookie (Linux 6.10) after prog_fd: a value, not a pointer.
constexpr size_t kRawTpEnd = OFF(raw_tracepoint.name) + 24;
// No mapping can sit in the first page, so a smaller value can never be a daemon address.
constexpr uint64_t kFirstAddress = 4096;

constexpr const char* kCmdNames[] = {
    "BPF_MAP_CREATE",        "BPF_MAP_LOOKUP_ELEM",
    "BPF_MAP_UPDATE_ELEM",   "BPF_MAP_DELETE_ELEM",
    "BPF_MAP_GET_NEXT_KEY",  "BPF_PROG_LOAD",
    "BPF_OBJ_PIN",           "BPF_OBJ_GET",
    "BPF_PROG_ATTACH",       "BPF_PROG_DETACH",
    "BPF_PROG_TEST_RUN",     "BPF_PROG_GET_NEXT_ID",
    "BPF_MAP_GET_NEXT_ID",   "BPF_PROG_GET_FD_BY_ID",
    "BPF_MAP_GET_FD_BY_ID",  "BPF_OBJ_GET_INFO_BY_FD",
    "BPF_PROG_QUERY",        "BPF_RAW_TRACEPOINT_OPEN",
    "BPF_BTF_LOAD",          "BPF_BTF_GET_FD_BY_ID",
    "BPF_TASK_FD_QUERY",     "BPF_MAP_LOOKUP_AND_DELETE_ELEM",
    "BPF_MAP_FREEZE",        "BPF_BTF_GET_NEXT_ID",
    "BPF_MAP_LOOKUP_BATCH",  "BPF_MAP_LOOKUP_AND_DELETE_BATCH",
    "BPF_MAP_UPDATE_BATCH",  "BPF_MAP_DELETE_BATCH",
    "BPF_LINK_CREATE",       "BPF_LINK_UPDATE",
    "BPF_LINK_GET_FD_BY_ID", "BPF_LINK_GET_NEXT_ID",
    "BPF_ENABLE_STATS",      "BPF_ITER_CREATE",
    "BPF_LINK_DETACH",       "BPF_PROG_BIND_MAP",
};
static_assert(std::size(kCmdNames) == BPF_PROG_BIND_MAP + 1);

std::string CmdName(int cmd) {
  if (cmd >= 0 && static_cast<size_t>(cmd) < std::size(kCmdNames)) return kCmdNames[cmd];
  return "command " + std::to_string(cmd);
}

// LINK_CREATE's attach types for tracing, and where each one's link_create variant ends.
struct TracingAttach {
  uint32_t type;
  size_t end;
};
constexpr TracingAttach kTracingAttach[] = {
    {BPF_TRACE_FENTRY, END(link_create.tracing.cookie)},
    {BPF_TRACE_FEXIT, END(link_create.tracing.cookie)},
    {BPF_TRACE_RAW_TP, END(link_create.tracing.cookie)},
    {BPF_TRACE_ITER, END(link_create.iter_info_len)},
    {BPF_PERF_EVENT, END(link_create.perf_event.bpf_cookie)},
    {BPF_TRACE_KPROBE_MULTI, END(link_create.kprobe_multi.cookies)},
    {kTraceUprobeMulti, kUprobeMultiEnd},
};

// A pointer field at `off` and the u32 length field that goes with it (none: SIZE_MAX).
// A pointer field at `off`, and the u32 count field (`len`, none: SIZE_MAX) that says how many
// bytes the kernel reads or writes through it: count * unit, or count * the u32 record size
// field at `rec`. `str`: a NUL-terminated string.
struct Ptr {
  size_t off;
  size_t len = SIZE_MAX;
  uint64_t unit = 1;
  size_t rec = SIZE_MAX;
  bool str = false;
};

enum class ObjKind { kMap, kProg, kLink, kBtf, kUnknown };

// What the fd is, from its anon inode's name.
ObjKind KindOf(int fd) {
  char path[40], target[64];
  std::snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  ssize_t n = readlink(path, target, sizeof(target));
  std::string_view t(target, n > 0 ? static_cast<size_t>(n) : 0);
  if (t == "anon_inode:bpf-map") return ObjKind::kMap;
  if (t == "anon_inode:bpf-prog") return ObjKind::kProg;
  if (t == "anon_inode:bpf-link" || t == "anon_inode:bpf_link") return ObjKind::kLink;
  if (t == "anon_inode:btf") return ObjKind::kBtf;
  return ObjKind::kUnknown;
}

// The map's info, asked from the kernel: false when fd is no map (the kernel then fails the
// call before any copy).
bool InfoOfMap(int fd, bpf_map_info* info) {
  *info = {};
  union bpf_attr attr = {};
  attr.info.bpf_fd = static_cast<uint32_t>(fd);
  attr.info.info_len = sizeof(*info);
  attr.info.info = reinterpret_cast<uintptr_t>(info);
  return syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)) == 0;
}

// True for a map whose values are fds of programs or maps.
bool FdValued(int map_fd) {
  bpf_map_info info;
  if (!InfoOfMap(map_fd, &info)) return false;
  return info.type == BPF_MAP_TYPE_PROG_ARRAY || info.type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
         info.type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

// The bytes a key and a value of the map take in a syscall (per-CPU maps: every possible CPU's
// value, 8-byte aligned). false when fd is no map.
bool MapSizes(int fd, uint64_t* key, uint64_t* value) {
  bpf_map_info info;
  if (!InfoOfMap(fd, &info)) return false;
  *key = info.key_size;
  *value = info.value_size;
  if (info.type == BPF_MAP_TYPE_PERCPU_HASH || info.type == BPF_MAP_TYPE_PERCPU_ARRAY ||
      info.type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
      info.type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE) {
    int cpus = libbpf_num_possible_cpus();
    if (cpus <= 0) return false;
    *value = (*value + 7) / 8 * 8 * static_cast<uint64_t>(cpus);
  }
  return true;
}

uint64_t Read(const std::vector<uint8_t>& b, size_t off, size_t width) {
  uint64_t v = 0;
  if (off < b.size() && width <= b.size() - off) std::memcpy(&v, b.data() + off, width);
  return v;
}

// One SYS_BPF call being checked.
class Checker {
 public:
  // sizes_only (--unrestricted): no policy, only what keeps the kernel inside the daemon's
  // copies (Unsafe); Refuse then lets the call through and no object counts as foreign.
  Checker(Session& s, int cmd, const BpfCall& call)
      : s_(s), cmd_(cmd), call_(call), sizes_only_(s.unrestricted()) {}

  uint32_t U32(size_t off) const { return static_cast<uint32_t>(Read(call_.attr(), off, 4)); }
  uint64_t U64(size_t off) const { return Read(call_.attr(), off, 8); }
  bool Foreign(uint64_t fd) const {
    return !sizes_only_ && fd <= INT32_MAX && s_.IsForeignFd(static_cast<int>(fd));
  }
  bool ForeignAt(size_t fd_off) const { return Foreign(U32(fd_off)); }

  int Refuse(std::string_view why) const {
    if (sizes_only_) return 0;
    std::fprintf(stderr, "bpfd: policy: SYS_BPF %s refused (%.*s; --unrestricted lifts this)\n",
                 CmdName(cmd_).c_str(), static_cast<int>(why.size()), why.data());
    return -EACCES;
  }

  // A call the kernel would make read or write past the daemon's copies (or at an address in
  // the daemon it was never sent): refused in every mode, -EFAULT when unrestricted.
  int Unsafe(std::string_view why) const {
    if (!sizes_only_) return Refuse(why);
    std::fprintf(stderr, "bpfd: SYS_BPF %s refused (%.*s: the kernel would reach past the copy)\n",
                 CmdName(cmd_).c_str(), static_cast<int>(why.size()), why.data());
    return -EFAULT;
  }

  // The buffer whose pointer sits at `off` in the attr (parent -1) or in buffer `parent`.
  const SysBpfBuffer* Buffer(int parent, size_t off, int* index = nullptr) const {
    for (size_t i = 0; i < call_.buffers().size(); ++i) {
      const SysBpfBuffer& b = call_.buffers()[i];
      if (b.slot.parent != parent || b.slot.off != off) continue;
      if (index) *index = static_cast<int>(i);
      return &b;
    }
    return nullptr;
  }

  // Every pointer in `ptrs` (of the attr, or of buffer `parent`) must be 0, have a zero count,
  // or be one the daemon copied: anything else would be an address in the daemon itself. A
  // copied buffer must hold all the bytes its count gives the kernel (a string its NUL), or
  // the kernel would read or write the daemon's memory past it.
  int Pointers(std::initializer_list<Ptr> ptrs, int parent = -1) const {
    const std::vector<uint8_t>& b = parent < 0 ? call_.attr() : call_.buffers()[parent].data;
    for (const Ptr& p : ptrs) {
      uint64_t count = p.len == SIZE_MAX ? 0 : Read(b, p.len, 4);
      uint64_t bytes = count * (p.rec == SIZE_MAX ? p.unit : Read(b, p.rec, 4));
      if (const SysBpfBuffer* buf = Buffer(parent, p.off)) {
        const std::vector<uint8_t>& d = buf->data;
        if (d.size() < bytes) return Unsafe("a buffer shorter than the kernel is told");
        if (p.str && std::memchr(d.data(), 0, d.size()) == nullptr)
          return Unsafe("a string without its NUL");
        continue;
      }
      if (Read(b, p.off, 8) == 0 || (p.len != SIZE_MAX && count == 0)) continue;
      return Unsafe("a pointer the daemon did not copy");
    }
    return 0;
  }

  // The buffer at `off` in the attr, if any, must hold `bytes`.
  int Holds(size_t off, uint64_t bytes) const {
    const SysBpfBuffer* buf = Buffer(-1, off);
    if (buf && buf->data.size() < bytes) return Unsafe("a buffer shorter than the map's sizes");
    return 0;
  }

  // Bytes from `end` on are fields newer than this daemon: they must be zero.
  int KnownFields(size_t end) const {
    const std::vector<uint8_t>& a = call_.attr();
    for (size_t i = end; i < a.size(); ++i)
      if (a[i] != 0) return Refuse("a field newer than this daemon");
    return 0;
  }

  // Pointers(ptrs), then KnownFields(end).
  int Fields(std::initializer_list<Ptr> ptrs, size_t end) const {
    int r = Pointers(ptrs);
    return r < 0 ? r : KnownFields(end);
  }

  // The object whose fd is at fd_off must be the session's own ("what": "a link"...), and the
  // fields from `end` on zero.
  int Own(size_t fd_off, std::string_view what, size_t end) const {
    if (ForeignAt(fd_off)) return Refuse(std::string(what) + " the session did not create");
    return KnownFields(end);
  }

  Session& s_;
  int cmd_;
  const BpfCall& call_;
  bool sizes_only_;
};

int CheckMapElem(const Checker& c) {
  int cmd = c.cmd_;
  if (int r = c.Fields({{OFF(key)}, {OFF(value)}}, END(flags)); r < 0) return r;
  uint64_t key, value;
  if (MapSizes(static_cast<int>(c.U32(OFF(map_fd))), &key, &value)) {
    if (int r = c.Holds(OFF(key), key); r < 0) return r;
    if (int r = c.Holds(OFF(value), cmd == BPF_MAP_GET_NEXT_KEY ? key : value); r < 0) return r;
  }
  if (cmd == BPF_MAP_LOOKUP_ELEM || cmd == BPF_MAP_GET_NEXT_KEY) return 0;
  if (c.ForeignAt(OFF(map_fd))) return c.Refuse("a map the session did not create is read-only");
  if (cmd != BPF_MAP_UPDATE_ELEM) return 0;
  const SysBpfBuffer* v = c.Buffer(-1, OFF(value));
  if (v && c.Foreign(Read(v->data, 0, 4)) && FdValued(static_cast<int>(c.U32(OFF(map_fd)))))
    return c.Refuse("an object the session did not create cannot go into its maps");
  return 0;
}

int CheckMapBatch(const Checker& c) {
  int cmd = c.cmd_;
  if (int r = c.Pointers(
          {{OFF(batch.in_batch)}, {OFF(batch.out_batch)}, {OFF(batch.keys)}, {OFF(batch.values)}});
      r < 0)
    return r;
  if (int r = c.KnownFields(END(batch.flags)); r < 0) return r;
  uint64_t key, value, count = c.U32(OFF(batch.count));
  if (MapSizes(static_cast<int>(c.U32(OFF(batch.map_fd))), &key, &value)) {
    // A hash map's batch position is a u32 bucket, an array's a key.
    for (size_t pos : {OFF(batch.in_batch), OFF(batch.out_batch)})
      if (int r = c.Holds(pos, std::max<uint64_t>(key, 4)); r < 0) return r;
    if (int r = c.Holds(OFF(batch.keys), count * key); r < 0) return r;
    if (int r = c.Holds(OFF(batch.values), count * value); r < 0) return r;
  }
  if (cmd == BPF_MAP_LOOKUP_BATCH) return 0;
  if (c.ForeignAt(OFF(batch.map_fd)))
    return c.Refuse("a map the session did not create is read-only");
  const SysBpfBuffer* v = c.Buffer(-1, OFF(batch.values));
  if (cmd != BPF_MAP_UPDATE_BATCH || !v || !FdValued(static_cast<int>(c.U32(OFF(batch.map_fd)))))
    return 0;
  for (size_t i = 0; i + 4 <= v->data.size(); i += 4)
    if (c.Foreign(Read(v->data, i, 4)))
      return c.Refuse("an object the session did not create cannot go into its maps");
  return 0;
}

// The instructions: no acting helper, no foreign map (a program can write any map it uses).
int CheckInsns(const Checker& c) {
  uint32_t cnt = c.U32(OFF(insn_cnt));
  const SysBpfBuffer* b = c.Buffer(-1, OFF(insns));
  if (cnt == 0) return 0;
  if (!b || b->data.size() / sizeof(bpf_insn) < cnt)
    return c.Refuse("instructions the daemon was not sent");
  const SysBpfBuffer* fds = c.Buffer(-1, OFF(fd_array));
  std::vector<bpf_insn> insns(cnt);
  std::memcpy(insns.data(), b->data.data(), cnt * sizeof(bpf_insn));
  if (std::string why = ActingHelperCall(insns); !why.empty()) return c.Refuse(why);
  if (std::string why = RefusedKfuncCall(insns); !why.empty()) return c.Refuse(why);
  for (uint32_t i = 0; i < cnt; ++i) {
    const bpf_insn& in = insns[i];
    if (in.code == (BPF_LD | BPF_IMM | BPF_DW)) {
      uint64_t fd = UINT64_MAX;
      if (in.src_reg == BPF_PSEUDO_MAP_FD || in.src_reg == BPF_PSEUDO_MAP_VALUE)
        fd = static_cast<uint32_t>(in.imm);
      if ((in.src_reg == BPF_PSEUDO_MAP_IDX || in.src_reg == BPF_PSEUDO_MAP_IDX_VALUE) && fds)
        fd = Read(fds->data, static_cast<uint32_t>(in.imm) * 4ull, 4);
      if (c.Foreign(fd)) return c.Refuse("the program would use a map the session did not create");
      ++i;  // the second half of ld_imm64
    }
  }
  return 0;
}

int CheckProgLoad(const Checker& c) {
  if (int r = c.Pointers({{OFF(insns), OFF(insn_cnt), sizeof(bpf_insn)},
                          {.off = OFF(license), .str = true},
                          {OFF(log_buf), OFF(log_size)},
                          {OFF(func_info), OFF(func_info_cnt), 1, OFF(func_info_rec_size)},
                          {OFF(line_info), OFF(line_info_cnt), 1, OFF(line_info_rec_size)},
                          {OFF(fd_array)},
                          {OFF(core_relos), OFF(core_relo_cnt), 1, OFF(core_relo_rec_size)}});
      r < 0)
    return r;
  if (int r = c.KnownFields(END(core_relo_rec_size)); r < 0) return r;
  if (const char* why = RefusedProgType(c.U32(OFF(prog_type)), c.U32(OFF(expected_attach_type))))
    return c.Refuse(why);
  if (c.U32(OFF(prog_type)) == BPF_PROG_TYPE_EXT && c.ForeignAt(OFF(attach_prog_fd)))
    return c.Refuse("it would replace code of a program the session did not create");
  return CheckInsns(c);
}

// True when no component of path is "..".
bool NoDotDot(std::string_view path) {
  for (size_t i = 0; i <= path.size();) {
    size_t j = std::min(path.find('/', i), path.size());
    if (path.substr(i, j - i) == "..") return false;
    i = j + 1;
  }
  return true;
}

// OBJ_GET: a NUL-terminated path under /sys/fs/bpf without "..", and no flags but read/write.
int CheckObjGet(const Checker& c) {
  if (int r = c.Fields({{.off = OFF(pathname), .str = true}}, END(file_flags)); r < 0) return r;
  if (c.U32(OFF(file_flags)) & ~uint32_t{BPF_F_RDONLY | BPF_F_WRONLY})
    return c.Refuse("flags other than read/write");
  const SysBpfBuffer* b = c.Buffer(-1, OFF(pathname));
  std::string_view data =
      b ? std::string_view(reinterpret_cast<const char*>(b->data.data()), b->data.size())
        : std::string_view();
  std::string_view path = data.substr(0, data.find('\0'));
  if (path.size() == data.size() || !path.starts_with("/sys/fs/bpf/") || !NoDotDot(path))
    return c.Refuse("a path outside /sys/fs/bpf");
  return 0;
}

// OBJ_GET_INFO_BY_FD: the info struct's own pointers too (prog, BTF, link infos have some).
int CheckInfo(const Checker& c) {
  if (int r = c.Fields({{OFF(info.info), OFF(info.info_len)}}, END(info.info)); r < 0) return r;
  int idx = -1;
  const SysBpfBuffer* b = c.Buffer(-1, OFF(info.info), &idx);
  if (!b || b->dir == 'o') return 0;  // 'o' buffers arrive zeroed: no pointers in them
#define P(field) offsetof(struct bpf_prog_info, field)
  switch (KindOf(static_cast<int>(c.U32(OFF(info.bpf_fd))))) {
    case ObjKind::kMap:
      return 0;
    case ObjKind::kProg:
      return c.Pointers(
          {{P(jited_prog_insns), P(jited_prog_len)},
           {P(xlated_prog_insns), P(xlated_prog_len)},
           {P(map_ids), P(nr_map_ids), 4},
           {P(jited_ksyms), P(nr_jited_ksyms), 8},
           {P(jited_func_lens), P(nr_jited_func_lens), 4},
           {P(func_info), P(nr_func_info), 1, P(func_info_rec_size)},
           {P(line_info), P(nr_line_info), 1, P(line_info_rec_size)},
           {P(jited_line_info), P(nr_jited_line_info), 1, P(jited_line_info_rec_size)},
           {P(prog_tags), P(nr_prog_tags), BPF_TAG_SIZE}},
          idx);
    case ObjKind::kBtf:
      return c.Pointers(
          {{offsetof(struct bpf_btf_info, btf), offsetof(struct bpf_btf_info, btf_size)},
           {offsetof(struct bpf_btf_info, name), offsetof(struct bpf_btf_info, name_len)}},
          idx);
    case ObjKind::kLink:
      // Each link type has its own pointers in the union (and newer kernels more types): any
      // word there that could be an address must be one the daemon copied.
      for (size_t off = offsetof(struct bpf_link_info, raw_tracepoint); off + 8 <= b->data.size();
           off += 8)
        if (Read(b->data, off, 8) >= kFirstAddress && !c.Buffer(idx, off))
          return c.Refuse("a pointer the daemon did not copy");
      return 0;
    case ObjKind::kUnknown:
      return c.Refuse("not a bpf object whose info layout the daemon knows");
  }
#undef P
  return 0;
}

int CheckLinkCreate(const Checker& c) {
  if (c.ForeignAt(OFF(link_create.prog_fd)))
    return c.Refuse("a program the session did not create");
  uint32_t type = c.U32(OFF(link_create.attach_type));
  const TracingAttach* t = nullptr;
  for (const TracingAttach& a : kTracingAttach)
    if (a.type == type) t = &a;
  if (!t) return c.Refuse("attach type " + std::to_string(type) + " is not a tracing one");
  if (int r = c.KnownFields(t->end); r < 0) return r;
  switch (type) {
    case BPF_TRACE_ITER: {
      if (int r = c.Pointers({{OFF(link_create.iter_info), OFF(link_create.iter_info_len)}}); r < 0)
        return r;
      const SysBpfBuffer* info = c.Buffer(-1, OFF(link_create.iter_info));
      if (info && c.Foreign(Read(info->data, offsetof(bpf_iter_link_info, map.map_fd), 4)))
        return c.Refuse("an iterator over a map the session did not create can write it");
      return 0;
    }
    case BPF_TRACE_KPROBE_MULTI:
      // syms is an array of pointers the daemon would have to follow too: addresses only.
      if (c.U64(OFF(link_create.kprobe_multi.syms)))
        return c.Refuse("kprobe_multi by symbol names (send addresses)");
      return c.Pointers(
          {{OFF(link_create.kprobe_multi.addrs), OFF(link_create.kprobe_multi.cnt), 8},
           {OFF(link_create.kprobe_multi.cookies), OFF(link_create.kprobe_multi.cnt), 8}});
    case kTraceUprobeMulti:  // path, offsets, ref_ctr_offsets, cookies; cnt after them
      return c.Pointers({{.off = kLinkUnion, .str = true},
                         {kLinkUnion + 8, kLinkUnion + 32, 8},
                         {kLinkUnion + 16, kLinkUnion + 32, 8},
                         {kLinkUnion + 24, kLinkUnion + 32, 8}});
  }
  return 0;
}

int CheckCommand(const Checker& c) {
  switch (c.cmd_) {
    case BPF_MAP_CREATE:
      if (c.U32(OFF(map_type)) == BPF_MAP_TYPE_STRUCT_OPS)
        return c.Refuse("a struct_ops map replaces kernel code");
      return c.KnownFields(END(map_extra));
    case BPF_MAP_LOOKUP_ELEM:
    case BPF_MAP_UPDATE_ELEM:
    case BPF_MAP_DELETE_ELEM:
    case BPF_MAP_GET_NEXT_KEY:
    case BPF_MAP_LOOKUP_AND_DELETE_ELEM:
      return CheckMapElem(c);
    case BPF_MAP_FREEZE:
      return c.Own(OFF(map_fd), "a map", END(map_fd));
    case BPF_MAP_LOOKUP_BATCH:
    case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
    case BPF_MAP_UPDATE_BATCH:
    case BPF_MAP_DELETE_BATCH:
      return CheckMapBatch(c);
    case BPF_PROG_LOAD:
      return CheckProgLoad(c);
    case BPF_OBJ_PIN:
      if (int r = c.Pointers({{.off = OFF(pathname), .str = true}}); r < 0) return r;
      return c.Refuse("a pin outlives the session");
    case BPF_OBJ_GET:
      return CheckObjGet(c);
    case BPF_PROG_ATTACH:
    case BPF_PROG_DETACH:
      return c.Refuse("a legacy attachment outlives the session");
    case BPF_PROG_TEST_RUN:
      if (c.ForeignAt(OFF(test.prog_fd))) return c.Refuse("a program the session did not create");
      return c.Fields({{OFF(test.data_in), OFF(test.data_size_in)},
                       {OFF(test.data_out), OFF(test.data_size_out)},
                       {OFF(test.ctx_in), OFF(test.ctx_size_in)},
                       {OFF(test.ctx_out), OFF(test.ctx_size_out)}},
                      END(test.batch_size));
    case BPF_PROG_GET_NEXT_ID:
    case BPF_MAP_GET_NEXT_ID:
    case BPF_BTF_GET_NEXT_ID:
    case BPF_LINK_GET_NEXT_ID:
    case BPF_PROG_GET_FD_BY_ID:
    case BPF_MAP_GET_FD_BY_ID:
    case BPF_BTF_GET_FD_BY_ID:
    case BPF_LINK_GET_FD_BY_ID:
      return c.KnownFields(END(open_flags));
    case BPF_OBJ_GET_INFO_BY_FD:
      return CheckInfo(c);
    case BPF_PROG_QUERY:
      return c.Fields({{OFF(query.prog_ids), OFF(query.prog_cnt), 4},
                       {OFF(query.prog_attach_flags), OFF(query.prog_cnt), 4}},
                      END(query.prog_attach_flags));
    case BPF_RAW_TRACEPOINT_OPEN:
      if (c.ForeignAt(OFF(raw_tracepoint.prog_fd)))
        return c.Refuse("a program the session did not create");
      return c.Fields({{.off = OFF(raw_tracepoint.name), .str = true}}, kRawTpEnd);
    case BPF_BTF_LOAD:
      return c.Fields({{OFF(btf), OFF(btf_size)}, {OFF(btf_log_buf), OFF(btf_log_size)}},
                      END(btf_log_level));
    case BPF_TASK_FD_QUERY:
      return c.Fields({{OFF(task_fd_query.buf), OFF(task_fd_query.buf_len)}},
                      END(task_fd_query.probe_addr));
    case BPF_LINK_CREATE:
      return CheckLinkCreate(c);
    case BPF_LINK_UPDATE:
      if (c.ForeignAt(OFF(link_update.link_fd)) || c.ForeignAt(OFF(link_update.new_prog_fd)))
        return c.Refuse("a link or program the session did not create");
      return c.KnownFields(END(link_update.old_prog_fd));
    case BPF_LINK_DETACH:
      return c.Own(OFF(link_detach.link_fd), "a link", END(link_detach.link_fd));
    case BPF_ENABLE_STATS:
      return c.KnownFields(END(enable_stats.type));
    case BPF_ITER_CREATE:
      return c.Own(OFF(iter_create.link_fd), "a link", END(iter_create.flags));
    case BPF_PROG_BIND_MAP:
      return c.Own(OFF(prog_bind_map.prog_fd), "a program", END(prog_bind_map.flags));
    default:
      return c.Refuse("not a command tracing needs");
  }
}

// Runs the call with the u32 at `off` replaced by `value` (the attr grown to hold it if short),
// then puts the client's bytes and size back for the reply.
long CallWith(BpfCall& call, int cmd, size_t off, uint32_t value) {
  std::vector<uint8_t>& attr = call.mutable_attr();
  size_t size = attr.size();
  if (attr.size() < off + 4) attr.resize(off + 4, 0);
  uint32_t saved;
  std::memcpy(&saved, attr.data() + off, 4);
  std::memcpy(attr.data() + off, &value, 4);
  long r = call.Call(cmd);
  std::memcpy(attr.data() + off, &saved, 4);
  attr.resize(size);
  return r;
}

}  // namespace

long CallBpfUnderPolicy(Session& s, int cmd, BpfCall& call) {
  Checker c(s, cmd, call);
  if (int r = CheckCommand(c); r < 0) return r;
  if (s.unrestricted()) return call.Call(cmd);
  constexpr uint32_t kWriteFlags = BPF_F_RDONLY | BPF_F_WRONLY;
  if (cmd == BPF_MAP_GET_FD_BY_ID)
    return CallWith(call, cmd, OFF(open_flags),
                    (c.U32(OFF(open_flags)) & ~kWriteFlags) | BPF_F_RDONLY);
  if (cmd == BPF_OBJ_GET && !(c.U32(OFF(file_flags)) & BPF_F_RDONLY)) {
    // A map opens read-only; a link refuses the flag (-EINVAL) and opens as the client asked.
    long r = CallWith(call, cmd, OFF(file_flags), BPF_F_RDONLY);
    if (r != -EINVAL) return r;
  }
  return call.Call(cmd);
}

bool BpfCmdOpensExisting(int cmd) {
  return cmd == BPF_OBJ_GET || cmd == BPF_PROG_GET_FD_BY_ID || cmd == BPF_MAP_GET_FD_BY_ID ||
         cmd == BPF_BTF_GET_FD_BY_ID || cmd == BPF_LINK_GET_FD_BY_ID;
}

int CheckPerfSetBpf(Session& s, int prog_fd) {
  if (!s.IsForeignFd(prog_fd)) return 0;
  std::fprintf(stderr,
               "bpfd: policy: SYS_IOCTL PERF_EVENT_IOC_SET_BPF refused (a program the session did "
               "not create; --unrestricted lifts this)\n");
  return -EACCES;
}

}  // namespace bpfd
