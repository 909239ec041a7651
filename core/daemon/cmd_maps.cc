// Map commands: BPF_CREATE_MAP, BPF_UPDATE_ELEM, BPF_LOOKUP_ELEM, BPF_GET_FIRST_KEY (incl. the
// whole-map dump), BPF_GET_NEXT_KEY, BPF_DELETE_ELEM, BPF_CLEAR_MAP.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>

#include "core/wire/base64.h"
#include "core/daemon/handler.h"
#include "core/wire/map_record.h"
#include "core/wire/tokens.h"

namespace bpfd {
namespace {

int QueryMapInfo(int fd, MapInfo* info) {
  bpf_map_info mi;
  std::memset(&mi, 0, sizeof(mi));
  uint32_t len = sizeof(mi);
  int r = bpf_obj_get_info_by_fd(fd, &mi, &len);
  if (r < 0) return r;
  info->type = mi.type;
  info->key_size = mi.key_size;
  info->value_size = mi.value_size;
  info->max_entries = mi.max_entries;
  int ncpus = MapTypeIsPerCpu(mi.type) ? libbpf_num_possible_cpus() : 1;
  if (ncpus <= 0) return ncpus < 0 ? ncpus : -EINVAL;
  uint64_t vbuf = ValueBufSize(mi.type, mi.value_size, static_cast<uint32_t>(ncpus));
  if (vbuf > UINT32_MAX) return -E2BIG;
  info->value_buf_size = static_cast<uint32_t>(vbuf);
  return 0;
}

// The session's map behind the fd argument, checking the claimed key/value lengths against it.
// check_vlen=false skips the value length. Returns 0, or -EINVAL.
int CheckMap(Session& s, int fd, uint64_t klen, uint64_t vlen, bool check_vlen,
             const MapInfo** out) {
  const MapInfo* m = s.FindMap(fd);
  if (!m || klen > kMaxKeyLen || klen != m->key_size) return -EINVAL;
  if (check_vlen && (vlen > kMaxValueLen || vlen != m->value_buf_size)) return -EINVAL;
  *out = m;
  return 0;
}

// The prologue of the commands taking "map_fd key klen": the session's map checked (and vlen
// when check_vlen) and the key decoded to exactly klen bytes. 0 or -EINVAL.
int MapAndKey(Session& s, int fd, std::string_view key_b64, uint64_t klen, uint64_t vlen,
              bool check_vlen, std::vector<uint8_t>* key) {
  const MapInfo* m = nullptr;
  int ret = CheckMap(s, fd, klen, vlen, check_vlen, &m);
  return ret == 0 ? DecodeExact(key_b64, klen, key) : ret;
}

// Appends base64(data) + '\n' to the reply.
void AppendB64Line(CommandReply& r, const std::vector<uint8_t>& data) {
  Base64Append(data.data(), data.size(), r.raw());
  r.raw()->push_back('\n');
}

// The reply of lookups: base64(data) when ret is 0, else "<ret_name>: ret=<ret>".
Verdict B64OrRet(CommandReply& r, int ret, const std::vector<uint8_t>& data) {
  if (ret != 0) return r.Ret(ret);
  AppendB64Line(r, data);
  return Verdict::kDone;
}

// Walks the map's keys (at most max_entries, so a concurrently modified hash map cannot loop
// forever), calling fn(key) for each. Returns the number visited, or -errno from the kernel.
template <typename Fn>
int64_t ForEachKey(int fd, const MapInfo& m, Fn fn) {
  std::vector<uint8_t> key(m.key_size), next(m.key_size);
  int r = bpf_map_get_next_key(fd, nullptr, key.data());
  if (r == -ENOENT) return 0;
  if (r < 0) return r;
  int64_t n = 0;
  while (true) {
    int fr = fn(key);
    if (fr < 0) return fr;
    if (++n >= m.max_entries) break;
    r = bpf_map_get_next_key(fd, key.data(), next.data());
    if (r == -ENOENT) break;
    if (r < 0) return r;
    key.swap(next);
  }
  return n;
}

// BPF_CREATE_MAP type name key_size value_size max_entries map_flags
// (also the original 2017 form without a name: type key_size value_size max_entries map_flags)
Verdict CmdCreateMap(Session& s, Args a, CommandReply& r) {
  uint32_t type, ks, vs, me, flags;
  std::string_view name = "__none__";
  size_t i = 1;
  if (a.size() >= 6) name = a[i++];  // current form; a bare 5-number line is the old one
  if (!ParseUint32(a[0], &type) || !ParseUint32(a[i], &ks) || !ParseUint32(a[i + 1], &vs) ||
      !ParseUint32(a[i + 2], &me) || !ParseUint32(a[i + 3], &flags))
    return Verdict::kBadArgs;
  if (r.NoKernel(s)) return Verdict::kDone;
  std::string obj_name = ObjName(name);
  LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = flags);
  int fd = bpf_map_create(static_cast<bpf_map_type>(type), obj_name.empty() ? nullptr : obj_name.c_str(),
                          ks, vs, me, &opts);
  if (fd == -EINVAL && !obj_name.empty()) {
    // Kernels before 4.15 reject any name: retry without one, as BCC does.
    fd = bpf_map_create(static_cast<bpf_map_type>(type), nullptr, ks, vs, me, &opts);
  }
  if (fd < 0) return r.Ret(fd);
  UniqueFd owned(fd);
  MapInfo info;
  int q = QueryMapInfo(fd, &info);
  if (q < 0) return r.Ret(q);
  return r.Ret(s.AddMap(std::move(owned), info));
}

// BPF_UPDATE_ELEM map_fd key klen value vlen flags
Verdict CmdUpdateElem(Session& s, Args a, CommandReply& r) {
  int fd;
  uint64_t klen, vlen, flags;
  if (!ParseInt(a[0], &fd) || !ParseUint64(a[2], &klen) || !ParseUint64(a[4], &vlen) ||
      !ParseUint64(a[5], &flags))
    return Verdict::kBadArgs;
  std::vector<uint8_t> key, value;
  int ret = MapAndKey(s, fd, a[1], klen, vlen, true, &key);
  if (ret == 0) ret = DecodeExact(a[3], vlen, &value);
  if (ret == 0 && r.NoKernel(s)) return Verdict::kDone;
  if (ret == 0) ret = bpf_map_update_elem(fd, key.data(), value.data(), flags);
  return r.Ret(ret);
}

// BPF_LOOKUP_ELEM map_fd key klen vlen -> base64 value
Verdict CmdLookupElem(Session& s, Args a, CommandReply& r) {
  int fd;
  uint64_t klen, vlen;
  if (!ParseInt(a[0], &fd) || !ParseUint64(a[2], &klen) || !ParseUint64(a[3], &vlen))
    return Verdict::kBadArgs;
  std::vector<uint8_t> key, value;
  int ret = MapAndKey(s, fd, a[1], klen, vlen, true, &key);
  if (ret == 0 && r.NoKernel(s)) return Verdict::kDone;
  if (ret == 0) {
    value.resize(vlen);
    ret = bpf_map_lookup_elem(fd, key.data(), value.data());
  }
  return B64OrRet(r, ret, value);
}

// BPF_GET_FIRST_KEY map_fd klen vlen dump_all -> base64 first key, or with dump_all=1 the
// whole map as alternating key and value lines (one round trip, linear time).
Verdict CmdGetFirstKey(Session& s, Args a, CommandReply& r) {
  int fd;
  uint64_t klen, vlen;
  uint32_t dump_all;
  if (!ParseInt(a[0], &fd) || !ParseUint64(a[1], &klen) || !ParseUint64(a[2], &vlen) ||
      !ParseUint32(a[3], &dump_all) || dump_all > 1)
    return Verdict::kBadArgs;
  const MapInfo* m = nullptr;
  int ret = CheckMap(s, fd, klen, vlen, dump_all == 1, &m);
  if (ret == 0 && r.NoKernel(s)) return Verdict::kDone;
  if (ret < 0) return r.Ret(ret);
  if (!dump_all) {
    std::vector<uint8_t> key(klen);
    return B64OrRet(r, bpf_map_get_next_key(fd, nullptr, key.data()), key);
  }
  std::vector<uint8_t> value(vlen);
  size_t pairs = 0;
  int64_t n = ForEachKey(fd, *m, [&](const std::vector<uint8_t>& key) {
    int lr = bpf_map_lookup_elem(fd, key.data(), value.data());
    if (lr == -ENOENT) return 0;  // deleted while we walked: skip it
    if (lr < 0) return lr;
    AppendB64Line(r, key);
    AppendB64Line(r, value);
    ++pairs;
    return 0;
  });
  if (n < 0 || pairs == 0) {
    r.Clear();
    r.Ret(n < 0 ? n : -ENOENT);
  }
  return Verdict::kDone;
}

// BPF_GET_NEXT_KEY map_fd key klen -> base64 next key
Verdict CmdGetNextKey(Session& s, Args a, CommandReply& r) {
  int fd;
  uint64_t klen;
  if (!ParseInt(a[0], &fd) || !ParseUint64(a[2], &klen)) return Verdict::kBadArgs;
  std::vector<uint8_t> key, next;
  int ret = MapAndKey(s, fd, a[1], klen, 0, false, &key);
  if (ret == 0 && r.NoKernel(s)) return Verdict::kDone;
  if (ret == 0) {
    next.resize(klen);
    ret = bpf_map_get_next_key(fd, key.data(), next.data());
  }
  return B64OrRet(r, ret, next);
}

// BPF_DELETE_ELEM map_fd key klen
Verdict CmdDeleteElem(Session& s, Args a, CommandReply& r) {
  int fd;
  uint64_t klen;
  if (!ParseInt(a[0], &fd) || !ParseUint64(a[2], &klen)) return Verdict::kBadArgs;
  std::vector<uint8_t> key;
  int ret = MapAndKey(s, fd, a[1], klen, 0, false, &key);
  if (ret == 0 && r.NoKernel(s)) return Verdict::kDone;
  if (ret == 0) ret = bpf_map_delete_elem(fd, key.data());
  return r.Ret(ret);
}

// BPF_CLEAR_MAP map_fd klen -> number of entries deleted
Verdict CmdClearMap(Session& s, Args a, CommandReply& r) {
  int fd;
  uint64_t klen;
  if (!ParseInt(a[0], &fd) || !ParseUint64(a[1], &klen)) return Verdict::kBadArgs;
  const MapInfo* m = nullptr;
  int ret = CheckMap(s, fd, klen, 0, false, &m);
  if (ret == 0 && r.NoKernel(s)) return Verdict::kDone;
  if (ret < 0) return r.Ret(ret);
  // Collect first, then delete: deleting while walking would restart a hash walk each time.
  std::vector<uint8_t> keys;
  int64_t n = ForEachKey(fd, *m, [&](const std::vector<uint8_t>& key) {
    keys.insert(keys.end(), key.begin(), key.end());
    return 0;
  });
  if (n < 0) return r.Ret(n);
  int64_t deleted = 0;
  for (int64_t i = 0; i < n; ++i) {
    int dr = bpf_map_delete_elem(fd, keys.data() + static_cast<size_t>(i) * m->key_size);
    if (dr == -ENOENT) continue;  // already gone
    if (dr < 0) return r.Ret(dr);
    ++deleted;
  }
  return r.Ret(deleted);
}

constexpr Command kMapCommands[] = {
    {"BPF_CREATE_MAP", 5, "bpf_create_map", CmdCreateMap},
    {"BPF_UPDATE_ELEM", 6, "bpf_update_elem", CmdUpdateElem},
    {"BPF_LOOKUP_ELEM", 4, "bpf_lookup_elem", CmdLookupElem},
    {"BPF_GET_FIRST_KEY", 4, "bpf_get_first_key", CmdGetFirstKey},
    {"BPF_GET_NEXT_KEY", 3, "bpf_get_next_key", CmdGetNextKey},
    {"BPF_DELETE_ELEM", 3, "bpf_delete_elem", CmdDeleteElem},
    {"BPF_CLEAR_MAP", 2, "bpf_clear_map", CmdClearMap},
};

}  // namespace

CommandGroup MapCommands() { return kMapCommands; }

}  // namespace bpfd
