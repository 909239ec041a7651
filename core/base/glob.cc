#include "core/base/glob.h"

#include <fnmatch.h>

namespace bpfd {

bool GlobMatch(const std::string& pattern, std::string_view text) {
  if (pattern.empty()) return true;
  return fnmatch(pattern.c_str(), std::string(text).c_str(), 0) == 0;
}

}  // namespace bpfd
