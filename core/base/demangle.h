// Demangle: C++ (Itanium ABI) symbol names to their readable form via the linked cxxabi.
#pragma once
#include <string>
#include <string_view>

namespace bpfd {

// The demangled form of a "_Z..." name; any other name, or one that fails to demangle, unchanged.
std::string Demangle(std::string_view name);

}  // namespace bpfd
