#include "core/client/probe_listing.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "core/wire/tokens.h"

namespace bpfd {
namespace {

// Splits "name [module]" (any whitespace before '[').
void SplitModule(std::string_view s, KernelFunc* f) {
  size_t ws = s.find_first_of(" \t");
  f->name = std::string(s.substr(0, ws));
  f->module.clear();
  if (ws == std::string_view::npos) return;
  std::string_view rest = s.substr(ws);
  size_t open = rest.find('['), close = rest.rfind(']');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open)
    f->module = std::string(rest.substr(open + 1, close - open - 1));
}

}  // namespace

bool ParseFilterFunction(std::string_view line, KernelFunc* f) {
  if (line.empty() || line[0] == ' ' || line[0] == '\t') return false;
  SplitModule(line, f);
  return true;
}

bool ParseKallsymsText(std::string_view line, KernelFunc* f) {
  size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 + 3 >= line.size() || line[sp1 + 2] != ' ') return false;
  char type = line[sp1 + 1];
  if (type != 't' && type != 'T') return false;
  SplitModule(line.substr(sp1 + 3), f);
  return !f->name.empty();
}

bool ParseBlacklistEntry(std::string_view line, std::string* name) {
  size_t dash = line.find('-'), ws = line.find_first_of(" \t");
  if (dash == std::string_view::npos || ws == std::string_view::npos || dash > ws) return false;
  uint64_t a, b;
  if (!ParseHexUint64(line.substr(0, dash), &a) ||
      !ParseHexUint64(line.substr(dash + 1, ws - dash - 1), &b))
    return false;
  size_t start = line.find_first_not_of(" \t", ws);
  if (start == std::string_view::npos) return false;
  *name = std::string(line.substr(start));
  return true;
}

std::vector<KernelFunc> KprobeCandidates(std::vector<KernelFunc> funcs,
                                         const std::vector<std::string>& blacklist) {
  constexpr std::string_view kInvalid = "__ftrace_invalid_address___";
  std::set<std::string, std::less<>> banned(blacklist.begin(), blacklist.end());
  std::erase_if(funcs, [&](const KernelFunc& f) {
    return banned.count(f.name) || f.name.compare(0, kInvalid.size(), kInvalid) == 0;
  });
  std::sort(funcs.begin(), funcs.end());
  funcs.erase(std::unique(funcs.begin(), funcs.end()), funcs.end());
  return funcs;
}

}  // namespace bpfd
