// Shell-style name filters for the modes' listings (fnmatch(3), no special meaning for '/').
#pragma once
#include <string>
#include <string_view>

namespace bpfd {

// True when `text` matches `pattern`; an empty pattern matches everything.
bool GlobMatch(const std::string& pattern, std::string_view text);

}  // namespace bpfd
