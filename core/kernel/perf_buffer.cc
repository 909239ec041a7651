// Perf ring buffer reader; see perf_buffer.h.
#include "core/kernel/perf_buffer.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

namespace bpfd {
namespace {

// Layouts that follow a perf_event_header (see perf_event_open(2)).
struct SampleRaw {  // PERF_RECORD_SAMPLE with sample_type == PERF_SAMPLE_RAW
  perf_event_header header;
  uint32_t size;
  // uint8_t data[size];
};
struct LostRecord {  // PERF_RECORD_LOST
  perf_event_header header;
  uint64_t id;
  uint64_t lost;
};

}  // namespace

int PerfBuffer::Open(int pid, int cpu, int page_cnt, std::unique_ptr<PerfBuffer>* out) {
  if (page_cnt <= 0 || (page_cnt & (page_cnt - 1)) != 0) return -EINVAL;
  long page = sysconf(_SC_PAGESIZE);
  if (page <= 0) return -EINVAL;
  if (static_cast<size_t>(page_cnt) > (SIZE_MAX / static_cast<size_t>(page)) - 1) return -EINVAL;

  perf_event_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.size = sizeof(attr);
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_BPF_OUTPUT;
  attr.sample_type = PERF_SAMPLE_RAW;
  attr.sample_period = 1;
  attr.wakeup_events = 1;
  long pfd = syscall(SYS_perf_event_open, &attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
  if (pfd < 0) return -errno;

  std::unique_ptr<PerfBuffer> pb(new PerfBuffer());
  pb->fd_.reset(static_cast<int>(pfd));
  pb->cpu_ = cpu;
  pb->data_size_ = static_cast<size_t>(page_cnt) * static_cast<size_t>(page);
  pb->mmap_size_ = pb->data_size_ + static_cast<size_t>(page);
  void* base = mmap(nullptr, pb->mmap_size_, PROT_READ | PROT_WRITE, MAP_SHARED, pb->fd(), 0);
  if (base == MAP_FAILED) return -errno;
  pb->base_ = base;
  if (ioctl(pb->fd(), PERF_EVENT_IOC_ENABLE, 0) != 0) return -errno;
  *out = std::move(pb);
  return 0;
}

PerfBuffer::~PerfBuffer() {
  if (base_) munmap(base_, mmap_size_);
}

bool PerfBuffer::HasData() const {
  auto* meta = static_cast<perf_event_mmap_page*>(base_);
  return __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE) != meta->data_tail;
}

int PerfBuffer::Drain(const std::function<void(const uint8_t*, uint32_t)>& on_sample) {
  auto* meta = static_cast<perf_event_mmap_page*>(base_);
  uint8_t* data = static_cast<uint8_t*>(base_) + (mmap_size_ - data_size_);
  const uint64_t mask = data_size_ - 1;
  // Pairs with the kernel's store-release of data_head: records up to head are visible.
  const uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
  uint64_t tail = meta->data_tail;  // only we write it
  int samples = 0;
  int result = 0;

  while (tail < head) {
    if (head - tail < sizeof(perf_event_header)) {
      result = -EIO;
      break;
    }
    // The header itself (8 bytes, 8-aligned) never straddles the end: records are 8-aligned.
    const uint64_t off = tail & mask;
    perf_event_header hdr;
    memcpy(&hdr, data + off, sizeof(hdr));
    if (hdr.size < sizeof(hdr) || hdr.size > head - tail) {
      result = -EIO;
      break;
    }
    const uint8_t* rec = data + off;
    if (off + hdr.size > data_size_) {
      // The record wraps past the end of the ring: reassemble it.
      scratch_.resize(hdr.size);
      size_t first = data_size_ - off;
      memcpy(scratch_.data(), data + off, first);
      memcpy(scratch_.data() + first, data, hdr.size - first);
      rec = scratch_.data();
    }
    if (hdr.type == PERF_RECORD_SAMPLE) {
      uint32_t raw_size;
      if (hdr.size < sizeof(SampleRaw)) {
        result = -EIO;
        break;
      }
      memcpy(&raw_size, rec + offsetof(SampleRaw, size), sizeof(raw_size));
      if (raw_size > hdr.size - sizeof(SampleRaw)) {
        result = -EIO;
        break;
      }
      on_sample(rec + sizeof(SampleRaw), raw_size);
      ++samples;
    } else if (hdr.type == PERF_RECORD_LOST) {
      if (hdr.size >= sizeof(LostRecord)) {
        uint64_t n;
        memcpy(&n, rec + offsetof(LostRecord, lost), sizeof(n));
        lost_ += n;
      }
    }
    // Other record types (throttle, ...) are skipped.
    tail += hdr.size;
  }
  if (result < 0) tail = head;  // resynchronise past the damage
  // Our reads of the records must complete before the kernel may overwrite them.
  __atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
  return result < 0 ? result : samples;
}

}  // namespace bpfd
