#include "core/base/demangle.h"

#include <cxxabi.h>

#include <cstdlib>

namespace bpfd {

std::string Demangle(std::string_view name) {
  std::string s(name);
  if (s.size() < 2 || s[0] != '_' || s[1] != 'Z') return s;
  int status = 0;
  char* d = abi::__cxa_demangle(s.c_str(), nullptr, nullptr, &status);
  if (status == 0 && d) s = d;
  std::free(d);
  return s;
}

}  // namespace bpfd
