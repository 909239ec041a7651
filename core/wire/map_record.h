// MapRecord: what the map listing extension commands (MAP_LIST, MAP_INFO; core/daemon)
// say about one kernel map, and its one-line wire form shared by the daemon and the client.
// Line: "<id> <type> <key_size> <value_size> <max_entries> <flags> <memlock> <btf_id>
// <btf_key_type_id> <btf_value_type_id> <name or -> [<base64 pinned path>...]".
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/wire/map_types.h"

namespace bpfd {

struct MapRecord {
  uint32_t id = 0;
  uint32_t type = 0;
  uint32_t key_size = 0;
  uint32_t value_size = 0;
  uint32_t max_entries = 0;
  uint32_t flags = 0;
  uint64_t memlock = 0;  // bytes, from the map fd's fdinfo (0 when the kernel does not say)
  uint32_t btf_id = 0;
  uint32_t btf_key_type_id = 0;
  uint32_t btf_value_type_id = 0;
  std::string name;                 // kernel map names are [A-Za-z0-9_.]{0,15}
  std::vector<std::string> pinned;  // bpffs paths that pin this map
  bool operator==(const MapRecord&) const = default;
};

// Appends the wire form of `m` (without '\n') to *out.
void FormatMapRecord(const MapRecord& m, std::string* out);
// Parses one wire line: 0, or -EINVAL for a malformed line.
int ParseMapRecord(std::string_view line, MapRecord* m);

}  // namespace bpfd
