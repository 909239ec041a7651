// Map commands (docs/protocol.md). The v1 commands work on the maps this session created, by fd;
// key and value lengths must match the map's, and data is base64:
//   BPF_CREATE_MAP type [name] key_size value_size max_entries flags -> ret=<the map's fd>
//   BPF_UPDATE_ELEM map_fd key klen value vlen flags  -> ret=<0 or -errno>
//   BPF_LOOKUP_ELEM map_fd key klen vlen              -> the value (ret= line on failure)
//   BPF_GET_FIRST_KEY map_fd klen vlen dump_all       -> the first key, or every key and value
//   BPF_GET_NEXT_KEY map_fd key klen                  -> the next key (ret= line on failure)
//   BPF_DELETE_ELEM map_fd key klen                   -> ret=<0 or -errno>
//   BPF_CLEAR_MAP map_fd klen                         -> ret=<entries deleted>
//
// bpf-mapdump's extensions: what is in the kernel's maps, whoever created them. Every reply
// starts "<ret_name>: ret=<n>" (n < 0: -errno); maps are reached by id and every fd a command
// opens is closed before its reply.
//   MAP_LIST                 -> "map_list: ret=<count>", then one MapRecord line per map
//                               (core/wire/map_record.h), in id order, pinned paths included.
//   MAP_INFO id <id>         -> "map_info: ret=1", then the map's MapRecord line
//   MAP_INFO pinned <b64>    -> same, for the map pinned at the base64-encoded bpffs path
//   MAP_INFO name <name>     -> "map_info: ret=<count>", then a line per map with that name
//                               (ret=-2 when there is none)
//   MAP_DUMP <id>            -> "map_dump: ret=<count>", then "<b64 key> <b64 value>" per
//                               entry; a per-CPU map's value holds every possible CPU's value,
//                               each padded to a multiple of 8 bytes. Built in one pass with
//                               BPF_MAP_LOOKUP_BATCH, or get_next_key + lookup where the
//                               kernel or map type has no batch lookup.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>

#include "core/base/unique_fd.h"
#include "core/daemon/handler.h"
#include "core/kernel/tracefs.h"
#include "core/wire/base64.h"
#include "core/wire/map_record.h"
#include "core/wire/tokens.h"

namespace bpfd {

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

namespace {

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
              bool check_vlen, SmallBytes<>* key) {
  const MapInfo* m = nullptr;
  int ret = CheckMap(s, fd, klen, vlen, check_vlen, &m);
  return ret == 0 ? DecodeExact(key_b64, klen, key) : ret;
}

// Appends base64(data) + '\n' to the reply.
void AppendB64Line(CommandReply& r, std::span<const uint8_t> data) {
  Base64Append(data.data(), data.size(), r.raw());
  r.raw()->push_back('\n');
}

// The reply of lookups: base64(data) when ret is 0, else "<ret_name>: ret=<ret>".
Verdict B64OrRet(CommandReply& r, int ret, std::span<const uint8_t> data) {
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
  int fd = bpf_map_create(static_cast<bpf_map_type>(type),
                          obj_name.empty() ? nullptr : obj_name.c_str(), ks, vs, me, &opts);
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
  SmallBytes<> key, value;
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
  SmallBytes<> key, value;
  int ret = MapAndKey(s, fd, a[1], klen, vlen, true, &key);
  if (ret == 0 && r.NoKernel(s)) return Verdict::kDone;
  if (ret == 0) {
    value.resize(vlen);
    ret = bpf_map_lookup_elem(fd, key.data(), value.data());
  }
  return B64OrRet(r, ret, value.span());
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
  SmallBytes<> key, next;
  int ret = MapAndKey(s, fd, a[1], klen, 0, false, &key);
  if (ret == 0 && r.NoKernel(s)) return Verdict::kDone;
  if (ret == 0) {
    next.resize(klen);
    ret = bpf_map_get_next_key(fd, key.data(), next.data());
  }
  return B64OrRet(r, ret, next.span());
}

// BPF_DELETE_ELEM map_fd key klen
Verdict CmdDeleteElem(Session& s, Args a, CommandReply& r) {
  int fd;
  uint64_t klen;
  if (!ParseInt(a[0], &fd) || !ParseUint64(a[2], &klen)) return Verdict::kBadArgs;
  SmallBytes<> key;
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

// bpf-mapdump's extensions.

constexpr const char* kBpffs = "/sys/fs/bpf";
constexpr int kMaxPinDepth = 16;

int MapInfoOf(int fd, bpf_map_info* mi) {
  std::memset(mi, 0, sizeof(*mi));
  uint32_t len = sizeof(*mi);
  return bpf_obj_get_info_by_fd(fd, mi, &len);
}

// "memlock:" from /proc/self/fdinfo/<fd>; 0 when absent.
uint64_t Memlock(int fd) {
  std::string text;
  if (ReadFile("/proc/self/fdinfo/" + std::to_string(fd), &text) < 0) return 0;
  size_t p = text.find("memlock:");
  if (p == std::string::npos) return 0;
  p += sizeof("memlock:") - 1;
  while (p < text.size() && (text[p] == ' ' || text[p] == '\t')) ++p;
  size_t e = text.find('\n', p);
  uint64_t v = 0;
  return ParseUint64(std::string_view(text).substr(p, e == std::string::npos ? e : e - p), &v) ? v
                                                                                               : 0;
}

bool IsMapFd(int fd) {
  char buf[64];
  std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = ::readlink(link.c_str(), buf, sizeof(buf) - 1);
  return n > 0 && std::string_view(buf, static_cast<size_t>(n)) == "anon_inode:bpf-map";
}

// Every map pinned under dir (recursively, symlinks not followed): map id -> paths.
void WalkPins(const std::string& dir, int depth,
              std::map<uint32_t, std::vector<std::string>>* out) {
  if (depth > kMaxPinDepth) return;
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) return;
  while (dirent* e = ::readdir(d.get())) {
    std::string_view n = e->d_name;
    if (n == "." || n == "..") continue;
    std::string path = dir + "/" + e->d_name;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      WalkPins(path, depth + 1, out);
    } else if (S_ISREG(st.st_mode)) {
      UniqueFd fd(bpf_obj_get(path.c_str()));
      bpf_map_info mi;
      if (fd.get() >= 0 && IsMapFd(fd.get()) && MapInfoOf(fd.get(), &mi) == 0)
        (*out)[mi.id].push_back(path);
    }
  }
}

std::map<uint32_t, std::vector<std::string>> PinnedMaps() {
  std::map<uint32_t, std::vector<std::string>> pins;
  WalkPins(kBpffs, 0, &pins);
  return pins;
}

int RecordOf(int fd, MapRecord* m) {
  bpf_map_info mi;
  int r = MapInfoOf(fd, &mi);
  if (r < 0) return r;
  m->id = mi.id;
  m->type = mi.type;
  m->key_size = mi.key_size;
  m->value_size = mi.value_size;
  m->max_entries = mi.max_entries;
  m->flags = mi.map_flags;
  m->memlock = Memlock(fd);
  m->btf_id = mi.btf_id;
  m->btf_key_type_id = mi.btf_key_type_id;
  m->btf_value_type_id = mi.btf_value_type_id;
  m->name = mi.name;
  m->pinned.clear();
  return 0;
}

void AppendRecord(CommandReply& r, MapRecord& m,
                  const std::map<uint32_t, std::vector<std::string>>& pins) {
  auto it = pins.find(m.id);
  if (it != pins.end()) m.pinned = it->second;
  FormatMapRecord(m, r.raw());
  r.raw()->push_back('\n');
}

// Every map on the system, in id order (maps freed while we walk are skipped).
int AllMaps(std::vector<MapRecord>* out) {
  uint32_t id = 0;
  while (true) {
    int r = bpf_map_get_next_id(id, &id);
    if (r == -ENOENT) return 0;
    if (r < 0) return r;
    UniqueFd fd(bpf_map_get_fd_by_id(id));
    if (fd.get() == -ENOENT) continue;
    if (fd.get() < 0) return fd.release();
    MapRecord m;
    if (RecordOf(fd.get(), &m) == 0) out->push_back(std::move(m));
  }
}

// Appends "<b64 key> <b64 value>\n" for n entries packed in keys/values.
void AppendEntries(std::string* out, const uint8_t* keys, size_t klen, const uint8_t* values,
                   size_t vlen, size_t n) {
  out->reserve(out->size() + n * (Base64EncodedSize(klen) + Base64EncodedSize(vlen) + 2));
  for (size_t i = 0; i < n; ++i) {
    Base64Append(keys + i * klen, klen, out);
    out->push_back(' ');
    Base64Append(values + i * vlen, vlen, out);
    out->push_back('\n');
  }
}

// The kernel has no batch lookup for this map (old kernel, or a type without one).
// 524 is the kernel's internal ENOTSUPP, which leaks to user space from some map types.
bool NoBatch(int err) {
  return err == -EINVAL || err == -EOPNOTSUPP || err == -524 || err == -ENOSYS;
}

// Both dumps stop with -ENOBUFS once the entries outgrow kMaxReplyBody (wire/reply.h): a dump
// is one reply, not paged.
// Dumps with BPF_MAP_LOOKUP_BATCH: the entry count, or a negative errno (nothing appended
// when the very first batch call is refused, so the caller can fall back).
int64_t DumpBatch(int fd, const MapRecord& m, uint32_t vbuf, std::string* out) {
  uint32_t chunk = m.max_entries < 4096 ? (m.max_entries ? m.max_entries : 1) : 4096;
  size_t token = m.key_size < 8 ? 8 : m.key_size;  // hash maps use a u32 bucket cursor
  std::vector<uint8_t> in(token), next(token);
  std::vector<uint8_t> keys, values;
  int64_t total = 0;
  bool first = true;
  while (true) {
    keys.resize(static_cast<size_t>(chunk) * m.key_size);
    values.resize(static_cast<size_t>(chunk) * vbuf);
    uint32_t count = chunk;
    int ret = bpf_map_lookup_batch(fd, first ? nullptr : in.data(), next.data(), keys.data(),
                                   values.data(), &count, nullptr);
    if (ret == -ENOSPC && count == 0 && chunk < (1u << 20)) {  // a bucket bigger than chunk
      chunk *= 2;
      continue;
    }
    if (ret < 0 && ret != -ENOENT) return ret;
    AppendEntries(out, keys.data(), m.key_size, values.data(), vbuf, count);
    if (out->size() > kMaxReplyBody) return -ENOBUFS;
    total += count;
    if (ret == -ENOENT) return total;
    in.swap(next);
    first = false;
  }
}

// Dumps key by key (get_next_key + lookup), at most max_entries keys so a map changing under
// us cannot loop forever. The entry count, or a negative errno.
int64_t DumpByKey(int fd, const MapRecord& m, uint32_t vbuf, std::string* out) {
  std::vector<uint8_t> key(m.key_size), next(m.key_size), value(vbuf);
  int ret = bpf_map_get_next_key(fd, nullptr, key.data());
  int64_t total = 0;
  for (uint32_t visited = 0; ret == 0 && visited < m.max_entries; ++visited) {
    int lr = bpf_map_lookup_elem(fd, key.data(), value.data());
    if (lr == 0) {
      AppendEntries(out, key.data(), m.key_size, value.data(), vbuf, 1);
      if (out->size() > kMaxReplyBody) return -ENOBUFS;
      ++total;
    } else if (lr != -ENOENT) {  // ENOENT: deleted while we walked
      return lr;
    }
    ret = bpf_map_get_next_key(fd, key.data(), next.data());
    key.swap(next);
  }
  return ret == 0 || ret == -ENOENT ? total : ret;
}

// "<ret_name>: ret=<count>" and the maps' lines; no map at all is -ENOENT unless empty_ok.
Verdict ReplyRecords(CommandReply& r, std::vector<MapRecord>& maps, bool empty_ok) {
  if (maps.empty() && !empty_ok) return r.Ret(-ENOENT);
  auto pins = PinnedMaps();
  r.Ret(static_cast<int64_t>(maps.size()));
  for (MapRecord& m : maps) AppendRecord(r, m, pins);
  return Verdict::kDone;
}

// MAP_LIST
Verdict CmdMapList(Session& s, Args, CommandReply& r) {
  if (r.NoKernel(s)) return Verdict::kDone;
  std::vector<MapRecord> maps;
  int ret = AllMaps(&maps);
  if (ret < 0) return r.Ret(ret);
  return ReplyRecords(r, maps, true);
}

// MAP_INFO id <id> | pinned <b64 path> | name <name>
Verdict CmdMapInfo(Session& s, Args a, CommandReply& r) {
  uint32_t id = 0;
  std::vector<uint8_t> path;
  if (a[0] == "id") {
    if (!ParseUint32(a[1], &id)) return Verdict::kBadArgs;
  } else if (a[0] == "pinned") {
    if (Base64Decode(a[1], &path) < 0 || path.empty() ||
        std::find(path.begin(), path.end(), 0) != path.end()) {
      return r.Ret(-EINVAL);
    }
  } else if (a[0] == "name") {
    if (a[1].empty()) return Verdict::kBadArgs;
  } else {
    return Verdict::kBadArgs;
  }
  if (r.NoKernel(s)) return Verdict::kDone;
  std::vector<MapRecord> maps;
  if (a[0] == "name") {
    std::vector<MapRecord> all;
    int ret = AllMaps(&all);
    if (ret < 0) return r.Ret(ret);
    for (MapRecord& m : all)
      if (m.name == a[1]) maps.push_back(std::move(m));
  } else {
    UniqueFd fd(a[0] == "id" ? bpf_map_get_fd_by_id(id)
                             : bpf_obj_get(std::string(path.begin(), path.end()).c_str()));
    if (fd.get() < 0) return r.Ret(fd.release());
    MapRecord m;
    int ret = IsMapFd(fd.get()) ? RecordOf(fd.get(), &m) : -EINVAL;
    if (ret < 0) return r.Ret(ret);
    maps.push_back(std::move(m));
  }
  return ReplyRecords(r, maps, false);
}

// MAP_DUMP <id>
Verdict CmdMapDump(Session& s, Args a, CommandReply& r) {
  uint32_t id;
  if (!ParseUint32(a[0], &id)) return Verdict::kBadArgs;
  if (r.NoKernel(s)) return Verdict::kDone;
  UniqueFd fd(bpf_map_get_fd_by_id(id));
  MapRecord m;
  int ret = fd.get() < 0 ? fd.release() : RecordOf(fd.get(), &m);
  int ncpus = ret == 0 && MapTypeIsPerCpu(m.type) ? libbpf_num_possible_cpus() : 1;
  if (ncpus < 0) ret = ncpus;
  uint64_t vbuf = ValueBufSize(m.type, m.value_size, ncpus < 0 ? 0 : static_cast<uint32_t>(ncpus));
  if (ret == 0 && (m.key_size > kMaxKeyLen || vbuf > kMaxValueLen)) ret = -E2BIG;
  if (ret < 0) return r.Ret(ret);
  // The entries go to `body` first since the header carries their count: one extra copy.
  std::string body;
  int64_t n = DumpBatch(fd.get(), m, static_cast<uint32_t>(vbuf), &body);
  if (n < 0 && NoBatch(static_cast<int>(n)) && body.empty())
    n = DumpByKey(fd.get(), m, static_cast<uint32_t>(vbuf), &body);
  if (n == -ENOBUFS)
    std::fprintf(stderr, "bpfd: MAP_DUMP %u: the dump exceeds the reply limit of %zu bytes\n", id,
                 kMaxReplyBody);
  r.Ret(n);
  if (n >= 0) r.raw()->append(body);
  return Verdict::kDone;
}

constexpr Command kMapCommands[] = {
    {"BPF_CREATE_MAP", 5, "bpf_create_map", CmdCreateMap},
    {"BPF_UPDATE_ELEM", 6, "bpf_update_elem", CmdUpdateElem},
    {"BPF_LOOKUP_ELEM", 4, "bpf_lookup_elem", CmdLookupElem},
    {"BPF_GET_FIRST_KEY", 4, "bpf_get_first_key", CmdGetFirstKey},
    {"BPF_GET_NEXT_KEY", 3, "bpf_get_next_key", CmdGetNextKey},
    {"BPF_DELETE_ELEM", 3, "bpf_delete_elem", CmdDeleteElem},
    {"BPF_CLEAR_MAP", 2, "bpf_clear_map", CmdClearMap},
    {"MAP_LIST", 0, "map_list", CmdMapList},
    {"MAP_INFO", 2, "map_info", CmdMapInfo},
    {"MAP_DUMP", 1, "map_dump", CmdMapDump},
};

}  // namespace

CommandGroup MapCommands() { return kMapCommands; }

}  // namespace bpfd
