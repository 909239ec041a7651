#include "preload/map_mirror.h"

#include <linux/bpf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <vector>

#include "core/base/clock.h"
#include "core/wire/tokens.h"
#include "preload/bpf_request.h"
#include "preload/real.h"
#include "preload/snapshot.h"

namespace bpfd::preload {
namespace {

void* Fail(int err) {
  errno = err;
  return MAP_FAILED;
}

// The live mirrors (under State's lock); each removes itself when its Obj goes. The count is
// read without the lock, so a tool that maps nothing pays nothing around its waits.
std::vector<MapMirror*>& Live() {
  static auto* v = new std::vector<MapMirror*>();
  return *v;
}
std::atomic<size_t> g_live{0};
// Set while this thread syncs: the library's own waits inside a sync (its protocol calls) must
// not sync again.
thread_local bool t_syncing = false;

// Runs fn under State's lock unless mirrors are none or this thread is already syncing; the
// caller's errno survives.
template <typename Fn>
void Sync(Fn fn) {
  if (g_live.load(std::memory_order_relaxed) == 0 || t_syncing || State::InCall()) return;
  const int saved = errno;
  t_syncing = true;
  {
    auto lock = State::Get().Lock();
    fn();
  }
  t_syncing = false;
  errno = saved;
}

}  // namespace

MapMirror::~MapMirror() {
  auto& v = Live();
  v.erase(std::remove(v.begin(), v.end(), this), v.end());
  g_live.store(v.size(), std::memory_order_relaxed);
  if (self_) Real().munmap(self_, self_len_);
}

bool MapMirror::Mirrors(Obj& obj) {
  if (obj.kind != Kind::kMap && obj.kind != Kind::kBpfOther) return false;
  EnsureMapInfo(obj);
  return obj.map_known && obj.map_type == BPF_MAP_TYPE_ARRAY && (obj.map_flags & BPF_F_MMAPABLE) &&
         obj.value_size > 0 && obj.max_entries > 0;
}

void* MapMirror::Map(Obj& obj, void* addr, size_t len, int prot, int flags, off_t off) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  if (!(flags & MAP_SHARED)) return Fail(EINVAL);
  if ((prot & PROT_WRITE) && obj.frozen) return Fail(EPERM);
  obj.kind = Kind::kMap;
  if (!obj.mirror) {
    auto m = std::unique_ptr<MapMirror>(new MapMirror());
    if (!obj.map_id) FetchMapInfo(obj);  // MAP_DUMP names the map by id
    if (!obj.map_id) return Fail(ENODEV);
    m->rfd_ = obj.rfd;
    m->map_id_ = obj.map_id;
    m->value_size_ = obj.value_size;
    m->stride_ = (obj.value_size + 7) & ~7u;  // the kernel's elem_size for arrays
    m->entries_ = obj.max_entries;
    m->frozen_ = &obj.frozen;
    uint64_t bytes = uint64_t{m->stride_} * m->entries_;
    if (bytes > (uint64_t{1} << 30)) return Fail(ENOMEM);
    m->self_len_ = (static_cast<size_t>(bytes) + page - 1) / page * page;
    m->memfd_ = UniqueFd(memfd_create("bpfd-remote-map", MFD_CLOEXEC));
    if (!m->memfd_ || ftruncate(m->memfd_.get(), static_cast<off_t>(m->self_len_)) < 0)
      return Fail(errno);
    void* self =
        Real().mmap(nullptr, m->self_len_, PROT_READ | PROT_WRITE, MAP_SHARED, m->memfd_.get(), 0);
    if (self == MAP_FAILED) return Fail(errno);
    m->self_ = static_cast<uint8_t*>(self);
    m->synced_.assign(static_cast<size_t>(bytes), '\0');
    if (int r = m->Pull(); r < 0) return Fail(-r);
    Live().push_back(m.get());
    g_live.store(Live().size(), std::memory_order_relaxed);
    obj.mirror = std::move(m);
  }
  MapMirror& m = *obj.mirror;
  if (off < 0 || static_cast<size_t>(off) % page || static_cast<size_t>(off) + len > m.self_len_)
    return Fail(EINVAL);
  return Real().mmap(addr, len, prot, flags, m.memfd_.get(), off);
}

int MapMirror::Pull(bool always) {
  if (pulled_ && *frozen_) return 0;  // nothing can change it any more
  if (!always && pulled_ && NowMs() - pulled_ms_ < kMirrorPullMs) return 0;
  std::vector<std::string> rest;  // MAP_DUMP: every element in one reply
  if (int64_t r = State::Get().Call("MAP_DUMP " + std::to_string(map_id_), &rest); r < 0)
    return static_cast<int>(r);
  std::string key, value;
  for (const std::string& line : rest) {
    auto t = SplitTokens(line);
    uint32_t i;
    if (t.size() < 2 || !Untoken(t[0], &key) || !Untoken(t[1], &value) || key.size() != sizeof i ||
        value.size() != value_size_)
      return -EPROTO;
    std::memcpy(&i, key.data(), sizeof i);
    if (i >= entries_) return -EPROTO;
    const size_t at = size_t{i} * stride_;
    std::memcpy(self_ + at, value.data(), value_size_);
    synced_.replace(at, value_size_, value);
  }
  pulled_ = true;
  pulled_ms_ = NowMs();
  return 0;
}

int MapMirror::Push() {
  if (*frozen_) return 0;
  int first = 0;
  for (uint32_t i = 0; i < entries_; ++i) {
    const size_t at = size_t{i} * stride_;
    if (std::memcmp(self_ + at, synced_.data() + at, value_size_) == 0) continue;
    std::string value(reinterpret_cast<const char*>(self_ + at), value_size_);
    union bpf_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.map_fd = static_cast<uint32_t>(rfd_);
    attr.key = reinterpret_cast<uintptr_t>(&i);
    attr.value = reinterpret_cast<uintptr_t>(value.data());
    attr.flags = BPF_ANY;
    BpfRequest req(BPF_MAP_UPDATE_ELEM, &attr, sizeof attr);
    req.SetU32(offsetof(union bpf_attr, map_fd), static_cast<uint32_t>(rfd_));
    req.Ptr(offsetof(union bpf_attr, key), 'i', sizeof i);
    req.Ptr(offsetof(union bpf_attr, value), 'i', value_size_);
    if (int64_t r = req.Send(); r < 0) {
      if (!first) first = static_cast<int>(r);
      continue;
    }
    synced_.replace(at, value_size_, value);
  }
  if (first)
    WarnOnce("a change to a mapped BPF map could not be written to the target (errno " +
             std::to_string(-first) + ")");
  return first;
}

MirrorSync::MirrorSync() { PushMirrors(); }

MirrorSync::~MirrorSync() {
  Sync([] {
    for (MapMirror* m : Live()) m->Pull(false);
  });
}

void PushMirrors() {
  Sync([] {
    for (MapMirror* m : Live()) m->Push();
  });
}

void MirrorWritten(Obj& obj) {
  if (obj.mirror) obj.mirror->Pull();
}

}  // namespace bpfd::preload
