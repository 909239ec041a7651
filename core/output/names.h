// Names of kernel object types as bpftool prints them (from libbpf's tables).
#pragma once
#include <cstdint>
#include <string>

namespace bpfd {

// The map type's name as bpftool spells it ("hash", "percpu_array", ...), or "type_<n>".
std::string MapTypeName(uint32_t type);

}  // namespace bpfd
