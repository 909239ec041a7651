// Pure parts of the forwarding commands: SYS_BPF's slot parsing, pointer patching and
// restoring (with a fake syscall), and the kprobe_events/uprobe_events write parser.
#include <cerrno>
#include <cstring>

#include "core/kernel/bpf_call.h"
#include "core/kernel/probe_events.h"
#include "core/wire/base64.h"
#include "tests/testing.h"

using namespace bpfd;

namespace {

int Parse(BpfCall& c, std::vector<std::string_view> args) { return c.Parse(args); }

}  // namespace

TEST(BpfCallRejectsMalformedDescriptions) {
  BpfCall c;
  const std::string attr16 = "AAAAAAAAAAAAAAAAAAAAAA==";               // 16 zero bytes
  EXPECT_EQ(Parse(c, {"-"}), -EINVAL);                                 // no attr
  EXPECT_EQ(Parse(c, {"AAA"}), -EINVAL);                               // bad base64
  EXPECT_EQ(Parse(c, {attr16, "a8", "i"}), -EINVAL);                   // incomplete group
  EXPECT_EQ(Parse(c, {attr16, "a9", "o", "4", "-"}), -EINVAL);         // slot past the end
  EXPECT_EQ(Parse(c, {attr16, "c0", "o", "4", "-"}), -EINVAL);         // no such slot kind
  EXPECT_EQ(Parse(c, {attr16, "b0.0", "o", "4", "-"}), -EINVAL);       // no earlier buffer
  EXPECT_EQ(Parse(c, {attr16, "a0", "z", "4", "-"}), -EINVAL);         // bad direction
  EXPECT_EQ(Parse(c, {attr16, "a0", "i", "4", "AAAA"}), -EINVAL);      // 3 bytes, not 4
  EXPECT_EQ(Parse(c, {attr16, "a0", "o", "4", "AAAAAA=="}), -EINVAL);  // o takes no data
  EXPECT_EQ(Parse(c, {attr16, "a0", "o", "x", "-"}), -EINVAL);
  EXPECT_EQ(Parse(c, {attr16, "a0", "o", "268435456", "-"}), -E2BIG);  // 40 bytes, 358 MB reply
  EXPECT_EQ(Parse(c, {attr16, "a0", "o", std::to_string(kMaxBpfBuffer + 1), "-"}), -E2BIG);
  const std::string each = std::to_string(kMaxBpfBuffer);
  EXPECT_EQ(Parse(c, {attr16, "a0", "o", each, "-", "a8", "o", each, "-"}), 0);
  EXPECT_EQ(Parse(c, {attr16, "a0", "o", each, "-", "a8", "o", each, "-", "b0.0", "o", "1", "-"}),
            -E2BIG);  // over kMaxBpfBuffers together
  std::string big(Base64EncodedSize(kMaxBpfAttr + 3), 'A');
  EXPECT_EQ(Parse(c, {big}), -EINVAL);
  EXPECT_EQ(Parse(c, {attr16, "a8", "o", "16", "-", "b0.8", "i", "0", "-"}), 0);
}

TEST(BpfCallPatchesAndRestoresSlots) {
  // attr: slot at 0 holds the client's 0x1111; buffer 0 (x, 16 bytes) holds 0x2222 at 8,
  // where buffer 1 (o, 4 bytes) goes.
  uint64_t attr[2] = {0x1111, 7};
  uint64_t buf0[2] = {5, 0x2222};
  BpfCall c;
  std::string a = Base64Encode(reinterpret_cast<uint8_t*>(attr), sizeof(attr));
  std::string b = Base64Encode(reinterpret_cast<uint8_t*>(buf0), sizeof(buf0));
  EXPECT_EQ(Parse(c, {a, "a0", "x", "16", b, "b0.8", "o", "4", "-"}), 0);
  long r = c.Call([](void* p, uint32_t size) -> long {
    if (size != 16) return -1;
    uint64_t ptr0, ptr1;
    std::memcpy(&ptr0, p, 8);
    auto* b0 = reinterpret_cast<uint64_t*>(ptr0);
    if (b0[0] != 5) return -2;
    ptr1 = b0[1];
    std::memcpy(reinterpret_cast<void*>(ptr1), "out!", 4);  // the kernel writes buffer 1
    b0[0] = 6;                                              // and buffer 0
    static_cast<uint64_t*>(p)[1] = 8;                       // and the attr
    return 42;
  });
  EXPECT_EQ(r, 42);
  uint64_t got[2];
  std::memcpy(got, c.attr().data(), 16);
  EXPECT(got[0] == 0x1111 && got[1] == 8);
  std::memcpy(got, c.buffer(0).data(), 16);
  EXPECT(got[0] == 6 && got[1] == 0x2222);  // the nested slot is the client's again
  EXPECT(std::memcmp(c.buffer(1).data(), "out!", 4) == 0);
  std::string reply;
  c.AppendReply(&reply);
  EXPECT_EQ(reply, Base64Encode(c.attr().data(), 16) + "\n0 " +
                       Base64Encode(c.buffer(0).data(), 16) + "\n1 " +
                       Base64Encode(c.buffer(1).data(), 4) + "\n");
}

TEST(BpfCallEmptyBufferIsNullPointer) {
  uint64_t attr = 0x1234;
  BpfCall c;
  EXPECT_EQ(Parse(c, {Base64Encode(reinterpret_cast<uint8_t*>(&attr), 8), "a0", "o", "0", "-"}), 0);
  uint64_t seen = 1;
  c.Call([&](void* p, uint32_t) -> long {
    std::memcpy(&seen, p, 8);
    return 0;
  });
  EXPECT_EQ(seen, 0u);
  std::string reply;
  c.AppendReply(&reply);
  EXPECT_EQ(reply, Base64Encode(reinterpret_cast<uint8_t*>(&attr), 8) + "\n0 -\n");
}

// A 4-byte attr still gets room for what the kernel writes at fixed offsets (info_len at 8,
// a query's prog_cnt at 16...), and the reply carries the client's 4 bytes only.
TEST(BpfCallShortAttrIsZeroExtended) {
  uint32_t attr = 7;
  BpfCall c;
  EXPECT_EQ(Parse(c, {Base64Encode(reinterpret_cast<uint8_t*>(&attr), 4)}), 0);
  uint32_t given = 0;
  bool zeros = true;
  c.Call([&](void* p, uint32_t size) -> long {
    given = size;
    auto* b = static_cast<uint8_t*>(p);
    for (size_t i = 4; i < kMaxBpfAttr; ++i) zeros = zeros && b[i] == 0;
    std::memset(b + 8, 0xff, 64);  // what the kernel writes past the client's bytes
    return 0;
  });
  EXPECT_EQ(given, 4u);
  EXPECT(zeros);
  EXPECT_EQ(c.attr().size(), size_t{4});
}

TEST(ProbeEventWritesAreParsed) {
  auto e = ParseProbeEventWrite(
      "p:grp/ev1 do_sys_open\n# comment\n\n  r10:ev2 vfs_read\np vfs_write\n-:grp/ev1\n-:ev3\n"
      "-:\nx:foo\npx bad\n",
      ProbeKind::kKprobe);
  EXPECT_EQ(e.size(), 5u);
  if (e.size() != 5) return;
  EXPECT(e[0].add && e[0].group == "grp" && e[0].event == "ev1");
  EXPECT(e[1].add && e[1].group == "kprobes" && e[1].event == "ev2");
  EXPECT(e[2].add && e[2].group == "kprobes" && e[2].event.empty());
  EXPECT(!e[3].add && e[3].group == "grp" && e[3].event == "ev1");
  EXPECT(!e[4].add && e[4].group.empty() && e[4].event == "ev3");
  auto u = ParseProbeEventWrite("p /bin/true:0x10", ProbeKind::kUprobe);
  EXPECT(u.size() == 1 && u[0].group == "uprobes");
  auto l =
      ListedProbeEvents("p:uprobes/p_true_0x10 /bin/true:0x0000000000000010\nr16:kprobes/r_x x\n");
  EXPECT(l.size() == 2 && l[0].first == "uprobes" && l[0].second == "p_true_0x10" &&
         l[1].second == "r_x");
}

TEST(DynamicEventWritesAreParsed) {
  // dynamic_events also takes eprobes, synthetic events, fprobes and tracepoint probes; a
  // definition without a group has none (the kernel picks one by kind).
  auto d = ParseDynamicEventWrite(
      "p:g/k do_sys_open\ne:eg/e sched.sched_switch\ns:synthetic/lat u64 l\nf:fp vfs_read\n"
      "t:tp sched_switch\nr vfs_write\n-:g/k\nx:nope\n");
  EXPECT_EQ(d.size(), 7u);
  if (d.size() != 7) return;
  EXPECT(d[0].add && d[0].group == "g" && d[0].event == "k");
  EXPECT(d[1].add && d[1].group == "eg" && d[1].event == "e");
  EXPECT(d[2].add && d[2].group == "synthetic" && d[2].event == "lat");
  EXPECT(d[3].add && d[3].group.empty() && d[3].event == "fp");
  EXPECT(d[4].add && d[4].group.empty() && d[4].event == "tp");
  EXPECT(d[5].add && d[5].group.empty() && d[5].event.empty());
  EXPECT(!d[6].add && d[6].group == "g" && d[6].event == "k");
}

TEST_MAIN()
