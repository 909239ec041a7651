// The tables of the tools bpfd ships (core/output/run_output.h), on BTF built here with libbpf
// in the layout of core/bpf/biotop.bpf.c: no kernel needed, so this runs on every architecture.
#include "core/output/run_output.h"

#include <bpf/btf.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "tests/testing.h"

using namespace bpfd;

namespace {

struct Info {
  uint32_t pid, dev;
  char rw[4], comm[16];
};
struct Stats {
  uint64_t bytes, ns, io;
};

// biotop's key and value types, and the map record that names them.
std::unique_ptr<BtfTypes> BiotopBtf(MapRecord* m) {
  struct btf* b = btf__new_empty();
  int u32 = btf__add_int(b, "unsigned int", 4, 0);
  int u64 = btf__add_int(b, "unsigned long long", 8, 0);
  int chr = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
  int rw = btf__add_array(b, u32, chr, 4);
  int comm = btf__add_array(b, u32, chr, 16);
  int info = btf__add_struct(b, "info", sizeof(Info));
  btf__add_field(b, "pid", u32, 0, 0);
  btf__add_field(b, "dev", u32, 32, 0);
  btf__add_field(b, "rw", rw, 64, 0);
  btf__add_field(b, "comm", comm, 96, 0);
  int stats = btf__add_struct(b, "stats", sizeof(Stats));
  btf__add_field(b, "bytes", u64, 0, 0);
  btf__add_field(b, "ns", u64, 64, 0);
  btf__add_field(b, "io", u64, 128, 0);
  uint32_t size = 0;
  auto* raw = static_cast<const uint8_t*>(btf__raw_data(b, &size));
  auto t = BtfTypes::FromRaw(std::vector<uint8_t>(raw, raw + size));
  btf__free(b);
  *m = MapRecord{.type = 1,
                 .key_size = sizeof(Info),
                 .value_size = sizeof(Stats),
                 .btf_key_type_id = static_cast<uint32_t>(info),
                 .btf_value_type_id = static_cast<uint32_t>(stats),
                 .name = "counts"};
  return t;
}

void Add(MapEntries* e, uint32_t pid, const char* comm, char rw, uint64_t bytes, uint64_t ns,
         uint64_t io) {
  Info k{};
  k.pid = pid;
  k.dev = (254u << 20) | 16;
  k.rw[0] = rw;
  std::strncpy(k.comm, comm, sizeof(k.comm) - 1);
  Stats v{bytes, ns, io};
  auto* kp = reinterpret_cast<const uint8_t*>(&k);
  auto* vp = reinterpret_cast<const uint8_t*>(&v);
  e->keys.insert(e->keys.end(), kp, kp + sizeof(k));
  e->values.insert(e->values.end(), vp, vp + sizeof(v));
  e->key_size = sizeof(k);
  e->value_len = sizeof(v);
  ++e->count;
}

std::string Render(const RunTable& t, const MapRecord& m, const MapEntries& e, const BtfTypes& b,
                   bool json) {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  WriteRunTable(t, m, e, b, {{(254u << 20) | 16, "vdb"}}, json, f);
  std::fclose(f);
  std::string s(buf, len);
  std::free(buf);
  return s;
}

}  // namespace

TEST(BiotopRowsInBccColumnsSortedByBytes) {
  MapRecord m;
  auto btf = BiotopBtf(&m);
  const RunTable* t = FindRunTable("biotop");
  EXPECT(btf != nullptr && t != nullptr && t->top);
  if (!btf || !t) return;
  MapEntries e;
  Add(&e, 7, "dd", 'W', 8192, 3000000, 2);  // 8 KiB, 1.50 ms average
  Add(&e, 42, "kworker/u8:1", 'R', 1048576, 250000, 1);
  EXPECT_EQ(Render(*t, m, e, *btf, false),
            "PID     COMM             D MAJ MIN DISK       I/O  Kbytes  AVGms\n"
            "42      kworker/u8:1     R 254 16  vdb          1    1024   0.25\n"
            "7       dd               W 254 16  vdb          2       8   1.50\n");
  EXPECT_EQ(Render(*t, m, e, *btf, true),
            "[{\"PID\":42,\"COMM\":\"kworker/u8:1\",\"D\":\"R\",\"MAJ\":254,\"MIN\":16,"
            "\"DISK\":\"vdb\",\"I/O\":1,\"Kbytes\":1024,\"AVGms\":0.25},"
            "{\"PID\":7,\"COMM\":\"dd\",\"D\":\"W\",\"MAJ\":254,\"MIN\":16,\"DISK\":\"vdb\","
            "\"I/O\":2,\"Kbytes\":8,\"AVGms\":1.50}]\n");
}

TEST(TopToolsKeepTwentyRows) {
  MapRecord m;
  auto btf = BiotopBtf(&m);
  const RunTable* t = FindRunTable("biotop");
  if (!btf || !t) return;
  MapEntries e;
  for (uint32_t i = 1; i <= 25; ++i) Add(&e, i, "p", 'R', i * 1024, 0, 0);
  std::string out = Render(*t, m, e, *btf, false);
  EXPECT_EQ(static_cast<int>(std::count(out.begin(), out.end(), '\n')), 21);  // header + 20
  EXPECT(out.find("\n25 ") != std::string::npos);                             // the largest first
  EXPECT(out.find("\n5 ") == std::string::npos);    // the five smallest left out
  EXPECT(out.find("0.00\n") != std::string::npos);  // no I/O: an average of 0, not a crash
}

TEST(DiskColumnsAndUnknownDisks) {
  std::vector<Column> none = {{"PID", "pid", 5}};
  std::vector<Column> disk = {{"DISK", "dev", 5, CellKind::kDisk}};
  EXPECT(!NeedsDisks(none));
  EXPECT(NeedsDisks(disk));
  DiskNames d = ParsePartitions("major minor  #blocks  name\n\n 254        0   10485760 vda\n");
  EXPECT_EQ(d.size(), size_t{1});
  EXPECT_EQ(d[254u << 20], std::string("vda"));
}

TEST(TopHeaderIsBccs) {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  WriteTopHeader("0.10 0.20 0.30 1/99 1234\n", false, f);
  WriteTopHeader("ignored", true, f);
  std::fclose(f);
  std::string s(buf, len);
  std::free(buf);
  EXPECT(s.size() == 8 + std::strlen(" loadavg: 0.10 0.20 0.30 1/99 1234\n\n"));
  EXPECT(s.find(" loadavg: 0.10 0.20 0.30 1/99 1234\n\n") == 8);
}

TEST(HistogramsAsLog2Bars) {
  struct btf* b = btf__new_empty();
  int u32 = btf__add_int(b, "unsigned int", 4, 0);
  int chr = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
  int slots = btf__add_array(b, u32, u32, 4);
  int comm = btf__add_array(b, u32, chr, 8);
  int hist = btf__add_struct(b, "hist", 24);
  btf__add_field(b, "slots", slots, 0, 0);
  btf__add_field(b, "comm", comm, 128, 0);
  int plain = btf__add_struct(b, "plain", 4);
  btf__add_field(b, "n", u32, 0, 0);
  uint32_t size = 0;
  auto* raw = static_cast<const uint8_t*>(btf__raw_data(b, &size));
  auto btf = BtfTypes::FromRaw(std::vector<uint8_t>(raw, raw + size));
  btf__free(b);
  EXPECT(btf != nullptr);
  if (!btf) return;
  MapRecord m{.type = 1,
              .key_size = 4,
              .value_size = 24,
              .btf_key_type_id = static_cast<uint32_t>(u32),
              .btf_value_type_id = static_cast<uint32_t>(hist),
              .name = "hists"};
  MapRecord other = m;
  other.btf_value_type_id = static_cast<uint32_t>(plain);
  other.value_size = 4;
  EXPECT(IsHistogramMap(m, *btf));
  EXPECT(!IsHistogramMap(other, *btf));
  MapRecord percpu = m;
  percpu.type = 5;  // BPF_MAP_TYPE_PERCPU_HASH: its values are per CPU, not one histogram
  EXPECT(!IsHistogramMap(percpu, *btf));

  struct {
    uint32_t slots[4];
    char comm[8];
  } v = {{1, 4, 2, 0}, "dd"};
  uint32_t key = 7;
  MapEntries e;
  e.count = 1;
  e.key_size = 4;
  e.value_len = sizeof(v);
  e.keys.assign(reinterpret_cast<uint8_t*>(&key), reinterpret_cast<uint8_t*>(&key) + 4);
  e.values.assign(reinterpret_cast<uint8_t*>(&v), reinterpret_cast<uint8_t*>(&v) + sizeof(v));
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  WriteHistograms(m, e, *btf, f);
  std::fclose(f);
  std::string out(buf, len);
  std::free(buf);
  EXPECT_EQ(out,
            "\nhists: 7 comm=dd\n"
            "     value               : count    distribution\n"
            "         0 -> 1          : 1        |**********                              |\n"
            "         2 -> 3          : 4        |****************************************|\n"
            "         4 -> 7          : 2        |********************                    |\n");
}

TEST_MAIN()
