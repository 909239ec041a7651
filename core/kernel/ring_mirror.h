// RingMirror: the daemon's mapping of a perf event ring or a BPF ringbuf map; Take() copies
// whole raw records from the consumer position, for a client that mirrors the ring (RING_POLL).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/base/mapping.h"
#include "core/kernel/perf_ring.h"

namespace bpfd {

enum class RingKind { kPerf, kRingbuf };

class RingMirror {
 public:
  // Maps fd's ring. perf (fd must be a perf event, else -EINVAL): 1 page + data_size,
  // read-write. ringbuf (fd must be a
  // BPF_MAP_TYPE_RINGBUF of max_entries data_size): the consumer page read-write, the producer
  // page and the (double-mapped) data read-only. data_size: a power-of-two multiple of the
  // page size. 0 or -errno.
  static int Map(int fd, RingKind kind, uint64_t data_size, std::unique_ptr<RingMirror>* out);

  // True when a record is waiting (no syscall). A ring found damaged (a record header that
  // cannot be right) is not read again: never data, Take 0, one stderr line when found.
  bool HasData() const;

  // Appends the whole records (raw, headers included) that fit in max_bytes to *out, and
  // advances the consumer position past them. Returns the bytes appended.
  uint64_t Take(uint64_t max_bytes, std::vector<uint8_t>* out);

 private:
  RingMirror(RingKind kind, uint64_t data_size, size_t page)
      : kind_(kind), data_size_(data_size), page_(page) {}
  uint64_t TakePerf(uint64_t max_bytes, std::vector<uint8_t>* out);
  uint64_t TakeRingbuf(uint64_t max_bytes, std::vector<uint8_t>* out);
  uint64_t Broken(const char* why);  // says why on stderr, stops the ring; returns 0

  RingKind kind_;
  uint64_t data_size_;
  size_t page_;
  Mapping meta_;   // perf: metadata page + data; ringbuf: the consumer page
  Mapping data_;   // ringbuf: producer page + data mapped twice
  PerfRing perf_;  // perf: the consumer of meta_
  bool broken_ = false;
};

}  // namespace bpfd
