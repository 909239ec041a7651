#include "core/kernel/perf_ring.h"

#include <cerrno>
#include <cstring>

namespace bpfd {

bool PerfRing::HasData() const {
  return __atomic_load_n(&meta_->data_head, __ATOMIC_ACQUIRE) != meta_->data_tail;
}

int PerfRing::Consume(
    const std::function<Step(const perf_event_header& hdr, const uint8_t* rec)>& on_record) {
  const uint64_t mask = size_ - 1;
  // Pairs with the kernel's store-release of data_head: records up to head are visible.
  const uint64_t head = __atomic_load_n(&meta_->data_head, __ATOMIC_ACQUIRE);
  uint64_t tail = meta_->data_tail;  // only we write it
  int records = 0;
  bool damaged = false;
  if (head - tail > size_) {  // more than the ring holds: nothing in it can be trusted
    tail = head;
    damaged = true;
  }
  while (tail < head) {
    // Records are 8-aligned with sizes in multiples of 8: the header itself never wraps.
    const uint64_t off = tail & mask;
    perf_event_header hdr;
    if (head - tail < sizeof(hdr) || off % 8 != 0) {
      damaged = true;
      break;
    }
    std::memcpy(&hdr, data_ + off, sizeof(hdr));
    if (hdr.size < sizeof(hdr) || hdr.size % 8 != 0 || hdr.size > head - tail || hdr.size > size_) {
      damaged = true;
      break;
    }
    const uint8_t* rec = data_ + off;
    if (off + hdr.size > size_) {
      scratch_.resize(hdr.size);
      const size_t first = static_cast<size_t>(size_ - off);
      std::memcpy(scratch_.data(), data_ + off, first);
      std::memcpy(scratch_.data() + first, data_, hdr.size - first);
      rec = scratch_.data();
    }
    Step step = on_record(hdr, rec);
    if (step == Step::kStop) break;
    if (step == Step::kCorrupt) {
      damaged = true;
      break;
    }
    tail += hdr.size;
    ++records;
  }
  if (damaged) tail = head;  // resynchronise past the damage
  // Our reads of the records complete before the kernel may overwrite them.
  __atomic_store_n(&meta_->data_tail, tail, __ATOMIC_RELEASE);
  return damaged ? -EIO : records;
}

}  // namespace bpfd
