// Local mappings of the target's mmapable array maps (BPF_F_MMAPABLE: libbpf's .rodata, .data,
// .bss and a skeleton's globals). The tool's mmap of such a placeholder gets a memfd holding a
// copy of the map's values, kept coherent at sync points:
// - pulled from the target at mmap, after a forwarded write to the map, and after each wait
//   (poll, epoll, sleep) ends; a frozen map (.rodata) is never pulled again;
// - the tool's own changes (bytes that differ from the last sync) pushed, one update per
//   changed element, before each forwarded bpf() call and before each wait begins.
// Between a pull and the next push, a BPF write to an element the tool also changed is lost,
// as with any non-atomic read-modify-write of shared memory.
#pragma once
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/base/unique_fd.h"
#include "preload/state.h"

namespace bpfd::preload {

class MapMirror {
 public:
  ~MapMirror();
  // True if obj is a map this module mirrors (an array with BPF_F_MMAPABLE).
  static bool Mirrors(Obj& obj);
  // mmap of such a placeholder: MAP_SHARED only, within the map's page-rounded values, no
  // PROT_WRITE once frozen (the kernel's rules). MAP_FAILED with errno on error.
  static void* Map(Obj& obj, void* addr, size_t len, int prot, int flags, off_t off);

  // target → local: 0 or -errno; unless `always`, not when pulled in the last kMirrorPullMs.
  int Pull(bool always = true);
  int Push();  // the tool's changes → target: 0 or -errno (the first failure)

 private:
  MapMirror() = default;
  int rfd_ = -1;
  uint32_t map_id_ = 0;
  uint32_t value_size_ = 0, stride_ = 0, entries_ = 0;
  bool* frozen_ = nullptr;  // the Obj's flag (the Obj owns this mirror)
  bool pulled_ = false;
  int64_t pulled_ms_ = 0;
  UniqueFd memfd_;
  uint8_t* self_ = nullptr;  // our read-write view of the memfd
  size_t self_len_ = 0;
  std::string synced_;  // the values as last pulled or pushed
};

// Around a wait of the tool's (poll, epoll, sleep): pushes on construction, pulls on
// destruction; free when nothing is mirrored.
class MirrorSync {
 public:
  MirrorSync();
  ~MirrorSync();
  MirrorSync(const MirrorSync&) = delete;
  MirrorSync& operator=(const MirrorSync&) = delete;
};

// Every live mirror pushes before a forwarded call or a wait (not again inside one), and
// pulls (unless frozen, at most every kMirrorPullMs) after a wait.
inline constexpr int64_t kMirrorPullMs = 10;
void PushMirrors();
// The map behind this placeholder was written by a forwarded call: pull it now.
void MirrorWritten(Obj& obj);

}  // namespace bpfd::preload
