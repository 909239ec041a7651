// Ring mirroring; see ring_mirror.h. Memory ordering follows the kernel's rings: load the
// producer position with acquire, store the consumer position with release.
#include "core/kernel/ring_mirror.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string_view>

namespace bpfd {
namespace {

int MapRegion(int fd, size_t len, int prot, uint64_t offset, Mapping* out) {
  void* p = mmap(nullptr, len, prot, MAP_SHARED, fd, static_cast<off_t>(offset));
  if (p == MAP_FAILED) return -errno;
  *out = Mapping(p, len);
  return 0;
}

// The fd is a perf event (its anon inode's name): anything else, a regular file above all,
// could hand us a mapping that faults (SIGBUS past its end) or says what it likes.
int CheckPerfEvent(int fd) {
  char path[40], target[64];
  std::snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  ssize_t n = readlink(path, target, sizeof(target));
  if (n < 0) return -errno;
  return std::string_view(target, static_cast<size_t>(n)) == "anon_inode:[perf_event]" ? 0
                                                                                       : -EINVAL;
}

// The fd is a BPF ringbuf map of exactly data_size bytes (its mask must be ours): 0 or -errno.
int CheckRingbufMap(int fd, uint64_t data_size) {
  bpf_map_info info;
  std::memset(&info, 0, sizeof(info));
  uint32_t len = sizeof(info);
  int r = bpf_obj_get_info_by_fd(fd, &info, &len);
  if (r < 0) return r;
  if (info.type != BPF_MAP_TYPE_RINGBUF || info.max_entries != data_size) return -EINVAL;
  return 0;
}

}  // namespace

int RingMirror::Map(int fd, RingKind kind, uint64_t data_size, std::unique_ptr<RingMirror>* out) {
  long page = sysconf(_SC_PAGESIZE);
  if (page <= 0) return -EINVAL;
  const uint64_t pg = static_cast<uint64_t>(page);
  if (data_size < pg || (data_size & (data_size - 1)) != 0 || data_size > (SIZE_MAX - pg) / 2)
    return -EINVAL;
  std::unique_ptr<RingMirror> ring(new RingMirror(kind, data_size, static_cast<size_t>(pg)));
  const size_t dsz = static_cast<size_t>(data_size);
  int r;
  if (kind == RingKind::kPerf) {
    r = CheckPerfEvent(fd);
    if (r == 0) r = MapRegion(fd, pg + dsz, PROT_READ | PROT_WRITE, 0, &ring->meta_);
  } else {
    r = CheckRingbufMap(fd, data_size);
    if (r == 0) r = MapRegion(fd, pg, PROT_READ | PROT_WRITE, 0, &ring->meta_);
    if (r == 0) r = MapRegion(fd, pg + 2 * dsz, PROT_READ, pg, &ring->data_);
  }
  if (r < 0) return r;
  if (kind == RingKind::kPerf)
    ring->perf_ = PerfRing(ring->meta_.data(), ring->meta_.data() + pg, data_size);
  *out = std::move(ring);
  return 0;
}

bool RingMirror::HasData() const {
  if (broken_) return false;
  if (kind_ == RingKind::kPerf) return perf_.HasData();
  auto* cons = reinterpret_cast<unsigned long*>(meta_.data());
  auto* prod = reinterpret_cast<unsigned long*>(data_.data());
  return __atomic_load_n(prod, __ATOMIC_ACQUIRE) != *cons;
}

uint64_t RingMirror::Take(uint64_t max_bytes, std::vector<uint8_t>* out) {
  if (broken_) return 0;
  return kind_ == RingKind::kPerf ? TakePerf(max_bytes, out) : TakeRingbuf(max_bytes, out);
}

uint64_t RingMirror::TakePerf(uint64_t max_bytes, std::vector<uint8_t>* out) {
  uint64_t taken = 0;
  int r = perf_.Consume([&](const perf_event_header& hdr, const uint8_t* rec) {
    if (taken + hdr.size > max_bytes) return PerfRing::Step::kStop;
    out->insert(out->end(), rec, rec + hdr.size);
    taken += hdr.size;
    return PerfRing::Step::kNext;
  });
  if (r < 0) std::fprintf(stderr, "bpfd: perf ring: corrupt record skipped\n");
  return taken;
}

uint64_t RingMirror::TakeRingbuf(uint64_t max_bytes, std::vector<uint8_t>* out) {
  auto* cons_pos = reinterpret_cast<unsigned long*>(meta_.data());
  const unsigned long prod =
      __atomic_load_n(reinterpret_cast<unsigned long*>(data_.data()), __ATOMIC_ACQUIRE);
  const uint8_t* data = data_.data() + page_;  // mapped twice: a record never needs a wrap
  const uint64_t mask = data_size_ - 1;
  unsigned long cons = *cons_pos;  // only we write it
  uint64_t taken = 0;
  if (prod - cons > data_size_) return Broken("producer position ahead by more than the ring");
  while (cons < prod) {
    const uint8_t* rec = data + (cons & mask);
    uint32_t len = __atomic_load_n(reinterpret_cast<const uint32_t*>(rec), __ATOMIC_ACQUIRE);
    if (len & BPF_RINGBUF_BUSY_BIT) break;  // still being written: later records wait too
    uint64_t total =
        ((len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT)) + BPF_RINGBUF_HDR_SZ + 7) &
        ~uint64_t{7};
    if (total > prod - cons) return Broken("a record longer than what was produced");
    if (taken + total > max_bytes) break;
    out->insert(out->end(), rec, rec + total);
    cons += static_cast<unsigned long>(total);
    taken += total;
  }
  __atomic_store_n(cons_pos, cons, __ATOMIC_RELEASE);
  return taken;
}

uint64_t RingMirror::Broken(const char* why) {
  std::fprintf(stderr, "bpfd: ringbuf: %s; the ring is no longer read\n", why);
  broken_ = true;
  return 0;
}

}  // namespace bpfd
