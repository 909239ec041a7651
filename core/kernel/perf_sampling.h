// The CPU-clock sampling a perf_event program's section asks for (`bpfd run`'s convention;
// libbpf attaches no perf_event section by itself):
//   "perf_event"           49 Hz on every online CPU (BCC's profile default)
//   "perf_event/hz=N"      N samples a second on every online CPU
//   "perf_event/period=N"  one sample every N ns of each CPU's clock
#pragma once
#include <linux/perf_event.h>

#include <string_view>

namespace bpfd {

// Fills *attr (a software cpu-clock event) for `section`: 0, or -EINVAL when the section is
// not one of the forms above or N is 0.
int PerfSamplingAttr(std::string_view section, perf_event_attr* attr);

}  // namespace bpfd
