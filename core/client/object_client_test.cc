// SplitRingbufRecords: raw ringbuf bytes as RING_POLL carries them (8-byte headers, records
// padded to 8) become the committed payloads, in order; discarded ones are skipped and a
// header that does not fit is -EPROTO.
#include "core/client/object_client.h"

#include <linux/bpf.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "tests/testing.h"

using namespace bpfd;

namespace {

void Add(std::vector<uint8_t>* raw, const std::string& payload, uint32_t flags = 0) {
  uint32_t hdr = static_cast<uint32_t>(payload.size()) | flags, pg = 0;
  size_t at = raw->size();
  raw->resize(at + 8 + ((payload.size() + 7) & ~size_t{7}));
  std::memcpy(raw->data() + at, &hdr, 4);
  std::memcpy(raw->data() + at + 4, &pg, 4);
  std::memcpy(raw->data() + at + 8, payload.data(), payload.size());
}

std::vector<std::string> Split(const std::vector<uint8_t>& raw, long long* n) {
  std::vector<std::string> out;
  *n = SplitRingbufRecords(
      raw, [&](std::span<const uint8_t> r) { out.emplace_back(r.begin(), r.end()); });
  return out;
}

}  // namespace

TEST(ringbuf_records_in_order_discarded_skipped) {
  std::vector<uint8_t> raw;
  Add(&raw, "abc");
  Add(&raw, "discarded!", BPF_RINGBUF_DISCARD_BIT);
  Add(&raw, "12345678");
  Add(&raw, "");
  long long n;
  std::vector<std::string> got = Split(raw, &n);
  EXPECT_EQ(n, 3LL);
  EXPECT(got == (std::vector<std::string>{"abc", "12345678", ""}));
}

TEST(ringbuf_records_cut_short_are_eproto) {
  std::vector<uint8_t> raw;
  Add(&raw, "abcdefghij");
  long long n;
  std::vector<uint8_t> cut(raw.begin(), raw.end() - 8);
  Split(cut, &n);
  EXPECT_EQ(n, static_cast<long long>(-EPROTO));
  std::vector<uint8_t> stub(raw.begin(), raw.begin() + 4);
  Split(stub, &n);
  EXPECT_EQ(n, static_cast<long long>(-EPROTO));
  std::vector<uint8_t> busy;
  Add(&busy, "x", BPF_RINGBUF_BUSY_BIT);
  Split(busy, &n);
  EXPECT_EQ(n, static_cast<long long>(-EPROTO));
  Split({}, &n);
  EXPECT_EQ(n, 0LL);
}

TEST_MAIN()
