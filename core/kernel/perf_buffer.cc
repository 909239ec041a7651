// Perf ring buffer reader; see perf_buffer.h.
#include "core/kernel/perf_buffer.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>

#include "core/kernel/perf_event.h"

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

  perf_event_attr attr = BpfOutputAttr();
  int pfd = PerfEventOpen(&attr, pid, cpu, -1);
  if (pfd < 0) return pfd;

  std::unique_ptr<PerfBuffer> pb(new PerfBuffer());
  pb->fd_.reset(pfd);
  pb->cpu_ = cpu;
  pb->data_size_ = static_cast<size_t>(page_cnt) * static_cast<size_t>(page);
  pb->mmap_size_ = pb->data_size_ + static_cast<size_t>(page);
  void* base = mmap(nullptr, pb->mmap_size_, PROT_READ | PROT_WRITE, MAP_SHARED, pb->fd(), 0);
  if (base == MAP_FAILED) return -errno;
  pb->map_ = Mapping(base, pb->mmap_size_);
  pb->ring_ = PerfRing(base, pb->map_.data() + page, pb->data_size_);
  if (ioctl(pb->fd(), PERF_EVENT_IOC_ENABLE, 0) != 0) return -errno;
  *out = std::move(pb);
  return 0;
}

bool PerfBuffer::HasData() const { return ring_.HasData(); }

int PerfBuffer::Drain(const std::function<void(const uint8_t*, uint32_t)>& on_sample) {
  int samples = 0;
  int r = ring_.Consume([&](const perf_event_header& hdr, const uint8_t* rec) {
    if (hdr.type == PERF_RECORD_SAMPLE) {
      uint32_t raw_size;
      if (hdr.size < sizeof(SampleRaw)) return PerfRing::Step::kCorrupt;
      std::memcpy(&raw_size, rec + offsetof(SampleRaw, size), sizeof(raw_size));
      if (raw_size > hdr.size - sizeof(SampleRaw)) return PerfRing::Step::kCorrupt;
      on_sample(rec + sizeof(SampleRaw), raw_size);
      ++samples;
    } else if (hdr.type == PERF_RECORD_LOST && hdr.size >= sizeof(LostRecord)) {
      uint64_t n;
      std::memcpy(&n, rec + offsetof(LostRecord, lost), sizeof(n));
      lost_ += n;
    }  // other record types (throttle, ...) are skipped
    return PerfRing::Step::kNext;
  });
  return r < 0 ? r : samples;
}

}  // namespace bpfd
