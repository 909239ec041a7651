#include "preload/snapshot.h"

#include <linux/bpf.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>

#include "core/wire/map_types.h"
#include "core/wire/tokens.h"
#include "preload/bpf_request.h"

namespace bpfd::preload {
namespace {

bool Snapshottable(uint32_t type) {
  switch (type) {
    case BPF_MAP_TYPE_HASH:
    case BPF_MAP_TYPE_ARRAY:
    case BPF_MAP_TYPE_PERCPU_HASH:
    case BPF_MAP_TYPE_PERCPU_ARRAY:
    case BPF_MAP_TYPE_LRU_HASH:
    case BPF_MAP_TYPE_LRU_PERCPU_HASH:
      return true;
    default:
      return false;
  }
}

bool Fresh(const Obj& map) {
  return map.snapshot && NowMs() - map.snapshot->taken_ms <= kSnapshotMs;
}

// Young enough to go on iterating: taken, or last deleted through, within kSnapshotMs.
bool FreshForIteration(const Obj& map) {
  return map.snapshot &&
         NowMs() - std::max(map.snapshot->taken_ms, map.snapshot->deleted_ms) <= kSnapshotMs;
}

// The entry holding key, or nullptr.
const size_t* Entry(const Obj& map, const void* key) {
  auto it = map.snapshot->index.find(std::string(static_cast<const char*>(key), map.key_size));
  return it == map.snapshot->index.end() ? nullptr : &it->second;
}

// MAP_DUMP <id>: one reply with every entry. False when the target cannot.
bool Take(Obj& map) {
  map.snapshot.reset();
  if (!map.map_id) FetchMapInfo(map);  // maps created here know all but their id
  if (!map.map_id) return false;
  std::vector<std::string> rest;
  if (State::Get().Call("MAP_DUMP " + std::to_string(map.map_id), &rest) < 0) return false;
  auto snap = std::make_unique<Obj::Snapshot>();
  snap->entries.reserve(rest.size());
  for (const std::string& line : rest) {
    auto t = SplitTokens(line);
    std::string k, v;
    if (t.size() < 2 || !Untoken(t[0], &k) || !Untoken(t[1], &v)) return false;
    if (k.size() != map.key_size) return false;
    snap->index.emplace(k, snap->entries.size());
    snap->entries.emplace_back(std::move(k), std::move(v));
  }
  snap->deleted.assign(snap->entries.size(), false);
  snap->taken_ms = NowMs();
  map.snapshot = std::move(snap);
  return true;
}

}  // namespace

void EnsureMapInfo(Obj& map) {
  if (!map.map_known) FetchMapInfo(map);
}

void FetchMapInfo(Obj& map) {
  if (map.rfd < 0) return;
  struct bpf_map_info info;
  std::memset(&info, 0, sizeof info);
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.info.info_len = sizeof info;
  attr.info.info = reinterpret_cast<uintptr_t>(&info);
  const size_t size = offsetof(union bpf_attr, info.info) + sizeof attr.info.info;
  BpfRequest req(BPF_OBJ_GET_INFO_BY_FD, &attr, size);
  req.SetU32(offsetof(union bpf_attr, info.bpf_fd), static_cast<uint32_t>(map.rfd));
  req.Ptr(offsetof(union bpf_attr, info.info), 'x', sizeof info);
  if (req.Send() < 0) return;
  map.map_known = true;
  map.map_type = info.type;
  map.key_size = info.key_size;
  map.value_size = info.value_size;
  map.max_entries = info.max_entries;
  map.map_id = info.id;
  map.map_flags = info.map_flags;
}

uint64_t ValueBufSize(Obj& map) {
  EnsureMapInfo(map);
  if (!MapTypeIsPerCpu(map.map_type)) return map.value_size;
  return bpfd::ValueBufSize(map.map_type, map.value_size,
                            static_cast<uint32_t>(State::Get().PossibleCpus()));
}

bool SnapshotNextKey(Obj& map, const void* key, void* next_key, int* ret) {
  EnsureMapInfo(map);
  if (!Snapshottable(map.map_type) || map.key_size == 0) return false;
  size_t pos = 0;
  if (!key) {
    if (!Take(map)) return false;
  } else {
    if (!FreshForIteration(map)) return false;
    const size_t* at = Entry(map, key);
    if (!at) return false;
    pos = *at + 1;
  }
  while (pos < map.snapshot->entries.size() && map.snapshot->deleted[pos]) ++pos;
  if (pos >= map.snapshot->entries.size()) {
    *ret = -ENOENT;
    return true;
  }
  std::memcpy(next_key, map.snapshot->entries[pos].first.data(), map.key_size);
  *ret = 0;
  return true;
}

bool SnapshotLookup(Obj& map, const void* key, void* value, int* ret) {
  if (!Fresh(map)) return false;
  const size_t* at = Entry(map, key);
  if (!at || map.snapshot->deleted[*at]) return false;
  const std::string& v = map.snapshot->entries[*at].second;
  if (v.size() != ValueBufSize(map)) return false;
  std::memcpy(value, v.data(), v.size());
  *ret = 0;
  return true;
}

void SnapshotDrop(Obj& map) { map.snapshot.reset(); }

void SnapshotDeleted(Obj& map, const void* key, int ret) {
  if (!map.snapshot) return;
  const size_t* at = key && map.key_size ? Entry(map, key) : nullptr;
  if (!at || (ret != 0 && ret != -ENOENT)) return SnapshotDrop(map);
  map.snapshot->deleted[*at] = true;
  map.snapshot->deleted_ms = NowMs();
}

}  // namespace bpfd::preload
