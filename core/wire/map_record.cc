#include "core/wire/map_record.h"

#include <cerrno>

#include "core/wire/base64.h"
#include "core/wire/tokens.h"

namespace bpfd {

void FormatMapRecord(const MapRecord& m, std::string* out) {
  for (uint64_t v : {uint64_t{m.id}, uint64_t{m.type}, uint64_t{m.key_size}, uint64_t{m.value_size},
                     uint64_t{m.max_entries}, uint64_t{m.flags}, m.memlock, uint64_t{m.btf_id},
                     uint64_t{m.btf_key_type_id}, uint64_t{m.btf_value_type_id}}) {
    out->append(std::to_string(v));
    out->push_back(' ');
  }
  out->append(m.name.empty() ? "-" : m.name);
  for (const std::string& p : m.pinned) {
    out->push_back(' ');
    Base64Append(reinterpret_cast<const uint8_t*>(p.data()), p.size(), out);
  }
}

int ParseMapRecord(std::string_view line, MapRecord* m) {
  std::vector<std::string_view> t = SplitTokens(line);
  if (t.size() < 11) return -EINVAL;
  uint32_t* u32[] = {&m->id, &m->type, &m->key_size, &m->value_size, &m->max_entries, &m->flags};
  for (size_t i = 0; i < 6; ++i)
    if (!ParseUint32(t[i], u32[i])) return -EINVAL;
  if (!ParseUint64(t[6], &m->memlock) || !ParseUint32(t[7], &m->btf_id) ||
      !ParseUint32(t[8], &m->btf_key_type_id) || !ParseUint32(t[9], &m->btf_value_type_id) ||
      t[10].empty())
    return -EINVAL;
  m->name = t[10] == "-" ? "" : std::string(t[10]);
  m->pinned.clear();
  for (size_t i = 11; i < t.size(); ++i) {
    std::vector<uint8_t> raw;
    if (Base64Decode(t[i], &raw) < 0) return -EINVAL;
    m->pinned.emplace_back(raw.begin(), raw.end());
  }
  return 0;
}

}  // namespace bpfd
