#include "core/output/names.h"

#include <bpf/libbpf.h>

namespace bpfd {

std::string MapTypeName(uint32_t type) {
  const char* s = libbpf_bpf_map_type_str(static_cast<bpf_map_type>(type));
  return s ? std::string(s) : "type_" + std::to_string(type);
}

}  // namespace bpfd
