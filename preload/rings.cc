#include "preload/rings.h"

#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/wire/tokens.h"
#include "preload/real.h"
#include "preload/snapshot.h"

namespace bpfd::preload {
namespace {

void* Fail(int err) {
  errno = err;
  return MAP_FAILED;
}

bool PowerOfTwo(uint64_t v) { return v && !(v & (v - 1)); }

}  // namespace

Ring::~Ring() {
  if (self_) Real().munmap(self_, self_len_);
}

void* Ring::Map(Obj& obj, void* addr, size_t len, int prot, int flags, off_t off) {
  State& st = State::Get();
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  if (!(flags & MAP_SHARED)) return Fail(EINVAL);
  if (!obj.ring) {
    auto ring = std::unique_ptr<Ring>(new Ring());
    ring->page_ = page;
    if (obj.kind == Kind::kPerf) {
      if (off != 0 || len <= page || !PowerOfTwo(len - page)) return Fail(EINVAL);
      ring->size_ = len - page;
    } else {
      EnsureMapInfo(obj);
      if (obj.map_type != BPF_MAP_TYPE_RINGBUF || !PowerOfTwo(obj.max_entries)) {
        WarnOnce("mmap of a BPF map of type " + std::to_string(obj.map_type) +
                 " is not mirrored (only perf buffers and ring buffers are): ENODEV");
        return Fail(ENODEV);
      }
      ring->perf_ = false;
      ring->size_ = obj.max_entries;
    }
    ring->self_len_ = (ring->perf_ ? page : 2 * page) + ring->size_;
    ring->memfd_ = UniqueFd(memfd_create("bpfd-remote-ring", MFD_CLOEXEC));
    if (!ring->memfd_ || ftruncate(ring->memfd_.get(), static_cast<off_t>(ring->self_len_)) < 0)
      return Fail(errno);
    void* self = Real().mmap(nullptr, ring->self_len_, PROT_READ | PROT_WRITE, MAP_SHARED,
                             ring->memfd_.get(), 0);
    if (self == MAP_FAILED) return Fail(errno);
    ring->self_ = static_cast<uint8_t*>(self);
    if (ring->perf_) {
      auto* meta = reinterpret_cast<struct perf_event_mmap_page*>(ring->self_);
      meta->data_offset = page;
      meta->data_size = ring->size_;
      ring->head_ = reinterpret_cast<uint64_t*>(&meta->data_head);
      ring->tail_ = reinterpret_cast<const uint64_t*>(&meta->data_tail);
      ring->data_ = ring->self_ + page;
    } else {
      ring->tail_ = reinterpret_cast<const uint64_t*>(ring->self_);
      ring->head_ = reinterpret_cast<uint64_t*>(ring->self_ + page);
      ring->data_ = ring->self_ + 2 * page;
    }
    std::string line = "RING_MAP " + std::to_string(obj.rfd) +
                       (ring->perf_ ? " perf " : " ringbuf ") + std::to_string(ring->size_);
    int64_t r = st.Call(line, nullptr);
    if (r < 0) return Fail(static_cast<int>(-r));
    obj.ring = std::move(ring);
  }
  Ring& ring = *obj.ring;
  int memfd = ring.memfd_.get();
  if (ring.perf_ || off == 0) {
    size_t want = ring.perf_ ? page + ring.size_ : page;
    if (len != want || off != 0) return Fail(EINVAL);
    return Real().mmap(addr, len, prot, flags, memfd, 0);
  }
  // Ring buffer producer side: producer page, then the data area mapped twice in a row so a
  // record that wraps reads contiguously (as the kernel maps it).
  if (static_cast<size_t>(off) != page || len != page + 2 * ring.size_) return Fail(EINVAL);
  void* area = Real().mmap(addr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (area == MAP_FAILED) return area;
  auto* base = static_cast<uint8_t*>(area);
  int fixed = (flags & ~MAP_FIXED_NOREPLACE) | MAP_FIXED;
  if (Real().mmap(base, page + ring.size_, prot, fixed, memfd, static_cast<off_t>(page)) ==
          MAP_FAILED ||
      Real().mmap(base + page + ring.size_, ring.size_, prot, fixed, memfd,
                  static_cast<off_t>(2 * page)) == MAP_FAILED) {
    int e = errno;
    Real().munmap(area, len);
    return Fail(e);
  }
  return area;
}

bool Ring::HasData() const {
  return __atomic_load_n(head_, __ATOMIC_ACQUIRE) != __atomic_load_n(tail_, __ATOMIC_ACQUIRE);
}

uint64_t Ring::Free() const {
  uint64_t used = *head_ - __atomic_load_n(tail_, __ATOMIC_ACQUIRE);
  return used >= size_ ? 0 : size_ - used;
}

void Ring::Append(const std::string& records) {
  uint64_t head = *head_;
  size_t n = std::min<uint64_t>(records.size(), Free());
  size_t at = static_cast<size_t>(head & (size_ - 1));
  size_t first = std::min<size_t>(n, size_ - at);
  std::memcpy(data_ + at, records.data(), first);
  std::memcpy(data_, records.data() + first, n - first);
  __atomic_store_n(head_, head + n, __ATOMIC_RELEASE);
}

bool IsRingFd(int fd) {
  const Obj* o = State::Get().Find(fd);
  return o && o->ring;
}

int FillRings(const std::vector<int>& fds, int timeout_ms) {
  State& st = State::Get();
  std::string line = "RING_POLL " + std::to_string(timeout_ms);
  int asked = 0;
  for (int fd : fds) {
    Obj* o = st.Find(fd);
    if (!o || !o->ring) continue;
    uint64_t room = o->ring->Free();
    if (room == 0) continue;
    line += " " + std::to_string(o->rfd) + ":" + std::to_string(room);
    ++asked;
  }
  if (!asked) return 0;
  std::vector<std::string> rest;
  int64_t r = st.Call(line, &rest, timeout_ms + 30000);
  if (r <= 0) return 0;
  int filled = 0;
  std::string bytes;
  for (const std::string& l : rest) {
    auto t = SplitTokens(l);
    int rfd;
    if (t.size() < 2 || !ParseInt(t[0], &rfd) || !Untoken(t[1], &bytes) || bytes.empty()) continue;
    for (int fd : fds) {
      Obj* o = st.Find(fd);
      if (o && o->ring && o->rfd == rfd) {
        o->ring->Append(bytes);
        ++filled;
        break;
      }
    }
  }
  return filled;
}

}  // namespace bpfd::preload
