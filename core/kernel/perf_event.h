// perf_event_open(2) as the one wrapper every caller uses: the new fd, or -errno.
#pragma once
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace bpfd {

// flags: PERF_FLAG_*; PERF_FLAG_FD_CLOEXEC unless the caller says otherwise.
inline int PerfEventOpen(perf_event_attr* attr, int pid, int cpu, int group_fd,
                         unsigned long flags = PERF_FLAG_FD_CLOEXEC) {
  long fd = syscall(__NR_perf_event_open, attr, pid, cpu, group_fd, flags);
  return fd < 0 ? -errno : static_cast<int>(fd);
}

// The attr of a BPF_OUTPUT software event (what a PERF_EVENT_ARRAY slot holds): raw samples,
// one wake-up per sample.
inline perf_event_attr BpfOutputAttr() {
  perf_event_attr attr{};
  attr.size = sizeof(attr);
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_BPF_OUTPUT;
  attr.sample_type = PERF_SAMPLE_RAW;
  attr.sample_period = 1;
  attr.wakeup_events = 1;
  return attr;
}

}  // namespace bpfd
