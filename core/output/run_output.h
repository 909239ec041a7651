// `bpfd run`'s output: ring buffer records and the object's maps, rendered by the object's
// BTF; and the tables of the tools bpfd ships, in the columns BCC's versions print.
#pragma once
#include <cstdint>
#include <cstdio>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
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

// A shipped tool's event columns: one row per ring buffer record.
enum class CellKind {
  kText,               // the member as it is (strings unquoted)
  kSecondsSinceFirst,  // ns since the first record's, as seconds with 6 decimals
  kMillis,             // ns as ms with 2 decimals
  kDisk,               // a kernel dev_t (major << 20 | minor) as its disk's name
  kFirstChar,          // a string's first character (rwbs: R, W, D, F, ...)
};
struct RecordColumn {
  std::string_view header;
  std::string_view field;  // a member of the record's struct
  int width;               // negative: left-aligned
  CellKind kind = CellKind::kText;
};
struct RecordTable {
  std::string_view object;
  std::vector<RecordColumn> columns;
};

// The record columns of shipped tool `object`, or nullptr (records are then "field=value").
const RecordTable* FindRecordTable(std::string_view object);

// Disk names by kernel dev_t, from the target's /proc/partitions ("major minor blocks name").
std::map<uint32_t, std::string> ParsePartitions(std::string_view text);

// Writes a RecordTable's rows (a header line first, unless json: then one object per line).
class RecordTableWriter {
 public:
  RecordTableWriter(const RecordTable& t, const BtfTypes& btf, uint32_t type_id,
                    std::map<uint32_t, std::string> disks, bool json)
      : t_(t), btf_(btf), type_id_(type_id), disks_(std::move(disks)), json_(json) {}
  void Header(std::FILE* out) const;
  void Row(std::span<const uint8_t> rec, std::FILE* out);

 private:
  std::string Cell(const RecordColumn& c, const std::string& value);
  const RecordTable& t_;
  const BtfTypes& btf_;
  uint32_t type_id_;
  std::map<uint32_t, std::string> disks_;
  bool json_;
  uint64_t first_ns_ = 0;
};

// The table of shipped tool `object`, or nullptr (its maps are then shown generically).
const RunTable* FindRunTable(std::string_view object);

// The map's entries as the table's rows (json: an array of objects keyed by header).
void WriteRunTable(const RunTable& t, const MapRecord& m, const MapEntries& e, const BtfTypes& btf,
                   bool json, std::FILE* out);

}  // namespace bpfd
