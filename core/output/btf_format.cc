#include "core/output/btf_format.h"

#include <bpf/btf.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace bpfd {
namespace {

constexpr int kMaxDepth = 32;  // BTF may be malformed: never recurse without bound

// Reads bit_size bits at bit_off of little-endian data (bit_size <= 64).
uint64_t Bits(const uint8_t* data, uint32_t bit_off, uint32_t bit_size) {
  uint64_t v = 0;
  uint32_t first = bit_off / 8, last = (bit_off + bit_size + 7) / 8;
  for (uint32_t i = last; i-- > first;) v = (v << 8) | data[i];
  v >>= bit_off % 8;
  return bit_size >= 64 ? v : v & ((uint64_t{1} << bit_size) - 1);
}

int64_t SignExtend(uint64_t v, uint32_t bits) {
  if (bits == 0 || bits >= 64) return static_cast<int64_t>(v);
  uint64_t sign = uint64_t{1} << (bits - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

std::string Hex(const uint8_t* data, size_t n) {  // little-endian number as 0x...
  std::string s = "0x";
  char b[3];
  for (size_t i = n; i-- > 0;) {
    std::snprintf(b, sizeof(b), "%02x", data[i]);
    s += b;
  }
  return s;
}

// `"name":value` -> (name, value)
void AddField(std::string_view kv, std::vector<std::pair<std::string, std::string>>* out) {
  size_t colon = kv.find("\":");
  if (kv.size() < 2 || kv[0] != '"' || colon == std::string_view::npos) return;
  out->emplace_back(std::string(kv.substr(1, colon - 1)), std::string(kv.substr(colon + 2)));
}

}  // namespace

std::unique_ptr<BtfTypes> BtfTypes::FromRaw(const std::vector<uint8_t>& raw) {
  struct btf* b = btf__new(raw.data(), static_cast<uint32_t>(raw.size()));
  if (!b) return nullptr;
  return std::unique_ptr<BtfTypes>(new BtfTypes(b));
}

BtfTypes::~BtfTypes() { btf__free(btf_); }

int BtfTypes::Format(uint32_t type_id, const uint8_t* data, size_t size, JsonWriter& w) const {
  if (!btf__type_by_id(btf_, type_id)) return -EINVAL;
  long long need = btf__resolve_size(btf_, type_id);
  if (need < 0 || static_cast<unsigned long long>(need) > size) return -EINVAL;
  Value(type_id, data, 0, 0, w, 0);
  return 0;
}

int BtfTypes::Fields(uint32_t type_id, const uint8_t* data, size_t size,
                     std::vector<std::pair<std::string, std::string>>* out) const {
  uint32_t id = static_cast<uint32_t>(btf__resolve_type(btf_, type_id));
  const btf_type* t = btf__type_by_id(btf_, id);
  if (!t || !(btf_is_struct(t) || btf_is_union(t)) || t->size > size) return -EINVAL;
  // Members writes "key":value pairs; render them into an object and split at top level.
  JsonWriter w;
  w.BeginObject();
  Members(id, data, w, 0);
  w.EndObject();
  const std::string& j = w.str();
  out->clear();
  size_t i = 1, depth = 0, start = 1;
  bool in_string = false;
  for (; i + 1 < j.size(); ++i) {
    char c = j[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '{' || c == '[')
      ++depth;
    else if (c == '}' || c == ']')
      --depth;
    else if (c == ',' && depth == 0) {
      AddField(std::string_view(j).substr(start, i - start), out);
      start = i + 1;
    }
  }
  if (i > start) AddField(std::string_view(j).substr(start, i - start), out);
  return 0;
}

uint32_t BtfTypes::FindStruct(std::string_view name) const {
  std::string n(name);
  int id = btf__find_by_name_kind(btf_, n.c_str(), BTF_KIND_STRUCT);
  if (id <= 0) id = btf__find_by_name_kind(btf_, n.c_str(), BTF_KIND_TYPEDEF);
  return id > 0 ? static_cast<uint32_t>(id) : 0;
}

// bit_off/bit_size: a bitfield inside `data` (bit_size 0: the whole type at data).
void BtfTypes::Value(uint32_t type_id, const uint8_t* data, uint32_t bit_off, uint32_t bit_size,
                     JsonWriter& w, int depth) const {
  const btf_type* t = btf__type_by_id(btf_, type_id);
  if (!t || depth > kMaxDepth) {
    w.Null();
    return;
  }
  switch (btf_kind(t)) {
    case BTF_KIND_TYPEDEF:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_CONST:
    case BTF_KIND_RESTRICT:
    case BTF_KIND_TYPE_TAG:
    case BTF_KIND_VAR:
      Value(t->type, data, bit_off, bit_size, w, depth + 1);
      return;
    case BTF_KIND_INT: {
      uint8_t enc = btf_int_encoding(t);
      uint32_t bits = bit_size ? bit_size : btf_int_bits(t);
      uint32_t off = bit_off + btf_int_offset(t);
      if (bits > 64) {
        w.String(Hex(data + off / 8, bits / 8));
      } else if (enc & BTF_INT_BOOL) {
        w.Bool(Bits(data, off, bits) != 0);
      } else if (enc & BTF_INT_SIGNED) {
        w.Int(SignExtend(Bits(data, off, bits), bits));
      } else {
        w.Uint(Bits(data, off, bits));
      }
      return;
    }
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64: {
      uint32_t bits = bit_size ? bit_size : t->size * 8;
      uint64_t raw = Bits(data, bit_off, bits > 64 ? 64 : bits);
      int64_t sv = SignExtend(raw, bits);
      uint16_t n = btf_vlen(t);
      for (uint16_t i = 0; i < n; ++i) {
        uint64_t ev;
        uint32_t name_off;
        if (btf_kind(t) == BTF_KIND_ENUM) {
          const struct btf_enum* e = btf_enum(t) + i;
          ev = static_cast<uint64_t>(static_cast<int64_t>(e->val));
          name_off = e->name_off;
          if (static_cast<uint64_t>(sv) != ev && raw != static_cast<uint32_t>(e->val)) continue;
        } else {
          const struct btf_enum64* e = btf_enum64(t) + i;
          ev = btf_enum64_value(e);
          name_off = e->name_off;
          if (raw != ev) continue;
        }
        w.String(btf__name_by_offset(btf_, name_off));
        return;
      }
      w.Int(sv);
      return;
    }
    case BTF_KIND_PTR:  // map layouts come from BPF C, where pointers are 64-bit
      w.String(Hex(data + bit_off / 8, 8));
      return;
    case BTF_KIND_FLOAT:
      if (t->size == 4 || t->size == 8) {
        double d;
        if (t->size == 4) {
          float f;
          std::memcpy(&f, data + bit_off / 8, 4);
          d = f;
        } else {
          std::memcpy(&d, data + bit_off / 8, 8);
        }
        char buf[40];
        std::snprintf(buf, sizeof(buf), "%.17g", d);
        if (d != d || d - d != 0)
          w.String(buf);  // NaN/inf are not JSON numbers
        else
          w.Raw(buf);
      } else {
        w.String(Hex(data + bit_off / 8, t->size));
      }
      return;
    case BTF_KIND_ARRAY: {
      const struct btf_array* a = btf_array(t);
      long long esz = btf__resolve_size(btf_, a->type);
      const btf_type* et = btf__type_by_id(btf_, btf__resolve_type(btf_, a->type));
      const uint8_t* base = data + bit_off / 8;
      // clang marks char as a signed or unsigned 8-bit int, without BTF_INT_CHAR: go by the name.
      const char* en = et ? btf__name_by_offset(btf_, et->name_off) : nullptr;
      bool is_char =
          et && btf_is_int(et) && esz == 1 &&
          ((btf_int_encoding(et) & BTF_INT_CHAR) || (en && std::strcmp(en, "char") == 0));
      if (is_char) {
        size_t len = strnlen(reinterpret_cast<const char*>(base), a->nelems);
        w.String(std::string_view(reinterpret_cast<const char*>(base), len));
        return;
      }
      w.BeginArray();
      if (esz >= 0)
        for (uint32_t i = 0; i < a->nelems; ++i)
          Value(a->type, base + static_cast<size_t>(i) * static_cast<size_t>(esz), 0, 0, w,
                depth + 1);
      w.EndArray();
      return;
    }
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION:
    case BTF_KIND_DATASEC:
      w.BeginObject();
      Members(type_id, data + bit_off / 8, w, depth + 1);
      w.EndObject();
      return;
    default:  // void, fwd, func, func_proto, decl_tag: nothing to show
      w.Null();
      return;
  }
}

// A struct/union/datasec's members as key/value pairs of the open object; anonymous
// struct/union members are flattened into it, as C lets you name their fields directly.
void BtfTypes::Members(uint32_t type_id, const uint8_t* data, JsonWriter& w, int depth) const {
  const btf_type* t = btf__type_by_id(btf_, type_id);
  if (!t || depth > kMaxDepth) return;
  uint16_t n = btf_vlen(t);
  if (btf_is_datasec(t)) {
    const btf_var_secinfo* v = btf_var_secinfos(t);
    for (uint16_t i = 0; i < n; ++i, ++v) {
      const btf_type* var = btf__type_by_id(btf_, v->type);
      w.Key(var ? btf__name_by_offset(btf_, var->name_off) : "");
      Value(v->type, data + v->offset, 0, 0, w, depth + 1);
    }
    return;
  }
  const btf_member* m = btf_members(t);
  for (uint16_t i = 0; i < n; ++i, ++m) {
    const char* name = btf__name_by_offset(btf_, m->name_off);
    uint32_t off = btf_member_bit_offset(t, i), bits = btf_member_bitfield_size(t, i);
    const btf_type* mt = btf__type_by_id(btf_, btf__resolve_type(btf_, m->type));
    if ((!name || !*name) && mt && (btf_is_struct(mt) || btf_is_union(mt))) {
      Members(btf__resolve_type(btf_, m->type), data + off / 8, w, depth + 1);
      continue;
    }
    w.Key(name ? name : "");
    Value(m->type, data + (bits ? 0 : off / 8), bits ? off : 0, bits, w, depth + 1);
  }
}

}  // namespace bpfd
