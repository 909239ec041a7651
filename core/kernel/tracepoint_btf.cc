#include "core/kernel/tracepoint_btf.h"

#include <bpf/btf.h>

#include <cerrno>
#include <cstdio>
#include <map>
#include <memory>

#include "core/base/file_io.h"

namespace bpfd {
namespace {

struct Field {
  std::string name;
  uint32_t offset = 0, size = 0;
  uint32_t elems = 0;  // an array's element count (0: not an array)
  bool is_signed = false;
  bool is_char = false;
};

// "\tfield:unsigned int nr_sector;\toffset:24;\tsize:4;\tsigned:0;" -> Field; false otherwise.
bool ParseField(const std::string& line, Field* f) {
  size_t decl = line.find("field:");
  size_t semi = line.find(';', decl);
  if (decl == std::string::npos || semi == std::string::npos) return false;
  std::string d = line.substr(decl + 6, semi - decl - 6);
  unsigned off, size;
  int sign = 0;
  if (std::sscanf(line.c_str() + semi, "; offset:%u; size:%u; signed:%d", &off, &size, &sign) < 2)
    return false;
  f->offset = off;
  f->size = size;
  f->is_signed = sign != 0;
  if (d.rfind("__data_loc ", 0) == 0) {  // "__data_loc char[] name": a u32 (offset | len << 16)
    f->name = "__data_loc_" + d.substr(d.find_last_of(' ') + 1);
    return size == 4;
  }
  size_t bracket = d.find('[');
  std::string decl_no_dims = bracket == std::string::npos ? d : d.substr(0, bracket);
  size_t sp = decl_no_dims.find_last_of(" *");
  if (sp == std::string::npos) return false;
  f->name = decl_no_dims.substr(sp + 1);
  std::string type = decl_no_dims.substr(0, sp);
  f->is_char = type.find("char") != std::string::npos;
  if (bracket != std::string::npos) {
    unsigned n = 0;
    if (std::sscanf(d.c_str() + bracket, "[%u]", &n) != 1 || n == 0 || size % n != 0) return false;
    f->elems = n;
  }
  return !f->name.empty();
}

class Builder {
 public:
  Builder() : btf_(btf__new_empty(), btf__free) {}
  bool ok() const { return btf_ != nullptr; }

  int Int(uint32_t size, bool is_signed, bool is_char) {
    std::string name = std::string(is_char     ? "char"
                                   : is_signed ? "s"
                                               : "u") +
                       (is_char ? "" : std::to_string(size * 8));
    auto it = ints_.find(name);
    if (it != ints_.end()) return it->second;
    int enc = is_char ? BTF_INT_CHAR : is_signed ? BTF_INT_SIGNED : 0;
    int id = btf__add_int(btf_.get(), name.c_str(), size, enc);
    return ints_[name] = id;
  }

  int TraceEntry() {
    if (entry_) return entry_;
    int u16 = Int(2, false, false), u8 = Int(1, false, false), s32 = Int(4, true, false);
    int id = btf__add_struct(btf_.get(), "trace_entry", 8);
    if (id < 0) return id;
    btf__add_field(btf_.get(), "type", u16, 0, 0);
    btf__add_field(btf_.get(), "flags", u8, 16, 0);
    btf__add_field(btf_.get(), "preempt_count", u8, 24, 0);
    btf__add_field(btf_.get(), "pid", s32, 32, 0);
    return entry_ = id;
  }

  int Struct(const std::string& name, const std::vector<Field>& fields) {
    uint32_t size = 8;
    for (const Field& f : fields) size = std::max(size, f.offset + f.size);
    std::vector<int> types;  // every type before the struct: BTF members follow their struct
    for (const Field& f : fields) {
      uint32_t esz = f.elems ? f.size / f.elems : f.size;
      if (esz != 1 && esz != 2 && esz != 4 && esz != 8 && esz != 16) return -EINVAL;
      int t = Int(esz, f.is_signed, f.is_char && esz == 1);
      if (t > 0 && f.elems) t = btf__add_array(btf_.get(), Int(4, false, false), t, f.elems);
      if (t < 0) return t;
      types.push_back(t);
    }
    int ent = TraceEntry();
    int id = btf__add_struct(btf_.get(), name.c_str(), size);
    if (ent < 0 || id < 0) return id < 0 ? id : ent;
    btf__add_field(btf_.get(), "ent", ent, 0, 0);
    for (size_t i = 0; i < fields.size(); ++i)
      if (int r =
              btf__add_field(btf_.get(), fields[i].name.c_str(), types[i], fields[i].offset * 8, 0);
          r < 0)
        return r;
    return id;
  }

  int Raw(std::vector<uint8_t>* raw) {
    uint32_t size = 0;
    const void* p = btf__raw_data(btf_.get(), &size);
    if (!p) return -ENOMEM;
    raw->assign(static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + size);
    return 0;
  }

 private:
  std::unique_ptr<struct btf, void (*)(struct btf*)> btf_;
  std::map<std::string, int> ints_;
  int entry_ = 0;
};

}  // namespace

int TracepointBtf(const std::string& tracefs, const std::vector<TracepointStruct>& structs,
                  std::vector<uint8_t>* raw) {
  Builder b;
  if (!b.ok()) return -ENOMEM;
  std::map<std::string, bool> done;
  for (const TracepointStruct& s : structs) {
    if (done[s.struct_name]) continue;
    done[s.struct_name] = true;
    std::string text;
    if (int r = ReadFile(tracefs + "/events/" + s.category + "/" + s.event + "/format", &text);
        r < 0)
      return r;
    std::vector<Field> fields;
    for (size_t at = 0, nl; at < text.size(); at = nl + 1) {  // no iostreams: 300 kB of libc++
      nl = text.find('\n', at);
      if (nl == std::string::npos) nl = text.size();
      std::string line = text.substr(at, nl - at);
      Field f;
      if (line.find("field:") == std::string::npos) continue;
      if (!ParseField(line, &f)) return -EINVAL;
      if (f.name.rfind("common_", 0) == 0) continue;  // in "ent"
      fields.push_back(std::move(f));
    }
    if (int r = b.Struct(s.struct_name, fields); r < 0) return r;
  }
  return b.Raw(raw);
}

}  // namespace bpfd
