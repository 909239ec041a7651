// BtfTypes (core/output/btf_format.h) on BTF built here with libbpf: no kernel needed, so this runs
// on every architecture (armv7 checks the 32-bit build formats 64-bit fields right).
#include "core/output/btf_format.h"

#include <bpf/btf.h>

#include <cstring>
#include <memory>
#include <string>

#include "tests/testing.h"

using namespace bpfd;

namespace {

using BtfPtr = std::unique_ptr<struct btf, void (*)(struct btf*)>;

std::unique_ptr<BtfTypes> Load(struct btf* b) {
  uint32_t size = 0;
  auto* raw = static_cast<const uint8_t*>(btf__raw_data(b, &size));
  return BtfTypes::FromRaw(std::vector<uint8_t>(raw, raw + size));
}

std::string Fmt(const BtfTypes& t, int id, const void* data, size_t n) {
  JsonWriter w;
  if (t.Format(static_cast<uint32_t>(id), static_cast<const uint8_t*>(data), n, w) < 0)
    return "<error>";
  return w.str();
}

}  // namespace

TEST(ScalarsEnumsAndQualifiers) {
  BtfPtr b(btf__new_empty(), btf__free);
  int s16 = btf__add_int(b.get(), "short", 2, BTF_INT_SIGNED);
  int u64 = btf__add_int(b.get(), "u64", 8, 0);
  int bl = btf__add_int(b.get(), "_Bool", 1, BTF_INT_BOOL);
  int td = btf__add_typedef(b.get(), "pid_t", s16);
  int cst = btf__add_const(b.get(), btf__add_volatile(b.get(), td));
  int en = btf__add_enum(b.get(), "e", 4);
  btf__add_enum_value(b.get(), "NEG", -1);
  btf__add_enum_value(b.get(), "TWO", 2);
  int e64 = btf__add_enum64(b.get(), "big", 8, false);
  btf__add_enum64_value(b.get(), "HUGE", 0x100000000ull);
  int fl = btf__add_float(b.get(), "double", 8);
  auto t = Load(b.get());
  EXPECT(t != nullptr);
  if (!t) return;
  int16_t v16 = -300;
  uint64_t v64 = 18446744073709551615ull;
  uint8_t yes = 1;
  int32_t neg = -1, two = 2, other = 7;
  uint64_t huge = 0x100000000ull;
  double d = 2.5;
  EXPECT_EQ(Fmt(*t, s16, &v16, 2), "-300");
  EXPECT_EQ(Fmt(*t, cst, &v16, 2), "-300");
  EXPECT_EQ(Fmt(*t, u64, &v64, 8), "18446744073709551615");
  EXPECT_EQ(Fmt(*t, bl, &yes, 1), "true");
  EXPECT_EQ(Fmt(*t, en, &neg, 4), "\"NEG\"");
  EXPECT_EQ(Fmt(*t, en, &two, 4), "\"TWO\"");
  EXPECT_EQ(Fmt(*t, en, &other, 4), "7");
  EXPECT_EQ(Fmt(*t, e64, &huge, 8), "\"HUGE\"");
  EXPECT_EQ(Fmt(*t, fl, &d, 8), "2.5");
  EXPECT_EQ(Fmt(*t, u64, &v64, 4), "<error>");  // data shorter than the type
  EXPECT_EQ(Fmt(*t, 999, &v64, 8), "<error>");  // no such type
}

TEST(StructsArraysStringsBitfieldsAnonymousMembers) {
  BtfPtr b(btf__new_empty(), btf__free);
  int u32 = btf__add_int(b.get(), "u32", 4, 0);
  int chr = btf__add_int(b.get(), "char", 1, BTF_INT_CHAR);
  int u16 = btf__add_int(b.get(), "u16", 2, 0);
  int str = btf__add_array(b.get(), u32, chr, 6);
  int nums = btf__add_array(b.get(), u32, u16, 3);
  int inner = btf__add_union(b.get(), nullptr, 4);  // anonymous: fields land in the parent
  btf__add_field(b.get(), "as_u32", u32, 0, 0);
  btf__add_field(b.get(), "as_u16", u16, 0, 0);
  int ptr = btf__add_ptr(b.get(), chr);
  int s = btf__add_struct(b.get(), "s", 32);
  btf__add_field(b.get(), "comm", str, 0, 0);
  btf__add_field(b.get(), "n", nums, 48, 0);
  btf__add_field(b.get(), "", inner, 96, 0);
  btf__add_field(b.get(), "flag", u32, 128, 1);
  btf__add_field(b.get(), "code", u32, 129, 7);
  btf__add_field(b.get(), "top", u32, 136, 24);
  btf__add_field(b.get(), "p", ptr, 192, 0);
  auto t = Load(b.get());
  EXPECT(t != nullptr);
  if (!t) return;
  uint8_t v[32] = {};
  std::memcpy(v, "bash\0x", 6);
  uint16_t n[3] = {1, 2, 65535};
  std::memcpy(v + 6, n, 6);
  uint32_t x = 0x00010002;
  std::memcpy(v + 12, &x, 4);
  uint32_t bits = 1u | (100u << 1) | (0xabcdefu << 8);
  std::memcpy(v + 16, &bits, 4);
  uint64_t p = 0x1122334455667788ull;
  std::memcpy(v + 24, &p, 8);
  EXPECT_EQ(Fmt(*t, s, v, sizeof(v)),
            "{\"comm\":\"bash\",\"n\":[1,2,65535],\"as_u32\":65538,\"as_u16\":2,\"flag\":1,"
            "\"code\":100,\"top\":11259375,\"p\":\"0x1122334455667788\"}");
}

TEST(RejectsGarbage) {
  std::vector<uint8_t> junk(64, 0xab);
  EXPECT(BtfTypes::FromRaw(junk) == nullptr);
  EXPECT(BtfTypes::FromRaw({}) == nullptr);
}

TEST_MAIN()
