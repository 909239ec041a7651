#include "core/wire/selftest_record.h"

#include <cerrno>

namespace bpfd {

std::string FormatSelftestLine(const SelftestCheck& c) {
  std::string line = c.status + " " + c.name + " " + c.reason;
  for (size_t i = c.status.size() + c.name.size() + 2; i < line.size(); ++i)
    if (line[i] == '\n' || line[i] == '\r') line[i] = ' ';  // line-safe
  return line;
}

int ParseSelftestLine(std::string_view line, SelftestCheck* out) {
  size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return -EPROTO;
  std::string_view status = line.substr(0, sp1);
  if (status != "PASS" && status != "FAIL" && status != "SKIP") return -EPROTO;
  std::string_view rest = line.substr(sp1 + 1);
  size_t sp2 = rest.find(' ');
  std::string_view name = rest.substr(0, sp2);
  if (name.empty()) return -EPROTO;
  out->status = std::string(status);
  out->name = std::string(name);
  out->reason = sp2 == std::string_view::npos ? "" : std::string(rest.substr(sp2 + 1));
  return 0;
}

}  // namespace bpfd
