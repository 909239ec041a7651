#include "core/wire/object_record.h"

#include <cerrno>

#include "core/wire/base64.h"
#include "core/wire/tokens.h"

namespace bpfd {
namespace {

std::string Name(const std::string& s) { return s.empty() ? "-" : s; }
std::string Unname(std::string_view t) { return t == "-" ? "" : std::string(t); }

void Append(std::string* line, uint64_t v) {
  line->push_back(' ');
  line->append(std::to_string(v));
}

int ParseProg(const std::vector<std::string_view>& t, ObjectProgRecord* p) {
  std::vector<uint8_t> section;
  if (t.size() != 7 || Base64Decode(t[2], &section) < 0 || !ParseUint32(t[3], &p->type) ||
      !ParseUint32(t[4], &p->attach_type) || !ParseUint32(t[5], &p->id) ||
      !ParseInt(t[6], &p->attached) || p->attached > 0)
    return -EINVAL;
  p->name = Unname(t[1]);
  p->section.assign(section.begin(), section.end());
  return 0;
}

int ParseMap(const std::vector<std::string_view>& t, ObjectMapRecord* m) {
  if (t.size() != 12) return -EINVAL;
  uint32_t* u32[] = {&m->type, &m->key_size, &m->value_size, &m->max_entries};
  for (size_t i = 0; i < 4; ++i)
    if (!ParseUint32(t[2 + i], u32[i])) return -EINVAL;
  std::string_view flags = t[6];
  if (flags.empty() || flags.find_first_not_of("ip-") != std::string_view::npos) return -EINVAL;
  m->internal = flags.find('i') != std::string_view::npos;
  m->pinned = flags.find('p') != std::string_view::npos;
  if (!ParseUint32(t[7], &m->id) || !ParseInt(t[8], &m->fd) || !ParseUint32(t[9], &m->btf_id) ||
      !ParseUint32(t[10], &m->btf_key_type_id) || !ParseUint32(t[11], &m->btf_value_type_id))
    return -EINVAL;
  m->name = Unname(t[1]);
  return 0;
}

}  // namespace

std::vector<std::string> FormatObjectRecord(const ObjectRecord& o) {
  std::vector<std::string> lines;
  lines.push_back("object " + std::to_string(o.handle) + " " + Name(o.name) + " " +
                  std::to_string(o.btf_id));
  for (const ObjectProgRecord& p : o.progs) {
    std::string l = "prog " + Name(p.name) + " ";
    Base64Append(reinterpret_cast<const uint8_t*>(p.section.data()), p.section.size(), &l);
    for (uint64_t v : {p.type, p.attach_type, p.id}) Append(&l, v);
    l += " " + std::to_string(p.attached);
    lines.push_back(std::move(l));
  }
  for (const ObjectMapRecord& m : o.maps) {
    std::string l = "map " + Name(m.name);
    for (uint64_t v : {m.type, m.key_size, m.value_size, m.max_entries}) Append(&l, v);
    std::string flags = std::string(m.internal ? "i" : "") + (m.pinned ? "p" : "");
    l += " " + (flags.empty() ? std::string("-") : flags);
    Append(&l, m.id);
    l += " " + std::to_string(m.fd);
    for (uint64_t v : {m.btf_id, m.btf_key_type_id, m.btf_value_type_id}) Append(&l, v);
    lines.push_back(std::move(l));
  }
  return lines;
}

int ParseObjectRecord(const std::vector<std::string>& lines, ObjectRecord* o) {
  *o = ObjectRecord{};
  if (lines.empty()) return -EINVAL;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::vector<std::string_view> t = SplitTokens(lines[i]);
    if (t.empty()) return -EINVAL;
    if (i == 0) {
      if (t.size() != 4 || t[0] != "object" || !ParseInt(t[1], &o->handle) ||
          !ParseUint32(t[3], &o->btf_id))
        return -EINVAL;
      o->name = Unname(t[2]);
    } else if (t[0] == "prog") {
      if (ParseProg(t, &o->progs.emplace_back()) < 0) return -EINVAL;
    } else if (t[0] == "map") {
      if (ParseMap(t, &o->maps.emplace_back()) < 0) return -EINVAL;
    } else {
      return -EINVAL;
    }
  }
  return 0;
}

}  // namespace bpfd
