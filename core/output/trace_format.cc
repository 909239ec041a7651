#include "core/output/trace_format.h"

#include <cerrno>

#include "core/wire/tokens.h"

namespace bpfd {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// "key:value" -> value when the key matches.
bool KeyValue(std::string_view part, std::string_view key, std::string_view* value) {
  part = Trim(part);
  if (part.size() <= key.size() || part.substr(0, key.size()) != key || part[key.size()] != ':')
    return false;
  *value = Trim(part.substr(key.size() + 1));
  return true;
}

bool NumberFor(std::string_view part, std::string_view key, uint32_t* v) {
  std::string_view value;
  return KeyValue(part, key, &value) && ParseUint32(value, v);
}

// One "field:<decl>;\toffset:N;\tsize:N;\tsigned:N;" line.
bool ParseFieldLine(std::string_view line, TraceField* f) {
  std::vector<std::string_view> parts;
  for (size_t pos = 0; pos < line.size();) {
    size_t semi = line.find(';', pos);
    if (semi == std::string_view::npos) semi = line.size();
    std::string_view part = Trim(line.substr(pos, semi - pos));
    if (!part.empty()) parts.push_back(part);
    pos = semi + 1;
  }
  std::string_view decl;
  uint32_t is_signed = 0;
  if (parts.size() < 4 || !KeyValue(parts[0], "field", &decl) ||
      !NumberFor(parts[1], "offset", &f->offset) || !NumberFor(parts[2], "size", &f->size) ||
      !NumberFor(parts[3], "signed", &is_signed) || is_signed > 1)
    return false;
  f->is_signed = is_signed == 1;
  if (!SplitFieldDecl(decl, &f->type, &f->name)) return false;
  f->common = f->name.rfind("common_", 0) == 0;
  return true;
}

}  // namespace

bool SplitFieldDecl(std::string_view decl, std::string* type, std::string* name) {
  decl = Trim(decl);
  std::string_view suffix;  // array dimensions, moved to the type
  size_t bracket = decl.find('[');
  if (bracket != std::string_view::npos && decl.back() == ']') {
    suffix = decl.substr(bracket);
    decl = Trim(decl.substr(0, bracket));
  }
  size_t sp = decl.find_last_of(" \t*");
  std::string_view n = sp == std::string_view::npos ? decl : decl.substr(sp + 1);
  if (n.empty()) return false;
  *name = std::string(n);
  *type = std::string(Trim(decl.substr(0, decl.size() - n.size())));
  type->append(suffix);
  return !type->empty();
}

int ParseTraceFormat(std::string_view text, TraceFormat* out) {
  *out = TraceFormat{};
  for (size_t pos = 0; pos < text.size();) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = Trim(text.substr(pos, eol - pos));
    pos = eol + 1;
    std::string_view value;
    if (KeyValue(line, "name", &value)) {
      out->name = std::string(value);
    } else if (KeyValue(line, "ID", &value)) {
      if (!ParseInt64(value, &out->id)) return -EINVAL;
    } else if (line.substr(0, 6) == "field:") {
      TraceField f;
      if (!ParseFieldLine(line, &f)) return -EINVAL;
      out->fields.push_back(std::move(f));
    }
  }
  return out->fields.empty() ? -EINVAL : 0;
}

}  // namespace bpfd
