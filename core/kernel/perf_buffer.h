// PerfBuffer: one BPF_OUTPUT perf event (the fd a host stores in a PERF_EVENT_ARRAY) plus its
// mmapped ring; Drain() hands each PERF_RECORD_SAMPLE's raw bytes to a callback. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "core/base/mapping.h"
#include "core/base/unique_fd.h"
#include "core/kernel/perf_ring.h"

namespace bpfd {

class PerfBuffer {
 public:
  // Opens PERF_TYPE_SOFTWARE/PERF_COUNT_SW_BPF_OUTPUT for (pid, cpu) with PERF_SAMPLE_RAW and
  // wakeup_events 1, and maps 1 + page_cnt pages. page_cnt must be a power of two (else -EINVAL).
  static int Open(int pid, int cpu, int page_cnt, std::unique_ptr<PerfBuffer>* out);

  PerfBuffer(const PerfBuffer&) = delete;
  PerfBuffer& operator=(const PerfBuffer&) = delete;

  // The perf event fd: store it in the PERF_EVENT_ARRAY and poll(2) it for POLLIN.
  int fd() const { return fd_.get(); }
  int cpu() const { return cpu_; }

  // Consumes every record present when called. on_sample gets each sample's raw data (valid
  // only during the call). Returns the number of samples, or -EIO on a corrupt ring (which is
  // then skipped up to the current head so later drains can proceed).
  int Drain(const std::function<void(const uint8_t* data, uint32_t size)>& on_sample);

  // True when records are waiting (cheap; no syscall).
  bool HasData() const;

  // Total samples the kernel reported lost (PERF_RECORD_LOST) so far.
  uint64_t lost() const { return lost_; }

 private:
  PerfBuffer() = default;

  // Members go in reverse order of release: the ring is unmapped before the fd closes.
  UniqueFd fd_;
  int cpu_ = -1;
  size_t mmap_size_ = 0;
  size_t data_size_ = 0;  // page_cnt * page size (a power of two)
  Mapping map_;           // metadata page followed by the data pages
  PerfRing ring_;
  uint64_t lost_ = 0;
};

}  // namespace bpfd
