// Every one-line record of the protocol: Parse(Format(x)) == x, and what each parser rejects.
#include <linux/bpf.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <string>
#include <utility>

#include "core/wire/cached_read.h"
#include "core/wire/elf_func_record.h"
#include "core/wire/framing.h"
#include "core/wire/map_record.h"
#include "core/wire/map_types.h"
#include "core/wire/object_record.h"
#include "core/wire/rlimit_record.h"
#include "core/wire/selftest_record.h"
#include "core/wire/uname_record.h"
#include "tests/testing.h"

using namespace bpfd;

TEST(rlimit_round_trip) {
  for (RlimitPair p : {RlimitPair{65536, 65536}, RlimitPair{8388608, kRlimInfinity},
                       RlimitPair{kRlimInfinity, kRlimInfinity}, RlimitPair{0, 0}}) {
    std::string line = FormatRlimitPair(p);
    size_t space = line.find(' ');
    RlimitPair back;
    EXPECT_EQ(ParseRlimitPair(line.substr(0, space), line.substr(space + 1), &back), 0);
    EXPECT(back == p);
  }
  EXPECT_EQ(FormatRlimitPair({65536, kRlimInfinity}), std::string("65536 inf"));
  struct rlimit local = ToRlimit({65536, kRlimInfinity});
  EXPECT(local.rlim_cur == 65536 && local.rlim_max == RLIM_INFINITY);
  EXPECT(FromRlimit(local) == (RlimitPair{65536, kRlimInfinity}));
  RlimitPair back;
  for (auto [cur, max] : {std::pair{"", "1"},
                          {"-1", "1"},
                          {"1", "infinity"},
                          {"0x10", "1"},
                          {"12345678901234567890", "1"}})
    EXPECT_EQ(ParseRlimitPair(cur, max, &back), -EPROTO);
}

TEST(uname_round_trip) {
  TargetUname u{"Linux", "my host", "6.1.0-50-arm64", "#1 SMP Debian 6.1.123-1 (2025-01-02)",
                "aarch64"};
  std::string line = FormatUnameLine(u);
  EXPECT_EQ(std::count(line.begin(), line.end(), ' '), 4);  // five tokens, spaces encoded
  TargetUname back;
  EXPECT_EQ(ParseUnameLine(line, &back), 0);
  EXPECT(back == u);
  EXPECT_EQ(ParseUnameLine("TGludXg=", &back), -EPROTO);
  TargetUname no_release = u;
  no_release.release.clear();
  EXPECT_EQ(ParseUnameLine(FormatUnameLine(no_release), &back), -EPROTO);
}

TEST(selftest_round_trip) {
  for (SelftestCheck c : {SelftestCheck{"PASS", "bpf-syscall", "bpf() works"},
                          SelftestCheck{"FAIL", "config-KPROBES", "not set: rebuild with it"},
                          SelftestCheck{"SKIP", "uprobe", ""}}) {
    SelftestCheck back;
    EXPECT_EQ(ParseSelftestLine(FormatSelftestLine(c), &back), 0);
    EXPECT(back.status == c.status && back.name == c.name && back.reason == c.reason);
  }
  // A reason with newlines stays one line.
  SelftestCheck multi{"FAIL", "tracefs", "first\nsecond\r"}, back;
  std::string line = FormatSelftestLine(multi);
  EXPECT(line.find('\n') == std::string::npos);
  EXPECT_EQ(ParseSelftestLine(line, &back), 0);
  EXPECT_EQ(back.reason, std::string("first second "));
  EXPECT_EQ(ParseSelftestLine("MAYBE x y", &back), -EPROTO);
  EXPECT_EQ(ParseSelftestLine("PASS", &back), -EPROTO);
}

TEST(elf_func_round_trip) {
  for (ElfFunc f : {ElfFunc{0x526, 0x1526, 6, "bpfd_probes_c_target"},
                    ElfFunc{0x1f, 0x20001f, 0, "name with spaces"},
                    ElfFunc{0, 0xffffffff80001000, 123456, "_ZN4bpfd3FooEv"}}) {
    ElfFunc back;
    EXPECT(ParseElfFuncLine(FormatElfFuncLine(f), &back));
    EXPECT(back == f);
  }
  EXPECT_EQ(FormatElfFuncLine({0x10, 0x20, 3, "f"}), std::string("10 20 3 f"));
  // A symbol that would end the reply is made safe, and still parses.
  ElfFunc evil{1, 2, 3, "a\nb"}, back;
  EXPECT(ParseElfFuncLine(FormatElfFuncLine(evil), &back) && back.symbol == "a?b");
}

TEST(map_record_round_trip) {
  MapRecord m;
  m.id = 42;
  m.type = BPF_MAP_TYPE_PERCPU_ARRAY;
  m.key_size = 4;
  m.value_size = 12;
  m.max_entries = 1024;
  m.flags = 0x1000;
  m.memlock = 1u << 20;
  m.btf_id = 7;
  m.btf_key_type_id = 1;
  m.btf_value_type_id = 2;
  m.name = "counts";
  m.pinned = {"/sys/fs/bpf/a b", "/sys/fs/bpf/c"};
  std::string line;
  FormatMapRecord(m, &line);
  MapRecord back;
  EXPECT_EQ(ParseMapRecord(line, &back), 0);
  EXPECT(back == m);
  MapRecord unnamed;
  line.clear();
  FormatMapRecord(unnamed, &line);
  EXPECT_EQ(ParseMapRecord(line, &back), 0);
  EXPECT(back == unnamed);
  EXPECT_EQ(ParseMapRecord("42 6 4", &back), -EINVAL);
}

TEST(map_value_sizes) {
  EXPECT(MapTypeIsPerCpu(BPF_MAP_TYPE_PERCPU_HASH) && MapTypeIsPerCpu(BPF_MAP_TYPE_PERCPU_ARRAY));
  EXPECT(MapTypeIsPerCpu(BPF_MAP_TYPE_LRU_PERCPU_HASH));
  EXPECT(MapTypeIsPerCpu(BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE));
  EXPECT(!MapTypeIsPerCpu(BPF_MAP_TYPE_HASH) && !MapTypeIsPerCpu(BPF_MAP_TYPE_ARRAY));
  EXPECT_EQ(PerCpuStride(12), 16u);
  EXPECT_EQ(PerCpuStride(16), 16u);
  EXPECT_EQ(ValueBufSize(BPF_MAP_TYPE_PERCPU_ARRAY, 12, 4), uint64_t{64});
  EXPECT_EQ(ValueBufSize(BPF_MAP_TYPE_ARRAY, 12, 4), uint64_t{12});
}

TEST(ret_round_trip) {
  for (int64_t v : {int64_t{0}, int64_t{-22}, int64_t{1} << 40, INT64_MIN, INT64_MAX}) {
    std::string line;
    AppendRet("sys_bpf", v, &line);
    EXPECT(line.ends_with("\n"));
    int64_t back = 1;
    EXPECT_EQ(ParseRet(line.substr(0, line.size() - 1), &back), 0);
    EXPECT_EQ(back, v);
  }
  int64_t r;
  EXPECT_EQ(ParseRet("a data line", &r), -ENOENT);
  EXPECT_EQ(ParseRet("x: ret=99999999999999999999", &r), -ERANGE);
}

TEST(framing_lines_are_never_data) {
  for (std::string_view f : {kBannerLine, kReplyStartLine, kReplyEndLine}) {
    EXPECT(IsFramingLine(f));
    EXPECT(!IsFramingLine(SafeLine(f)));
  }
  EXPECT_EQ(SafeLine("a\tb\x7f"), std::string("a?b?"));
  EXPECT_EQ(SafeLine("a\tb", true), std::string("a\tb"));
}

TEST(cached_read_round_trip) {
  std::vector<Sha256Digest> none, some = {Sha256Of("btf"), Sha256Of("kallsyms"), Sha256Of("")};
  std::vector<Sha256Digest> back = {Sha256Of("stale")};
  EXPECT_EQ(FormatDigestList(none), std::string("-"));
  EXPECT_EQ(ParseDigestList("-", &back), 0);
  EXPECT(back.empty());
  std::string token = FormatDigestList(some);
  EXPECT_EQ(token.size(), size_t{3 * 64 + 2});
  EXPECT_EQ(ParseDigestList(token, &back), 0);
  EXPECT(back == some);
  std::vector<Sha256Digest> many(kMaxCachedDigests + 3, Sha256Of("x"));
  EXPECT_EQ(ParseDigestList(FormatDigestList(many), &back), 0);  // written capped
  EXPECT_EQ(back.size(), kMaxCachedDigests);
  Sha256Digest d;
  EXPECT(ParseDigestMatch(FormatDigestMatch(some[1]), &d) && d == some[1]);
  const std::string hex = token.substr(0, 64);
  for (std::string bad :
       {std::string(""), std::string(","), hex + ",", "," + hex, hex + "0", hex.substr(1),
        std::string(64, 'A'), hex + "," + std::string(64, 'g'), token + "," + token + "," + token})
    EXPECT_EQ(ParseDigestList(bad, &back), -EPROTO);
  for (std::string bad :
       {hex, "=" + hex + "0", "=" + hex.substr(1), std::string("-"), std::string("=")})
    EXPECT(!ParseDigestMatch(bad, &d));
}

TEST_MAIN()

TEST(object_record_round_trip) {
  ObjectRecord o;
  o.handle = 3;
  o.name = "hardirqs";
  o.btf_id = 77;
  o.progs.push_back(
      {"handle_entry", "tp/irq/irq_handler_entry", BPF_PROG_TYPE_TRACEPOINT, 0, 41, 0});
  o.progs.push_back({"on_sample", "perf_event", BPF_PROG_TYPE_PERF_EVENT, 0, 42, -EOPNOTSUPP});
  o.progs.push_back({"u", "uprobe//bin/my tool:main", BPF_PROG_TYPE_KPROBE, 0, 0, 0});
  o.maps.push_back({"events", BPF_MAP_TYPE_RINGBUF, 0, 0, 1 << 20, false, false, 7, 12, 0, 0, 0});
  o.maps.push_back({"hardirqs.rodata", BPF_MAP_TYPE_ARRAY, 4, 16, 1, true, false, 8, 13, 5, 0, 9});
  o.maps.push_back({"pinned_map", BPF_MAP_TYPE_HASH, 4, 8, 10, false, true, 0, -1, 0, 0, 0});
  o.maps.push_back({"both", BPF_MAP_TYPE_HASH, 4, 8, 10, true, true, 0, -1, 0, 0, 0});
  std::vector<std::string> lines = FormatObjectRecord(o);
  EXPECT_EQ(lines.size(), size_t{8});
  ObjectRecord back;
  EXPECT_EQ(ParseObjectRecord(lines, &back), 0);
  EXPECT(back == o);
  for (const std::string& l : lines) EXPECT(l.find('\n') == std::string::npos);
  ObjectRecord unnamed;
  EXPECT_EQ(ParseObjectRecord(FormatObjectRecord(unnamed), &back), 0);
  EXPECT(back == unnamed);
  for (std::vector<std::string> bad :
       std::vector<std::vector<std::string>>{{},
                                             {"prog x eA== 1 0 1 0"},
                                             {"object x y 0"},
                                             {"object 1 y"},
                                             {"object 1 y 0", "prog x !!! 1 0 1 0"},
                                             {"object 1 y 0", "prog x eA== 1 0 1 5"},
                                             {"object 1 y 0", "map m 1 4 4 1 q 1 3 0 0 0"},
                                             {"object 1 y 0", "map m 1 4 4 1 - 1 3 0 0"},
                                             {"object 1 y 0", "link z"}}) {
    EXPECT_EQ(ParseObjectRecord(bad, &back), -EINVAL);
  }
}
