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

// How a column shows its member's value.
enum class CellKind {
  kText,               // the member as it is (strings unquoted)
  kSecondsSinceFirst,  // ns since the first row's, as seconds with 6 decimals
  kMillis,             // ns as ms with 2 decimals (divided by `per` first, when set)
  kMicros,             // ns as whole us
  kKbytes,             // bytes as whole KiB
  kDisk,               // a kernel dev_t (major << 20 | minor) as its disk's name
  kMajor,              // a kernel dev_t's major number
  kMinor,              // a kernel dev_t's minor number
  kFirstChar,          // a string's first character (rwbs: R, W, D, F, ...)
};
// One column of a shipped tool's output. For a map's rows the field is "key.<member>" or
// "value.<member>"; for a record's, a member of the record's struct.
struct Column {
  std::string_view header;
  std::string_view field;
  int width;  // negative: left-aligned
  CellKind kind = CellKind::kText;
  std::string_view per = {};  // kMillis: an average, over this field's value
};

// Whether any of the columns shows a disk (the caller then reads the target's partitions).
bool NeedsDisks(std::span<const Column> columns);

// Disk names by kernel dev_t, from the target's /proc/partitions ("major minor blocks name").
using DiskNames = std::map<uint32_t, std::string>;
DiskNames ParsePartitions(std::string_view text);

// A shipped tool's event columns: one row per ring buffer record.
struct RecordTable {
  std::string_view object;
  std::vector<Column> columns;
};

// The record columns of shipped tool `object`, or nullptr (records are then "field=value").
const RecordTable* FindRecordTable(std::string_view object);

// Writes a RecordTable's rows (a header line first, unless json: then one object per line).
class RecordTableWriter {
 public:
  RecordTableWriter(const RecordTable& t, const BtfTypes& btf, uint32_t type_id, DiskNames disks,
                    bool json)
      : t_(t), btf_(btf), type_id_(type_id), disks_(std::move(disks)), json_(json) {}
  void Header(std::FILE* out) const;
  void Row(std::span<const uint8_t> rec, std::FILE* out);

 private:
  const RecordTable& t_;
  const BtfTypes& btf_;
  uint32_t type_id_;
  DiskNames disks_;
  bool json_;
  uint64_t first_ns_ = 0;
};

// A shipped tool's table: one row per entry of one of its maps.
struct RunTable {
  std::string_view object;  // the shipped tool's name
  std::string_view map;     // the map the rows come from
  std::vector<Column> columns;
  std::vector<std::string_view> sort;  // rows by the sum of these fields, largest first
  size_t max_rows = 0;                 // 0: all
  // A "top" tool (BCC's filetop, biotop): printed every second unless -i says otherwise, each
  // time after a "HH:MM:SS loadavg: ..." line, and its map is cleared after each print.
  bool top = false;
};

// The table of shipped tool `object`, or nullptr (its maps are then shown generically).
const RunTable* FindRunTable(std::string_view object);

// The map's entries as the table's rows (json: an array of objects keyed by header).
void WriteRunTable(const RunTable& t, const MapRecord& m, const MapEntries& e, const BtfTypes& btf,
                   const DiskNames& disks, bool json, std::FILE* out);

// Whether the map holds libbpf-tools histograms: its value is a struct with an integer array
// member named "slots" (log2 buckets).
bool IsHistogramMap(const MapRecord& m, const BtfTypes& btf);

// Each entry as its key (and the value's other members) then a log2 histogram of its slots,
// as libbpf-tools' print_log2_hist draws them: "low -> high : count |****|".
void WriteHistograms(const MapRecord& m, const MapEntries& e, const BtfTypes& btf, std::FILE* out);

// A top tool's first line: "HH:MM:SS loadavg: <the target's /proc/loadavg>", then an empty
// line (BCC's layout). Nothing with json.
void WriteTopHeader(std::string_view loadavg, bool json, std::FILE* out);

}  // namespace bpfd
