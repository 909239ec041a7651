// `bpfd run`'s output: ring buffer records and the object's maps, rendered by the object's
// BTF; and the tables of the tools bpfd ships, in the columns BCC's versions print.
#pragma once
#include <cstdint>
#include <cstdio>
#include <span>
#include <string_view>
#include <vector>

#include "core/client/map_client.h"
#include "core/output/btf_format.h"
#include "core/wire/map_record.h"

namespace bpfd {

// One record: "field=value ..." (strings unquoted) or, with json, one compact JSON object per
// line. Without a type (btf null or type 0) the record is shown as hex bytes.
void WriteRecord(const BtfTypes* btf, uint32_t type_id, std::span<const uint8_t> rec, bool json,
                 std::FILE* out);

// A shipped tool's table: columns taken from a map's key and value members.
struct RunColumn {
  std::string_view header;
  std::string_view field;  // "key.<member>" or "value.<member>"
  int width;               // negative: left-aligned
  uint64_t divide = 1;     // e.g. ns -> us
};
struct RunTable {
  std::string_view object;  // the shipped tool's name
  std::string_view map;     // the map the rows come from
  std::vector<RunColumn> columns;
  size_t sort_column;  // rows sorted by this column, largest first
};

// The table of shipped tool `object`, or nullptr (its maps are then shown generically).
const RunTable* FindRunTable(std::string_view object);

// The map's entries as the table's rows (json: an array of objects keyed by header).
void WriteRunTable(const RunTable& t, const MapRecord& m, const MapEntries& e, const BtfTypes& btf,
                   bool json, std::FILE* out);

}  // namespace bpfd
