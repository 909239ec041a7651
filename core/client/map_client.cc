#include "core/client/map_client.h"

#include <cerrno>

#include "core/client/call.h"
#include "core/wire/base64.h"

namespace bpfd {
namespace {

long long ParseRecords(long long ret, const std::vector<std::string>& data,
                       std::vector<MapRecord>* out) {
  if (ret < 0) return ret;
  if (data.size() != static_cast<size_t>(ret)) return -EPROTO;
  out->clear();
  for (const std::string& line : data) {
    MapRecord m;
    if (ParseMapRecord(line, &m) < 0) return -EPROTO;
    out->push_back(std::move(m));
  }
  return ret;
}

// Decodes base64 `b64` and appends it to *out; false unless exactly `len` bytes.
bool AppendDecoded(std::string_view b64, size_t len, std::vector<uint8_t>* scratch,
                   std::vector<uint8_t>* out) {
  if (Base64Decode(b64, scratch) < 0 || scratch->size() != len) return false;
  out->insert(out->end(), scratch->begin(), scratch->end());
  return true;
}

}  // namespace

long long ListMaps(Backend& b, std::vector<MapRecord>* out) {
  std::vector<std::string> data;
  return ParseRecords(CallData(b, "MAP_LIST", &data), data, out);
}

long long FindMaps(Backend& b, std::string_view how, std::string_view value,
                   std::vector<MapRecord>* out) {
  std::string line = "MAP_INFO " + std::string(how) + " ";
  if (how == "pinned") {
    Base64Append(reinterpret_cast<const uint8_t*>(value.data()), value.size(), &line);
  } else {
    line += value;
  }
  std::vector<std::string> data;
  return ParseRecords(CallData(b, line, &data), data, out);
}

long long DumpMap(Backend& b, const MapRecord& m, MapEntries* out) {
  std::vector<std::string> data;
  long long ret = CallData(b, "MAP_DUMP " + std::to_string(m.id), &data);
  if (ret < 0) return ret;
  if (data.size() != static_cast<size_t>(ret)) return -EPROTO;
  *out = MapEntries{};
  out->key_size = m.key_size;
  out->value_len = m.value_size;
  if (MapTypeIsPerCpu(m.type) && !data.empty()) {
    // The daemon's possible-CPU count, from the first value's length.
    size_t sp = data[0].find(' ');
    std::vector<uint8_t> v;
    if (sp == std::string::npos || Base64Decode(std::string_view(data[0]).substr(sp + 1), &v) < 0)
      return -EPROTO;
    out->value_len = v.size();
    if (v.size() % PerCpuStride(m.value_size) != 0) return -EPROTO;
  }
  out->keys.reserve(data.size() * out->key_size);
  out->values.reserve(data.size() * out->value_len);
  std::vector<uint8_t> scratch;
  for (const std::string& line : data) {
    size_t sp = line.find(' ');
    if (sp == std::string::npos) return -EPROTO;
    std::string_view l(line);
    if (!AppendDecoded(l.substr(0, sp), out->key_size, &scratch, &out->keys) ||
        !AppendDecoded(l.substr(sp + 1), out->value_len, &scratch, &out->values))
      return -EPROTO;
  }
  out->count = data.size();
  return ret;
}

long long GetBtf(Backend& b, uint32_t btf_id, std::vector<uint8_t>* raw) {
  std::vector<std::string> data;
  long long ret = CallData(b, "BTF_GET " + std::to_string(btf_id), &data);
  if (ret < 0) return ret;
  if (data.size() != 1 || Base64Decode(data[0], raw) < 0 || raw->size() != static_cast<size_t>(ret))
    return -EPROTO;
  return ret;
}

}  // namespace bpfd
