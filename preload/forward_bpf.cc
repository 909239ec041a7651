// ForwardBpf: which pointers and fds each bpf command carries (uapi linux/bpf.h of libbpf
// 1.1), so SYS_BPF can run it on the target.
#include <linux/bpf.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>

#include "preload/arch_check.h"
#include "preload/bpf_request.h"
#include "preload/map_mirror.h"
#include "preload/snapshot.h"
#include "preload/state.h"

namespace bpfd::preload {
namespace {

#define OFF(field) offsetof(union bpf_attr, field)

constexpr uint64_t kCachedBtfMin = 64 << 10;

uint64_t StrLen(uint64_t p) {
  return p ? std::strlen(reinterpret_cast<const char*>(static_cast<uintptr_t>(p))) + 1 : 0;
}

Obj* MapOf(const BpfRequest& req) {
  Obj* o = State::Get().Find(static_cast<int>(req.U32(OFF(map_fd))));
  if (o && (o->kind == Kind::kMap || o->kind == Kind::kBpfOther)) {
    o->kind = Kind::kMap;
    return o;
  }
  return nullptr;
}

bool FdValued(uint32_t type) {
  return type == BPF_MAP_TYPE_PERF_EVENT_ARRAY || type == BPF_MAP_TYPE_PROG_ARRAY ||
         type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

// Instructions with the target's fd numbers: ld_imm64 of a map (fd or value) or module BTF.
std::string TranslateInsns(const struct bpf_insn* insns, uint32_t cnt, uint32_t* max_idx) {
  std::string out(reinterpret_cast<const char*>(insns), cnt * sizeof(struct bpf_insn));
  auto* x = reinterpret_cast<struct bpf_insn*>(out.data());
  State& st = State::Get();
  for (uint32_t i = 0; i + 1 < cnt; ++i) {
    if (x[i].code != (BPF_LD | BPF_DW | BPF_IMM)) continue;
    switch (x[i].src_reg) {
      case BPF_PSEUDO_MAP_FD:
      case BPF_PSEUDO_MAP_VALUE:
        x[i].imm = st.RemoteFd(x[i].imm);
        break;
      case BPF_PSEUDO_MAP_IDX:
      case BPF_PSEUDO_MAP_IDX_VALUE:
        *max_idx = std::max<uint32_t>(*max_idx, static_cast<uint32_t>(x[i].imm) + 1);
        break;
      case BPF_PSEUDO_BTF_ID:
        if (x[i + 1].imm) x[i + 1].imm = st.RemoteFd(x[i + 1].imm);
        break;
    }
    ++i;
  }
  return out;
}

std::string TranslateFdArray(uint64_t p, uint32_t n) {
  std::string out(reinterpret_cast<const char*>(static_cast<uintptr_t>(p)), n * 4ull);
  auto* fds = reinterpret_cast<int*>(out.data());
  for (uint32_t i = 0; i < n; ++i) fds[i] = State::Get().RemoteFd(fds[i]);
  return out;
}

// bpf_prog_info / bpf_btf_info / raw tracepoint link info: their own pointers.
void InfoPointers(BpfRequest& req, int info, Kind kind) {
  if (info < 0) return;
  const uint8_t* b = req.CallerBytes(info);
  uint64_t len = req.Len(info);
  auto u32 = [&](size_t off) {
    uint32_t v = 0;
    if (off + 4 <= len) std::memcpy(&v, b + off, 4);
    return static_cast<uint64_t>(v);
  };
#define P(field) offsetof(struct bpf_prog_info, field)
  if (kind == Kind::kProg) {
    req.Nested(info, P(jited_prog_insns), 'o', u32(P(jited_prog_len)));
    req.Nested(info, P(xlated_prog_insns), 'o', u32(P(xlated_prog_len)));
    req.Nested(info, P(map_ids), 'o', u32(P(nr_map_ids)) * 4);
    req.Nested(info, P(jited_ksyms), 'o', u32(P(nr_jited_ksyms)) * 8);
    req.Nested(info, P(jited_func_lens), 'o', u32(P(nr_jited_func_lens)) * 4);
    req.Nested(info, P(func_info), 'o', u32(P(nr_func_info)) * u32(P(func_info_rec_size)));
    req.Nested(info, P(line_info), 'o', u32(P(nr_line_info)) * u32(P(line_info_rec_size)));
    req.Nested(info, P(jited_line_info), 'o',
               u32(P(nr_jited_line_info)) * u32(P(jited_line_info_rec_size)));
    req.Nested(info, P(prog_tags), 'o', u32(P(nr_prog_tags)) * BPF_TAG_SIZE);
  } else if (kind == Kind::kBtf) {
    // A kernel's or module's BTF (megabytes; libbpf asks 4 KiB first, then all of it): the
    // host's store keeps it across runs, by size (the daemon compares the contents).
    uint64_t size = u32(offsetof(struct bpf_btf_info, btf_size));
    int btf = req.Nested(info, offsetof(struct bpf_btf_info, btf), 'o', size);
    if (size >= kCachedBtfMin) req.Cache(btf, "bpf:btf/" + std::to_string(size));
    req.Nested(info, offsetof(struct bpf_btf_info, name), 'o',
               u32(offsetof(struct bpf_btf_info, name_len)));
  } else if (kind == Kind::kLink) {
    req.Nested(info, offsetof(struct bpf_link_info, raw_tracepoint.tp_name), 'o',
               u32(offsetof(struct bpf_link_info, raw_tracepoint.tp_name_len)));
  }
#undef P
}

// An update the kernel cannot refuse, so it is posted, not waited for (BCC zeroes its
// counters' arrays one key at a time): of an array this session created writable and has not
// frozen, at an index below max_entries, with BPF_ANY or BPF_EXIST (array_map_update_elem
// refuses only other flags and out-of-range keys), with nothing set past its fields. Only an
// allocation failure could still fail it, which is then one stderr line.
bool UpdateCannotFail(const Obj& map, const BpfRequest& req) {
  if (!map.created || map.frozen || (map.map_flags & BPF_F_RDONLY) || map.key_size != 4 ||
      (map.map_type != BPF_MAP_TYPE_ARRAY && map.map_type != BPF_MAP_TYPE_PERCPU_ARRAY))
    return false;
  const uint64_t flags = req.U64(OFF(flags)), key = req.U64(OFF(key));
  if ((flags != BPF_ANY && flags != BPF_EXIST) || !key || !req.U64(OFF(value)) ||
      !req.ZeroFrom(OFF(flags) + 8))  // the kernel refuses set bytes past the command's fields
    return false;
  uint32_t index;
  std::memcpy(&index, reinterpret_cast<const void*>(static_cast<uintptr_t>(key)), 4);
  return index < map.max_entries;
}

// The commands that make a new object from what the call carries (prefetch.h's creations).
bool Creates(int cmd) {
  return cmd == BPF_MAP_CREATE || cmd == BPF_PROG_LOAD || cmd == BPF_BTF_LOAD;
}

// A bind the kernel cannot refuse, so it is posted (libbpf binds its .rodata map to every
// program it loads, and only warns if that fails): of a program and a map this session made
// (bpf_prog_bind_map refuses only other fds and flags, and returns 0 when already bound), with
// nothing set past its fields. Only an allocation failure could still fail it.
bool BindCannotFail(const BpfRequest& req) {
  const State& st = State::Get();
  const Obj* prog = st.Find(static_cast<int>(req.U32(OFF(prog_bind_map.prog_fd))));
  const Obj* map = st.Find(static_cast<int>(req.U32(OFF(prog_bind_map.map_fd))));
  return prog && map && prog->kind == Kind::kProg && prog->created && map->kind == Kind::kMap &&
         map->created && req.U32(OFF(prog_bind_map.flags)) == 0 &&
         req.ZeroFrom(OFF(prog_bind_map.flags) + 4);
}

// Describes cmd's pointers and fds. Returns false for a command we cannot forward.
bool Describe(int cmd, BpfRequest& req, std::string* scratch, std::string* scratch2) {
  switch (cmd) {
    case BPF_MAP_CREATE:
      req.Fd(OFF(inner_map_fd));
      req.Fd(OFF(btf_fd));
      return true;
    case BPF_MAP_LOOKUP_ELEM:
    case BPF_MAP_LOOKUP_AND_DELETE_ELEM:
    case BPF_MAP_UPDATE_ELEM:
    case BPF_MAP_DELETE_ELEM:
    case BPF_MAP_GET_NEXT_KEY: {
      Obj* map = MapOf(req);
      if (!map) return true;  // not ours: the target answers EBADF
      uint64_t vsize = ValueBufSize(*map);
      req.Fd(OFF(map_fd));
      if (cmd != BPF_MAP_GET_NEXT_KEY || req.U64(OFF(key))) req.Ptr(OFF(key), 'i', map->key_size);
      if (cmd == BPF_MAP_GET_NEXT_KEY) {
        req.Ptr(OFF(next_key), 'o', map->key_size);
      } else if (cmd == BPF_MAP_UPDATE_ELEM) {
        const void* in = nullptr;
        if (FdValued(map->map_type) && vsize >= 4 && req.U64(OFF(value))) {
          scratch->assign(reinterpret_cast<const char*>(req.U64(OFF(value))), vsize);
          int fd;
          std::memcpy(&fd, scratch->data(), 4);
          fd = State::Get().RemoteFd(fd);
          std::memcpy(scratch->data(), &fd, 4);
          in = scratch->data();
        }
        req.Ptr(OFF(value), 'i', vsize, in);
      } else if (cmd != BPF_MAP_DELETE_ELEM) {
        req.Ptr(OFF(value), 'o', vsize);
      }
      return true;
    }
    case BPF_MAP_FREEZE:
      req.Fd(OFF(map_fd));
      return true;
    case BPF_MAP_LOOKUP_BATCH:
    case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
    case BPF_MAP_UPDATE_BATCH:
    case BPF_MAP_DELETE_BATCH: {
      Obj* map = State::Get().Find(static_cast<int>(req.U32(OFF(batch.map_fd))));
      if (!map) return true;
      map->kind = Kind::kMap;
      uint64_t vsize = ValueBufSize(*map), n = req.U32(OFF(batch.count));
      bool in = cmd == BPF_MAP_UPDATE_BATCH || cmd == BPF_MAP_DELETE_BATCH;
      req.Fd(OFF(batch.map_fd));
      req.Ptr(OFF(batch.in_batch), 'i', map->key_size);
      req.Ptr(OFF(batch.out_batch), 'o', map->key_size);
      req.Ptr(OFF(batch.keys), in ? 'i' : 'o', n * map->key_size);
      if (cmd != BPF_MAP_DELETE_BATCH) req.Ptr(OFF(batch.values), in ? 'i' : 'o', n * vsize);
      return true;
    }
    case BPF_PROG_LOAD: {
      uint32_t cnt = req.U32(OFF(insn_cnt)), max_idx = 0;
      if (req.U64(OFF(insns))) {
        const auto* insns = reinterpret_cast<const struct bpf_insn*>(req.U64(OFF(insns)));
        *scratch = TranslateInsns(insns, cnt, &max_idx);
        if (std::memcmp(scratch->data(), insns, scratch->size()) != 0) req.MarkFdTranslated();
        req.Ptr(OFF(insns), 'i', scratch->size(), scratch->data());
      }
      req.Ptr(OFF(license), 'i', StrLen(req.U64(OFF(license))));
      if (req.U32(OFF(log_level))) req.Ptr(OFF(log_buf), 'o', req.U32(OFF(log_size)));
      req.Fd(OFF(prog_btf_fd));
      req.Ptr(OFF(func_info), 'i',
              uint64_t{req.U32(OFF(func_info_cnt))} * req.U32(OFF(func_info_rec_size)));
      req.Ptr(OFF(line_info), 'i',
              uint64_t{req.U32(OFF(line_info_cnt))} * req.U32(OFF(line_info_rec_size)));
      req.Fd(OFF(attach_prog_fd));
      if (req.Has(OFF(fd_array), 8) && req.U64(OFF(fd_array)) && max_idx) {
        *scratch2 = TranslateFdArray(req.U64(OFF(fd_array)), max_idx);
        req.MarkFdTranslated();
        req.Ptr(OFF(fd_array), 'i', scratch2->size(), scratch2->data());
      }
      req.Ptr(OFF(core_relos), 'i',
              uint64_t{req.U32(OFF(core_relo_cnt))} * req.U32(OFF(core_relo_rec_size)));
      return true;
    }
    case BPF_OBJ_PIN:
    case BPF_OBJ_GET:
      req.Ptr(OFF(pathname), 'i', StrLen(req.U64(OFF(pathname))));
      if (cmd == BPF_OBJ_PIN) req.Fd(OFF(bpf_fd));
      return true;
    case BPF_PROG_ATTACH:
    case BPF_PROG_DETACH:
      req.Fd(OFF(attach_bpf_fd));
      req.Fd(OFF(replace_bpf_fd));
      return true;
    case BPF_PROG_TEST_RUN:
      req.Fd(OFF(test.prog_fd));
      req.Ptr(OFF(test.data_in), 'i', req.U32(OFF(test.data_size_in)));
      req.Ptr(OFF(test.data_out), 'o', req.U32(OFF(test.data_size_out)));
      req.Ptr(OFF(test.ctx_in), 'i', req.U32(OFF(test.ctx_size_in)));
      req.Ptr(OFF(test.ctx_out), 'o', req.U32(OFF(test.ctx_size_out)));
      return true;
    case BPF_PROG_GET_NEXT_ID:
    case BPF_MAP_GET_NEXT_ID:
    case BPF_BTF_GET_NEXT_ID:
    case BPF_LINK_GET_NEXT_ID:
    case BPF_PROG_GET_FD_BY_ID:
    case BPF_MAP_GET_FD_BY_ID:
    case BPF_BTF_GET_FD_BY_ID:
    case BPF_LINK_GET_FD_BY_ID:
    case BPF_ENABLE_STATS:
      return true;
    case BPF_OBJ_GET_INFO_BY_FD: {
      Obj* o = State::Get().Find(static_cast<int>(req.U32(OFF(info.bpf_fd))));
      req.Fd(OFF(info.bpf_fd));
      int info = req.Ptr(OFF(info.info), 'x', req.U32(OFF(info.info_len)));
      if (o) InfoPointers(req, info, o->kind);
      return true;
    }
    case BPF_PROG_QUERY:
      req.Ptr(OFF(query.prog_ids), 'o', uint64_t{req.U32(OFF(query.prog_cnt))} * 4);
      return true;
    case BPF_RAW_TRACEPOINT_OPEN:
      req.Ptr(OFF(raw_tracepoint.name), 'i', StrLen(req.U64(OFF(raw_tracepoint.name))));
      req.Fd(OFF(raw_tracepoint.prog_fd));
      return true;
    case BPF_BTF_LOAD:
      req.Ptr(OFF(btf), 'i', req.U32(OFF(btf_size)));
      if (req.U32(OFF(btf_log_level))) req.Ptr(OFF(btf_log_buf), 'o', req.U32(OFF(btf_log_size)));
      return true;
    case BPF_TASK_FD_QUERY:
      req.Ptr(OFF(task_fd_query.buf), 'o', req.U32(OFF(task_fd_query.buf_len)));
      return true;
    case BPF_LINK_CREATE:
      req.Fd(OFF(link_create.prog_fd));
      req.Fd(OFF(link_create.target_fd));
      return true;
    case BPF_LINK_UPDATE:
      req.Fd(OFF(link_update.link_fd));
      req.Fd(OFF(link_update.new_prog_fd));
      req.Fd(OFF(link_update.old_prog_fd));
      return true;
    case BPF_LINK_DETACH:
      req.Fd(OFF(link_detach.link_fd));
      return true;
    case BPF_ITER_CREATE:
      req.Fd(OFF(iter_create.link_fd));
      return true;
    case BPF_PROG_BIND_MAP:
      req.Fd(OFF(prog_bind_map.prog_fd));
      req.Fd(OFF(prog_bind_map.map_fd));
      return true;
    default:
      return false;
  }
}

// The kind of object a successful fd-returning command created, if any.
bool ReturnsFd(int cmd, Kind* kind) {
  switch (cmd) {
    case BPF_MAP_CREATE:
    case BPF_MAP_GET_FD_BY_ID:
      *kind = Kind::kMap;
      return true;
    case BPF_PROG_LOAD:
    case BPF_PROG_GET_FD_BY_ID:
      *kind = Kind::kProg;
      return true;
    case BPF_BTF_LOAD:
    case BPF_BTF_GET_FD_BY_ID:
      *kind = Kind::kBtf;
      return true;
    case BPF_RAW_TRACEPOINT_OPEN:
    case BPF_LINK_CREATE:
    case BPF_LINK_GET_FD_BY_ID:
      *kind = Kind::kLink;
      return true;
    case BPF_OBJ_GET:
    case BPF_ENABLE_STATS:
    case BPF_ITER_CREATE:
      *kind = Kind::kBpfOther;
      return true;
    default:
      return false;
  }
}

}  // namespace

long ForwardBpf(int cmd, union bpf_attr* attr, unsigned size) {
  if (!attr || size == 0 || size > 4096) return FailErrno(-EINVAL);
  State& st = State::Get();
  auto lock = st.Lock();
  BpfRequest req(cmd, attr, size);
  if (cmd == BPF_PROG_LOAD)
    if (int err = CheckProgArch(*attr)) return FailErrno(err);
  PushMirrors();  // the tool's writes to mapped maps reach the target before it acts
  // Map iteration and lookups from a fresh snapshot need no round trip.
  if (cmd == BPF_MAP_GET_NEXT_KEY || cmd == BPF_MAP_LOOKUP_ELEM) {
    if (Obj* map = MapOf(req)) {
      int ret = 0;
      void* key = reinterpret_cast<void*>(req.U64(OFF(key)));
      void* out = reinterpret_cast<void*>(req.U64(OFF(value)));
      bool done = cmd == BPF_MAP_GET_NEXT_KEY ? SnapshotNextKey(*map, key, out, &ret)
                                              : key && out && SnapshotLookup(*map, key, out, &ret);
      if (done) return ret < 0 ? FailErrno(ret) : 0;
    }
  } else if (cmd == BPF_MAP_UPDATE_ELEM || cmd == BPF_MAP_LOOKUP_AND_DELETE_ELEM) {
    if (Obj* map = MapOf(req)) SnapshotDrop(*map);
  }
  // Before Describe, which turns the attr's fds into the target's numbers.
  const Obj* updated = cmd == BPF_MAP_UPDATE_ELEM ? MapOf(req) : nullptr;
  const bool post = (updated && UpdateCannotFail(*updated, req)) ||
                    (cmd == BPF_PROG_BIND_MAP && BindCannotFail(req));
  std::string scratch, scratch2;
  if (!Describe(cmd, req, &scratch, &scratch2)) {
    WarnOnce("bpf command " + std::to_string(cmd) +
             " is not forwarded to the target "
             "(EOPNOTSUPP); please report which tool needs it");
    return FailErrno(-EOPNOTSUPP);
  }
  int64_t ret = 0;
  if (post) {
    req.Post();
  } else {
    ret = req.Send(Creates(cmd) && req.SelfContained());
  }
  // BCC's clear() deletes each key while iterating: the snapshot goes on from the deleted key.
  if (cmd == BPF_MAP_DELETE_ELEM)
    if (Obj* map = MapOf(req))
      SnapshotDeleted(*map, reinterpret_cast<const void*>(req.U64(OFF(key))),
                      static_cast<int>(ret));
  if (ret < 0) return FailErrno(ret);
  if (cmd == BPF_MAP_FREEZE || cmd == BPF_MAP_UPDATE_ELEM || cmd == BPF_MAP_UPDATE_BATCH) {
    Obj* map = State::Get().Find(
        static_cast<int>(cmd == BPF_MAP_UPDATE_BATCH ? attr->batch.map_fd : attr->map_fd));
    if (map && cmd == BPF_MAP_FREEZE) map->frozen = true;
    if (map) MirrorWritten(*map);
  }
  Kind kind;
  if (!ReturnsFd(cmd, &kind)) return static_cast<long>(ret);
  Obj* obj = new Obj();
  obj->kind = kind;
  obj->created = cmd == BPF_MAP_CREATE || cmd == BPF_PROG_LOAD;
  if (cmd == BPF_MAP_CREATE) {
    obj->map_known = true;
    obj->map_type = attr->map_type;
    obj->key_size = attr->key_size;
    obj->value_size = attr->value_size;
    obj->max_entries = attr->max_entries;
    obj->map_flags = attr->map_flags;
  }
  int fd = st.InstallRemote(obj, static_cast<int>(ret));
  return fd < 0 ? FailErrno(fd) : fd;
}

}  // namespace bpfd::preload
