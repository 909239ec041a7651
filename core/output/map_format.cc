#include "core/output/map_format.h"
#include "core/output/names.h"

#include <string>

#include "core/output/json.h"

namespace bpfd {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr size_t kFlushAt = 1u << 20;

// Appends ["0x01","0xff",...] to *s (sized once, written in place: the hot loop of a dump).
void HexJsonArray(const uint8_t* p, size_t n, std::string* s) {
  size_t at = s->size();
  s->resize(at + (n ? n * 7 + 1 : 2));
  char* o = s->data() + at;
  *o++ = '[';
  for (size_t i = 0; i < n; ++i) {
    if (i) *o++ = ',';
    o[0] = '"', o[1] = '0', o[2] = 'x', o[3] = kHex[p[i] >> 4], o[4] = kHex[p[i] & 15], o[5] = '"';
    o += 6;
  }
  *o = ']';
}

// Writes the hex array as the writer's next value, straight into its buffer.
void HexValue(const uint8_t* p, size_t n, JsonWriter& w) {
  w.Raw("");
  HexJsonArray(p, n, w.mutable_str());
}

// "01 ff ..." appended to *s
void HexWords(const uint8_t* p, size_t n, std::string* s) {
  size_t at = s->size();
  s->resize(at + (n ? n * 3 - 1 : 0));
  char* o = s->data() + at;
  for (size_t i = 0; i < n; ++i) {
    if (i) *o++ = ' ';
    *o++ = kHex[p[i] >> 4];
    *o++ = kHex[p[i] & 15];
  }
}

void Drain(std::string* s, std::FILE* out, bool force) {
  if (s->size() < kFlushAt && !force) return;
  std::fwrite(s->data(), 1, s->size(), out);
  s->clear();
}

// One key or value: BTF-formatted when the type is known, else hex words (human output).
void HumanValue(const BtfTypes* btf, uint32_t type_id, const uint8_t* p, size_t n, std::string* s) {
  if (btf && type_id) {
    JsonWriter w;
    if (btf->Format(type_id, p, n, w) == 0) {
      s->append(w.str());
      return;
    }
  }
  HexWords(p, n, s);
}

bool Formats(const BtfTypes* btf, uint32_t type_id, const uint8_t* p, size_t n, JsonWriter& w) {
  return btf && type_id && btf->Format(type_id, p, n, w) == 0;
}

void JsonEntry(const MapRecord& m, const MapEntries& e, size_t i, const BtfTypes* btf, bool percpu,
               JsonWriter& w) {
  size_t stride = PerCpuStride(m.value_size);
  size_t ncpus = percpu ? e.value_len / stride : 1;
  w.BeginObject().Key("key");
  HexValue(e.key(i), e.key_size, w);
  if (percpu) {
    w.Key("values").BeginArray();
    for (size_t c = 0; c < ncpus; ++c) {
      w.BeginObject().Key("cpu").Uint(c).Key("value");
      HexValue(e.value(i) + c * stride, m.value_size, w);
      w.EndObject();
    }
    w.EndArray();
  } else {
    w.Key("value");
    HexValue(e.value(i), e.value_len, w);
  }
  if (btf && (m.btf_key_type_id || m.btf_value_type_id)) {
    w.Key("formatted").BeginObject().Key("key");
    if (!Formats(btf, m.btf_key_type_id, e.key(i), e.key_size, w)) w.Null();
    if (percpu) {
      w.Key("values").BeginArray();
      for (size_t c = 0; c < ncpus; ++c) {
        w.BeginObject().Key("cpu").Uint(c).Key("value");
        if (!Formats(btf, m.btf_value_type_id, e.value(i) + c * stride, m.value_size, w)) w.Null();
        w.EndObject();
      }
      w.EndArray();
    } else {
      w.Key("value");
      if (!Formats(btf, m.btf_value_type_id, e.value(i), e.value_len, w)) w.Null();
    }
    w.EndObject();
  }
  w.EndObject();
}

}  // namespace

void WriteMapList(const std::vector<MapRecord>& maps, bool json, std::FILE* out) {
  if (json) {
    JsonWriter w;
    w.BeginArray();
    for (const MapRecord& m : maps) {
      w.BeginObject().Key("id").Uint(m.id).Key("type").String(MapTypeName(m.type));
      w.Key("name").String(m.name).Key("flags").Uint(m.flags);
      w.Key("bytes_key").Uint(m.key_size).Key("bytes_value").Uint(m.value_size);
      w.Key("max_entries").Uint(m.max_entries).Key("bytes_memlock").Uint(m.memlock);
      if (m.btf_id) w.Key("btf_id").Uint(m.btf_id);
      w.Key("pinned").BeginArray();
      for (const std::string& p : m.pinned) w.String(p);
      w.EndArray().EndObject();
    }
    w.EndArray();
    std::fprintf(out, "%s\n", w.str().c_str());
    return;
  }
  std::fprintf(out, "%6s  %-22s %-16s %5s %6s %11s %6s %9s %5s  %s\n", "ID", "TYPE", "NAME", "KEY",
               "VALUE", "MAX_ENTRIES", "FLAGS", "MEMLOCK", "BTF", "PINNED");
  for (const MapRecord& m : maps) {
    std::string pins;
    for (const std::string& p : m.pinned) pins += (pins.empty() ? "" : ",") + p;
    std::string btf = m.btf_id ? std::to_string(m.btf_id) : "-";
    std::fprintf(out, "%6u  %-22s %-16s %5u %6u %11u 0x%04x %9llu %5s  %s\n", m.id,
                 MapTypeName(m.type).c_str(), m.name.empty() ? "-" : m.name.c_str(), m.key_size,
                 m.value_size, m.max_entries, m.flags, static_cast<unsigned long long>(m.memlock),
                 btf.c_str(), pins.empty() ? "-" : pins.c_str());
  }
}

void WriteMapEntries(const MapRecord& m, const MapEntries& e, const BtfTypes* btf, bool json,
                     std::FILE* out) {
  bool percpu = MapTypeIsPerCpu(m.type);
  if (json) {
    JsonWriter w;
    w.BeginArray();
    for (size_t i = 0; i < e.count; ++i) {
      JsonEntry(m, e, i, btf, percpu, w);
      Drain(w.mutable_str(), out, false);
    }
    w.EndArray();
    w.mutable_str()->push_back('\n');
    Drain(w.mutable_str(), out, true);
    return;
  }
  std::string s;
  size_t stride = PerCpuStride(m.value_size);
  for (size_t i = 0; i < e.count; ++i) {
    s += "key: ";
    HumanValue(btf, m.btf_key_type_id, e.key(i), e.key_size, &s);
    if (percpu) {
      for (size_t c = 0; c < e.value_len / stride; ++c) {
        s += "\n  value (CPU " + std::to_string(c) + "): ";
        HumanValue(btf, m.btf_value_type_id, e.value(i) + c * stride, m.value_size, &s);
      }
    } else {
      s += "  value: ";
      HumanValue(btf, m.btf_value_type_id, e.value(i), e.value_len, &s);
    }
    s += '\n';
    Drain(&s, out, false);
  }
  s += "Found " + std::to_string(e.count) + " element" + (e.count == 1 ? "" : "s") + "\n";
  Drain(&s, out, true);
}

}  // namespace bpfd
