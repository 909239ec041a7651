// RingMirror: the daemon's mapping of a perf event ring or a BPF ringbuf map; Take() copies
// whole raw records from the consumer position, for a client that mirrors the ring (RING_POLL).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace bpfd {

enum class RingKind { kPerf, kRingbuf };

// One mmap(2)ed region, unmapped on destruction (move-only).
class Mapping {
 public:
  Mapping() = default;
  Mapping(void* addr, size_t len) : addr_(addr), len_(len) {}
  Mapping(Mapping&& o) noexcept : addr_(o.addr_), len_(o.len_) { o.addr_ = nullptr; }
  Mapping& operator=(Mapping&& o) noexcept;
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping();
  uint8_t* data() const { return static_cast<uint8_t*>(addr_); }

 private:
  void* addr_ = nullptr;
  size_t len_ = 0;
};

class RingMirror {
 public:
  // Maps fd's ring. perf: 1 page + data_size, read-write. ringbuf (fd must be a
  // BPF_MAP_TYPE_RINGBUF of max_entries data_size): the consumer page read-write, the producer
  // page and the (double-mapped) data read-only. data_size: a power-of-two multiple of the
  // page size. 0 or -errno.
  static int Map(int fd, RingKind kind, uint64_t data_size, std::unique_ptr<RingMirror>* out);

  // True when a record is waiting (no syscall).
  bool HasData() const;

  // Appends the whole records (raw, headers included) that fit in max_bytes to *out, and
  // advances the consumer position past them. Returns the bytes appended.
  uint64_t Take(uint64_t max_bytes, std::vector<uint8_t>* out);

 private:
  RingMirror(RingKind kind, uint64_t data_size, size_t page)
      : kind_(kind), data_size_(data_size), page_(page) {}
  uint64_t TakePerf(uint64_t max_bytes, std::vector<uint8_t>* out);
  uint64_t TakeRingbuf(uint64_t max_bytes, std::vector<uint8_t>* out);

  RingKind kind_;
  uint64_t data_size_;
  size_t page_;
  Mapping meta_;  // perf: metadata page + data; ringbuf: the consumer page
  Mapping data_;  // ringbuf: producer page + data mapped twice
};

}  // namespace bpfd
