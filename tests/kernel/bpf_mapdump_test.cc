// bpf-mapdump against the real kernel: maps made here (hash, array, per-CPU hash, LPM trie
// without batch lookup, one with BTF, one pinned) are listed and dumped by the bpfd binary
// and checked byte for byte, against bpftool where it is installed, and through python3's
// JSON parser. Under qemu-user (bpf() is ENOSYS) the binary must fail clearly; the rest SKIPs.
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "cmd/mode.h"
#include "core/base/unique_fd.h"
#include "core/client/backend.h"
#include "core/daemon/dispatch.h"
#include "core/daemon/local_backend.h"
#include "tests/testing.h"

using namespace bpfd;

namespace {

std::string Tmp() {
  const char* t = std::getenv("TEST_TMPDIR");
  return t ? t : "/tmp";
}

std::string Bin() {
  const char* src = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  return std::string(src ? src : ".") + "/" + (ws ? ws : "bpfd") + "/cmd/bpfd";
}

// Runs a shell command line; returns its exit status with stdout in *out, stderr in *err.
int Sh(const std::string& cmd, std::string* out = nullptr, std::string* err = nullptr) {
  std::string o = Tmp() + "/md_out", e = Tmp() + "/md_err";
  int st = std::system((cmd + " >" + o + " 2>" + e).c_str());
  auto slurp = [](const std::string& p) {
    std::ifstream f(p);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  };
  if (out) *out = slurp(o);
  if (err) *err = slurp(e);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int Mapdump(const std::string& args, std::string* out = nullptr, std::string* err = nullptr) {
  return Sh(Bin() + " mapdump " + args, out, err);
}

bool Has(const std::string& hay, const std::string& needle) {
  if (hay.find(needle) != std::string::npos) return true;
  std::printf("  missing: %s\n  in: %.600s\n", needle.c_str(), hay.c_str());
  return false;
}

// Python 3 on stdin-fed JSON: `code` sees the parsed document as `d`; exit 0 = true.
bool Py(const std::string& json, const std::string& code) {
  std::string jf = Tmp() + "/md_json", pf = Tmp() + "/md_check.py";
  std::ofstream(jf) << json;
  std::ofstream(pf) << "import json,sys\nd=json.load(open(sys.argv[1]))\n" << code << "\n";
  std::string out, err;
  int rc = Sh("python3 " + pf + " " + jf, &out, &err);
  if (rc != 0) std::printf("  python: %s%s\n", out.c_str(), err.c_str());
  return rc == 0;
}

std::string BpfUnavailable() {
  int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, nullptr, 4, 4, 1, nullptr);
  if (fd >= 0) {
    close(fd);
    return "";
  }
  return fd == -ENOSYS ? "bpf() is ENOSYS here (qemu-user)"
                       : std::string("bpf() fails: ") + strerror(-fd);
}

uint32_t IdOf(int fd) {
  bpf_map_info mi;
  std::memset(&mi, 0, sizeof(mi));
  uint32_t len = sizeof(mi);
  return bpf_obj_get_info_by_fd(fd, &mi, &len) == 0 ? mi.id : 0;
}

// The maps under test, made once for the whole run (unique names: other runs may be active).
struct Maps {
  std::string why;  // non-empty: BPF unusable, everything SKIPs
  std::string tag = std::to_string(getpid());
  UniqueFd hash, array, percpu, lpm, typed;
  uint32_t hash_id = 0, array_id = 0, percpu_id = 0, lpm_id = 0, typed_id = 0;
  std::string pin;
  int ncpus = 0;

  Maps() {
    why = BpfUnavailable();
    if (!why.empty()) return;
    ncpus = libbpf_num_possible_cpus();
    hash.reset(bpf_map_create(BPF_MAP_TYPE_HASH, ("md_h_" + tag).c_str(), 8, 40, 64, nullptr));
    array.reset(bpf_map_create(BPF_MAP_TYPE_ARRAY, ("md_a_" + tag).c_str(), 4, 8, 3, nullptr));
    percpu.reset(
        bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, ("md_p_" + tag).c_str(), 4, 4, 8, nullptr));
    LIBBPF_OPTS(bpf_map_create_opts, lo, .map_flags = BPF_F_NO_PREALLOC);
    lpm.reset(bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, ("md_l_" + tag).c_str(), 8, 4, 8, &lo));
    for (uint64_t k = 1; k <= 5; ++k) {
      uint8_t v[40];
      for (int i = 0; i < 40; ++i) v[i] = static_cast<uint8_t>(k * 10 + i);
      bpf_map_update_elem(hash.get(), &k, v, 0);
    }
    uint32_t k1 = 1;
    uint64_t v42 = 42;
    bpf_map_update_elem(array.get(), &k1, &v42, 0);
    std::vector<uint32_t> pv(ncpus > 0 ? ncpus * 2 : 2);  // stride 8 bytes per CPU
    for (int c = 0; c < ncpus; ++c) pv[c * 2] = 100 + c;
    uint32_t pk = 7;
    bpf_map_update_elem(percpu.get(), &pk, pv.data(), 0);
    uint8_t lk[8] = {24, 0, 0, 0, 10, 1, 2, 0};
    uint32_t lv = 99;
    bpf_map_update_elem(lpm.get(), lk, &lv, 0);
    MakeTyped();
    hash_id = IdOf(hash.get());
    array_id = IdOf(array.get());
    percpu_id = IdOf(percpu.get());
    lpm_id = IdOf(lpm.get());
    typed_id = IdOf(typed.get());
    struct stat st;
    if (::stat("/sys/fs/bpf", &st) == 0 && ::system("mountpoint -q /sys/fs/bpf") != 0)
      ::mount("bpf", "/sys/fs/bpf", "bpf", 0, nullptr);
    pin = "/sys/fs/bpf/md_test_" + tag;
    if (bpf_obj_pin(hash.get(), pin.c_str()) < 0) pin.clear();
  }
  ~Maps() {
    if (!pin.empty()) ::unlink(pin.c_str());
  }

  // key: u32; value: struct md_val { int a; char name[8]; typedef u64 md_cnt cnt;
  // enum md_state { MD_IDLE, MD_RUN } st; const volatile unsigned short bits:3 ... }.
  void MakeTyped() {
    std::unique_ptr<struct btf, void (*)(struct btf*)> b(btf__new_empty(), btf__free);
    int u32 = btf__add_int(b.get(), "unsigned int", 4, 0);
    int i32 = btf__add_int(b.get(), "int", 4, BTF_INT_SIGNED);
    int chr = btf__add_int(b.get(), "char", 1, BTF_INT_CHAR);
    int u64 = btf__add_int(b.get(), "unsigned long long", 8, 0);
    int u8 = btf__add_int(b.get(), "unsigned char", 1, 0);
    int arr = btf__add_array(b.get(), u32, chr, 8);
    int cnt = btf__add_typedef(b.get(), "md_cnt", u64);
    int cv = btf__add_const(b.get(), btf__add_volatile(b.get(), cnt));
    int en = btf__add_enum(b.get(), "md_state", 4);
    btf__add_enum_value(b.get(), "MD_IDLE", 0);
    btf__add_enum_value(b.get(), "MD_RUN", 1);
    int ptr = btf__add_ptr(b.get(), u8);
    int val = btf__add_struct(b.get(), "md_val", 40);
    btf__add_field(b.get(), "a", i32, 0, 0);
    btf__add_field(b.get(), "name", arr, 32, 0);
    btf__add_field(b.get(), "cnt", cv, 96 + 32, 0);  // offset 16 bytes
    btf__add_field(b.get(), "st", en, 192, 0);
    btf__add_field(b.get(), "lo", u8, 224, 3);  // bitfields
    btf__add_field(b.get(), "hi", u8, 227, 5);
    btf__add_field(b.get(), "p", ptr, 256, 0);
    uint32_t size = 0;
    const void* raw = btf__raw_data(b.get(), &size);
    LIBBPF_OPTS(bpf_btf_load_opts, bo);
    UniqueFd btf_fd(bpf_btf_load(raw, size, &bo));
    LIBBPF_OPTS(bpf_map_create_opts, mo, .btf_fd = static_cast<uint32_t>(btf_fd.get()),
                .btf_key_type_id = static_cast<uint32_t>(u32),
                .btf_value_type_id = static_cast<uint32_t>(val));
    typed.reset(bpf_map_create(BPF_MAP_TYPE_HASH, ("md_b_" + tag).c_str(), 4, 40, 4, &mo));
    uint8_t v[40] = {};
    int32_t a = -5;
    uint64_t c = 1234;
    uint32_t st = 1;
    uint64_t p = 0xffff888012345678ull;
    std::memcpy(v, &a, 4);
    std::memcpy(v + 4, "hello", 5);
    std::memcpy(v + 16, &c, 8);
    std::memcpy(v + 24, &st, 4);
    v[28] = static_cast<uint8_t>(5 | (17 << 3));  // lo=5, hi=17
    std::memcpy(v + 32, &p, 8);
    uint32_t k = 3;
    bpf_map_update_elem(typed.get(), &k, v, 0);
  }
};

Maps& M() {
  static Maps m;
  return m;
}

#define REQUIRE_BPF()                    \
  do {                                   \
    if (!M().why.empty()) SKIP(M().why); \
  } while (0)

bool HaveBpftool() { return Sh("bpftool version") == 0; }

}  // namespace

TEST(HelpAndUsageErrors) {
  std::string out, err;
  EXPECT_EQ(Mapdump("--help", &out), 0);
  for (const char* w : {"list", "id ID", "pinned PATH", "name NAME", "--json", "Exit status"})
    EXPECT(Has(out, w));
  EXPECT_EQ(Mapdump("frob", nullptr, &err), 2);
  EXPECT(Has(err, "bpf-mapdump: expected"));
  EXPECT_EQ(Mapdump("--bogus", nullptr, &err), 2);
  EXPECT_EQ(Mapdump("id x", nullptr, &err), 2);
  EXPECT(Has(err, "not a map id"));
}

TEST(FailsClearlyWithoutBpf) {
  if (M().why.empty()) SKIP("bpf() works here; the no-BPF failure is checked under qemu-user");
  std::string err;
  EXPECT_EQ(Mapdump("", nullptr, &err), 1);
  EXPECT(Has(err, "bpf-mapdump: cannot list maps: this kernel (or emulator) has no bpf()"));
  EXPECT_EQ(Mapdump("id 1", nullptr, &err), 1);
  EXPECT(Has(err, "bpf-mapdump: "));
}

TEST(ExtensionsHonourNoKernelAndValidate) {
  Session s(SessionOptions{.kernel = false});
  struct {
    const char* line;
    const char* want;
  } cases[] = {
      {"MAP_LIST", "map_list: ret=-1\n"},
      {"MAP_INFO id 5", "map_info: ret=-1\n"},
      {"MAP_INFO name foo", "map_info: ret=-1\n"},
      {"MAP_INFO pinned L3N5cy9mcy9icGYveA==", "map_info: ret=-1\n"},
      {"MAP_INFO pinned !!", "map_info: ret=-22\n"},
      {"MAP_INFO id x", "Command not recognized\n"},
      {"MAP_INFO what 1", "Command not recognized\n"},
      {"MAP_DUMP 5", "map_dump: ret=-1\n"},
      {"MAP_DUMP -5", "Command not recognized\n"},
      {"BTF_GET 1", "btf_get: ret=-1\n"},
      {"BTF_GET", "Command not recognized\n"},
  };
  for (auto& c : cases) {
    Reply r;
    HandleLine(s, c.line, r);
    if (std::string(r.body()) != c.want) {
      std::printf("  %s -> %s", c.line, std::string(r.body()).c_str());
      EXPECT(false);
    }
  }
}

TEST(ListingMatchesBpftool) {
  REQUIRE_BPF();
  std::string out;
  EXPECT_EQ(Mapdump("-j", &out), 0);
  std::string ids = std::to_string(M().hash_id) + "," + std::to_string(M().array_id) + "," +
                    std::to_string(M().percpu_id) + "," + std::to_string(M().typed_id);
  EXPECT(Py(out, "m={x['id']:x for x in d}\nfor i in [" + ids +
                     "]: assert i in m, i\n"
                     "assert m[" +
                     std::to_string(M().hash_id) + "]['name']=='md_h_" + M().tag +
                     "'\n"
                     "assert m[" +
                     std::to_string(M().percpu_id) +
                     "]['type']=='percpu_hash'\n"
                     "assert m[" +
                     std::to_string(M().typed_id) +
                     "]['btf_id']>0\n"
                     "assert all(x['bytes_memlock']>0 for x in d)"));
  if (!M().pin.empty())
    EXPECT(Py(out, "assert '" + M().pin + "' in [x for m in d for x in m['pinned']]"));
  std::string human;
  EXPECT_EQ(Mapdump("list", &human), 0);
  EXPECT(Has(human, "md_h_" + M().tag));
  EXPECT(Has(human, "percpu_hash"));
  if (!HaveBpftool()) SKIP("bpftool not installed: listing not compared with it");
  std::string bt;
  EXPECT_EQ(Sh("bpftool map show -j", &bt), 0);
  std::string both = "{\"ours\":" + out + ",\"bpftool\":" + bt + "}";
  // Maps come and go under other tests: compare the ids present in both listings.
  EXPECT(Py(both,
            "o={x['id']:x for x in d['ours']}\nb={x['id']:x for x in d['bpftool']}\n"
            "common=set(o)&set(b)\nassert len(common)>=4\n"
            "for i in common:\n"
            "  for f in "
            "['type','name','bytes_key','bytes_value','max_entries','flags','bytes_memlock']:\n"
            "    assert o[i][f]==b[i].get(f,''), (i,f,o[i][f],b[i].get(f))\n"));
}

TEST(HexDumpBytes) {
  REQUIRE_BPF();
  std::string out;
  EXPECT_EQ(Mapdump("id " + std::to_string(M().array_id), &out), 0);
  EXPECT(Has(out, "key: 01 00 00 00  value: 2a 00 00 00 00 00 00 00\n"));
  EXPECT(Has(out, "key: 00 00 00 00  value: 00 00 00 00 00 00 00 00\n"));
  EXPECT(Has(out, "Found 3 elements\n"));
  EXPECT_EQ(Mapdump("name md_h_" + M().tag, &out), 0);
  EXPECT(Has(out, "key: 03 00 00 00 00 00 00 00  value: 1e 1f 20 21"));
  EXPECT(Has(out, "Found 5 elements\n"));
}

TEST(JsonDumpMatchesBpftool) {
  REQUIRE_BPF();
  for (uint32_t id : {M().hash_id, M().array_id, M().percpu_id, M().lpm_id}) {
    std::string out, bt;
    EXPECT_EQ(Mapdump("-j id " + std::to_string(id), &out), 0);
    EXPECT(Py(out, "assert isinstance(d,list) and len(d)>0"));
    if (!HaveBpftool()) SKIP("bpftool not installed: dumps not compared with it");
    EXPECT_EQ(Sh("bpftool map dump -j id " + std::to_string(id), &bt), 0);
    EXPECT(Py("{\"o\":" + out + ",\"b\":" + bt + "}",
              "k=lambda l: sorted(json.dumps(e,sort_keys=True) for e in l)\n"
              "assert k(d['o'])==k(d['b']), (d['o'][:2], d['b'][:2])"));
  }
}

TEST(PerCpuValues) {
  REQUIRE_BPF();
  std::string out;
  EXPECT_EQ(Mapdump("-j id " + std::to_string(M().percpu_id), &out), 0);
  EXPECT(Py(out, "v=d[0]['values']\nassert len(v)==" + std::to_string(M().ncpus) +
                     "\n"
                     "assert [x['cpu'] for x in v]==list(range(len(v)))\n"
                     "assert all(int(x['value'][0],16)==100+x['cpu'] for x in v)"));
  EXPECT_EQ(Mapdump("id " + std::to_string(M().percpu_id), &out), 0);
  EXPECT(Has(out, "key: 07 00 00 00\n  value (CPU 0): 64 00 00 00\n"));
}

TEST(BtfFormatted) {
  REQUIRE_BPF();
  if (!M().typed) SKIP("this kernel refused the BTF map");
  std::string want =
      "{\"a\":-5,\"name\":\"hello\",\"cnt\":1234,\"st\":\"MD_RUN\",\"lo\":5,\"hi\":17,"
      "\"p\":\"0xffff888012345678\"}";
  std::string out;
  EXPECT_EQ(Mapdump("id " + std::to_string(M().typed_id), &out), 0);
  EXPECT(Has(out, "key: 3  value: " + want + "\n"));
  EXPECT_EQ(Mapdump("--json id " + std::to_string(M().typed_id), &out), 0);
  EXPECT(Has(out, "\"formatted\":{\"key\":3,\"value\":" + want + "}"));
  EXPECT(
      Py(out, "assert d[0]['formatted']['value']['name']=='hello'\nassert len(d[0]['value'])==40"));
}

TEST(PinnedAndNameLookups) {
  REQUIRE_BPF();
  if (M().pin.empty()) SKIP("cannot pin under /sys/fs/bpf here");
  std::string out, err;
  EXPECT_EQ(Mapdump("pinned " + M().pin, &out), 0);
  EXPECT(Has(out, "Found 5 elements"));
  EXPECT_EQ(Mapdump("pinned /sys/fs/bpf/md_none_" + M().tag, nullptr, &err), 1);
  EXPECT(Has(err, "bpf-mapdump: nothing is pinned at /sys/fs/bpf/md_none_"));
  EXPECT_EQ(Mapdump("pinned /etc/passwd", nullptr, &err), 1);
  EXPECT(Has(err, "bpf-mapdump: "));
  EXPECT_EQ(Mapdump("name md_none_" + M().tag, nullptr, &err), 1);
  EXPECT(Has(err, "no map with name md_none_"));
  EXPECT_EQ(Mapdump("id 4000000000", nullptr, &err), 1);
  EXPECT(Has(err, "no map with id 4000000000 (list them with 'bpf-mapdump')"));
}

TEST(DaemonLeavesNoFdsBehind) {
  REQUIRE_BPF();
  auto count = [] {
    int n = 0;
    std::unique_ptr<DIR, int (*)(DIR*)> d(opendir("/proc/self/fd"), closedir);
    while (d && readdir(d.get())) ++n;
    return n;
  };
  LocalBackend b;
  std::vector<std::string> data;
  int before = count();
  EXPECT(CallData(b, "MAP_LIST", &data) >= 4);
  EXPECT_EQ(CallData(b, "MAP_DUMP " + std::to_string(M().hash_id), &data), 5);
  EXPECT_EQ(CallData(b, "MAP_DUMP " + std::to_string(M().lpm_id), &data), 1);  // no batch
  EXPECT_EQ(CallData(b, "MAP_INFO id " + std::to_string(M().typed_id), &data), 1);
  EXPECT(CallData(b, "MAP_INFO name md_b_" + M().tag, &data) == 1);
  EXPECT_EQ(CallData(b, "MAP_DUMP 4000000000", &data), -ENOENT);
  EXPECT_EQ(count(), before);
}

TEST_MAIN()
