// PerfSamplingAttr: the perf_event section forms `bpfd run` attaches (no kernel needed).
#include "core/kernel/perf_sampling.h"

#include "tests/testing.h"

using namespace bpfd;

TEST(SectionForms) {
  perf_event_attr a;
  EXPECT_EQ(PerfSamplingAttr("perf_event", &a), 0);
  EXPECT(a.type == PERF_TYPE_SOFTWARE && a.config == PERF_COUNT_SW_CPU_CLOCK);
  EXPECT(a.freq == 1 && a.sample_freq == 49);
  EXPECT_EQ(PerfSamplingAttr("perf_event/hz=99", &a), 0);
  EXPECT(a.freq == 1 && a.sample_freq == 99);
  EXPECT_EQ(PerfSamplingAttr("perf_event/period=10000000", &a), 0);
  EXPECT(a.freq == 0 && a.sample_period == 10000000);
  EXPECT_EQ(static_cast<int>(a.size), static_cast<int>(sizeof(a)));
}

TEST(BadSectionsAreRefused) {
  perf_event_attr a;
  for (const char* s : {"perf_event/", "perf_event/hz=0", "perf_event/hz=", "perf_event/99",
                        "perf_event/hz=9x", "perf_eventx", "perf_event/freq=1", "kprobe/x"})
    EXPECT_EQ(PerfSamplingAttr(s, &a), -EINVAL);
}

TEST_MAIN()
