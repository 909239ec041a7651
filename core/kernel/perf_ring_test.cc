// PerfRing's record walk on a ring built in memory: whole records (one wrapping the end), and
// headers that cannot be right (bad size, unaligned tail, a head further ahead than the ring
// holds) stop the walk with -EIO before any byte outside the ring is read.
#include "core/kernel/perf_ring.h"

#include <cerrno>
#include <cstring>
#include <vector>

#include "tests/testing.h"

using bpfd::PerfRing;

namespace {

constexpr uint64_t kSize = 256;

struct Ring {
  perf_event_mmap_page meta{};
  // Guard bytes either side: a walk that strays past the ring would copy them.
  std::vector<uint8_t> mem = std::vector<uint8_t>(kSize + 64, 0xee);
  uint8_t* data() { return mem.data() + 32; }
  PerfRing ring() { return PerfRing(&meta, data(), kSize); }
  // Writes a record of `size` bytes (header included) at ring position pos.
  void Put(uint64_t pos, uint16_t size, uint8_t fill) {
    perf_event_header h{PERF_RECORD_SAMPLE, 0, size};
    std::vector<uint8_t> rec(size, fill);
    std::memcpy(rec.data(), &h, sizeof(h));
    for (size_t i = 0; i < size; ++i) data()[(pos + i) % kSize] = rec[i];
  }
};

// Walks r, returning the sizes of the records seen.
std::vector<uint16_t> Walk(PerfRing& r, int* ret) {
  std::vector<uint16_t> sizes;
  *ret = r.Consume([&](const perf_event_header& h, const uint8_t* rec) {
    for (size_t i = sizeof(h); i < h.size; ++i)
      if (rec[i] == 0xee) return PerfRing::Step::kCorrupt;  // read outside the ring
    sizes.push_back(h.size);
    return PerfRing::Step::kNext;
  });
  return sizes;
}

}  // namespace

TEST(WholeRecordsAndOneThatWraps) {
  Ring g;
  g.meta.data_tail = 200;
  g.Put(200, 48, 1);  // 200..248
  g.Put(248, 32, 2);  // wraps: 248..256, 0..24
  g.meta.data_head = 280;
  PerfRing r = g.ring();
  int ret;
  auto sizes = Walk(r, &ret);
  EXPECT_EQ(ret, 2);
  EXPECT(sizes == (std::vector<uint16_t>{48, 32}));
  EXPECT_EQ(g.meta.data_tail, uint64_t{280});
}

TEST(HeadFurtherAheadThanTheRing) {
  Ring g;
  g.Put(0, 8, 1);
  g.meta.data_head = kSize * 4;
  PerfRing r = g.ring();
  int ret;
  EXPECT(Walk(r, &ret).empty());
  EXPECT_EQ(ret, -EIO);
  EXPECT_EQ(g.meta.data_tail, kSize * 4);  // resynchronised at the head
}

TEST(BadHeaders) {
  for (uint16_t size : {uint16_t{0}, uint16_t{4}, uint16_t{12}, uint16_t{200}}) {
    Ring g;
    g.Put(0, 16, 1);
    std::memcpy(g.data() + 6, &size, 2);  // the header's size field
    g.meta.data_head = 64;
    PerfRing r = g.ring();
    int ret;
    EXPECT(Walk(r, &ret).empty());
    EXPECT_EQ(ret, -EIO);
  }
  Ring g;  // an unaligned tail would read a header across the ring's end
  g.meta.data_tail = kSize - 4;
  g.meta.data_head = kSize + 60;
  PerfRing r = g.ring();
  int ret;
  EXPECT(Walk(r, &ret).empty());
  EXPECT_EQ(ret, -EIO);
}

TEST_MAIN()
