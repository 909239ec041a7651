// Map iteration without a round trip per key: BPF_MAP_GET_NEXT_KEY from the start (key NULL)
// fetches the whole map once (MAP_DUMP, batched on the target); the following get-next-key
// and lookups of keys in it are answered locally while the snapshot is young (kSnapshotMs)
// and the host has not changed the map since. Deleting a key of the snapshot is the exception:
// iteration goes on after it (BCC's clear() deletes each key as it iterates; forwarded one by
// one, the kernel would restart from the first key, which the target's own syscalls and the
// tool's round trips keep re-creating, so the loop need not end), and each delete keeps the
// snapshot young for iteration. Lookups of a deleted key are forwarded.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "preload/state.h"

namespace bpfd::preload {

inline constexpr int64_t kSnapshotMs = 500;

struct Obj::Snapshot {
  std::vector<std::pair<std::string, std::string>> entries;
  std::unordered_map<std::string, size_t> index;
  std::vector<bool> deleted;  // by entry: deleted by the host since
  int64_t taken_ms = 0;
  int64_t deleted_ms = 0;  // the last delete through it
};

// Bytes a lookup transfers for this map (per-CPU maps: every possible CPU, 8-byte aligned).
uint64_t ValueBufSize(Obj& map);
// Fills map_type/sizes/id from the target (BPF_OBJ_GET_INFO_BY_FD): Fetch always, Ensure
// only for a map whose type and sizes are not known yet (one not created by this process).
void FetchMapInfo(Obj& map);
void EnsureMapInfo(Obj& map);

// Each returns true when it answered (result in *ret: 0 or -errno), false to forward.
bool SnapshotNextKey(Obj& map, const void* key, void* next_key, int* ret);
bool SnapshotLookup(Obj& map, const void* key, void* value, int* ret);
void SnapshotDrop(Obj& map);
// After a forwarded BPF_MAP_DELETE_ELEM of key with result ret: a key of the snapshot that is
// gone (0, -ENOENT) is marked deleted; anything else drops the snapshot.
void SnapshotDeleted(Obj& map, const void* key, int ret);

}  // namespace bpfd::preload
