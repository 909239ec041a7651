// PerfRing: the consumer side of a perf_event mmap ring (the metadata page's data_head and
// data_tail, then a power-of-two data area), shared by PerfBuffer and RingMirror. Not
// thread-safe: one consumer per ring.
#pragma once
#include <linux/perf_event.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace bpfd {

class PerfRing {
 public:
  PerfRing() = default;
  // meta: the mapped metadata page; data: data_size bytes (a power of two) after it.
  PerfRing(void* meta, const uint8_t* data, uint64_t data_size)
      : meta_(static_cast<perf_event_mmap_page*>(meta)), data_(data), size_(data_size) {}

  // True when records are waiting (no syscall).
  bool HasData() const;

  enum class Step { kNext, kStop, kCorrupt };
  // Walks the records present now, in order: on_record gets each header and its hdr.size bytes
  // (header included; contiguous, a record that wraps is reassembled; valid during the call).
  // kNext consumes it; kStop leaves it and the rest for later; kCorrupt, like a header that
  // cannot be right (size under 8, not a multiple of 8, past the head or over the ring; a
  // head more than the ring ahead), skips everything up to
  // the head. Then publishes the new tail. Returns the records consumed, or -EIO after damage.
  int Consume(
      const std::function<Step(const perf_event_header& hdr, const uint8_t* rec)>& on_record);

 private:
  perf_event_mmap_page* meta_ = nullptr;
  const uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
  std::vector<uint8_t> scratch_;  // reassembles records that wrap around the ring end
};

}  // namespace bpfd
