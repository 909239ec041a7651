#include "core/kernel/perf_sampling.h"

#include <cerrno>
#include <cstdint>

#include "core/wire/tokens.h"

namespace bpfd {

int PerfSamplingAttr(std::string_view section, perf_event_attr* attr) {
  constexpr std::string_view kPrefix = "perf_event";
  constexpr uint64_t kDefaultHz = 49;
  *attr = {};
  attr->size = sizeof(*attr);
  attr->type = PERF_TYPE_SOFTWARE;
  attr->config = PERF_COUNT_SW_CPU_CLOCK;
  if (!section.starts_with(kPrefix)) return -EINVAL;
  std::string_view arg = section.substr(kPrefix.size());
  if (arg.empty()) {
    attr->freq = 1;
    attr->sample_freq = kDefaultHz;
    return 0;
  }
  if (!arg.starts_with("/")) return -EINVAL;
  arg.remove_prefix(1);
  bool hz = arg.starts_with("hz=");
  if (!hz && !arg.starts_with("period=")) return -EINVAL;
  uint64_t n;
  if (!ParseUint64(arg.substr(arg.find('=') + 1), &n) || n == 0) return -EINVAL;
  attr->freq = hz ? 1 : 0;
  (hz ? attr->sample_freq : attr->sample_period) = n;
  return 0;
}

}  // namespace bpfd
