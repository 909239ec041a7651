// Local mirrors of the target's perf buffers and BPF ring buffers. The tool mmaps a
// placeholder fd and gets memory of the same geometry (a memfd); RING_POLL's records are
// appended at the same positions the kernel used, so the tool's own reader (libbcc's perf
// reader, libbpf's ring_buffer) consumes them unchanged and its poll/epoll wakes on them.
#pragma once
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/base/unique_fd.h"
#include "preload/state.h"

namespace bpfd::preload {

class Ring {
 public:
  ~Ring();
  // mmap of a placeholder: a perf event (offset 0, 1 + 2^n pages) or a ring buffer map
  // (offset 0: consumer page; offset page: producer page + data twice). Creates obj.ring
  // (and RING_MAPs the target's ring) on first use. MAP_FAILED with errno on error.
  static void* Map(Obj& obj, void* addr, size_t len, int prot, int flags, off_t off);

  bool HasData() const;
  uint64_t Free() const;  // bytes the local reader has room for
  void Append(const std::string& records);

 private:
  Ring() = default;
  bool perf_ = true;
  size_t page_ = 4096;
  uint64_t size_ = 0;  // data bytes (a power of two)
  UniqueFd memfd_;
  uint8_t* self_ = nullptr;  // our read-write view of the whole memfd
  size_t self_len_ = 0;
  uint64_t* head_ = nullptr;        // perf data_head / ringbuf producer_pos (we write)
  const uint64_t* tail_ = nullptr;  // perf data_tail / ringbuf consumer_pos (reader writes)
  uint8_t* data_ = nullptr;
};

// Asks the target for new records of these placeholder fds' rings (waiting up to timeout_ms)
// and appends them locally. Returns how many rings received data.
int FillRings(const std::vector<int>& fds, int timeout_ms);

// True if fd is a placeholder whose ring is mapped (poll/epoll must serve it).
bool IsRingFd(int fd);

}  // namespace bpfd::preload
