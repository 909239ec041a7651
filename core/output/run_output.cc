#include "core/output/run_output.h"

#include <algorithm>
#include <cinttypes>
#include <ctime>
#include <string>
#include <utility>

#include "core/output/json.h"
#include "core/wire/map_types.h"

namespace bpfd {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

// A JSON string value without its quotes (escapes kept), anything else as it is.
std::string Plain(const std::string& json) {
  if (json.size() >= 2 && json.front() == '"' && json.back() == '"')
    return json.substr(1, json.size() - 2);
  return json;
}

std::string HexBytes(std::span<const uint8_t> b) {
  std::string s;
  char buf[4];
  for (uint8_t c : b) {
    std::snprintf(buf, sizeof(buf), "%s%02x", s.empty() ? "" : " ", c);
    s += buf;
  }
  return s;
}

const RunTable kTables[] = {
    {"hardirqs",
     "irqs",
     {{"HARDIRQ", "key.name", -26}, {"TOTAL_usecs", "value.total_ns", 11, CellKind::kMicros}},
     {"value.total_ns"}},
    // BCC biotop's columns; its default sort (bytes) and 20 rows.
    {"biotop",
     "counts",
     {{"PID", "key.pid", -7},
      {"COMM", "key.comm", -16},
      {"D", "key.rw", 1},
      {"MAJ", "key.dev", -3, CellKind::kMajor},
      {"MIN", "key.dev", -3, CellKind::kMinor},
      {"DISK", "key.dev", -8, CellKind::kDisk},
      {"I/O", "value.io", 5},
      {"Kbytes", "value.bytes", 7, CellKind::kKbytes},
      {"AVGms", "value.ns", 6, CellKind::kMillis, "value.io"}},
     {"value.bytes"},
     20,
     true},
    // BCC filetop's columns; its default sort (all: reads, writes and bytes) and 20 rows.
    {"filetop",
     "counts",
     {{"TID", "key.tid", -7},
      {"COMM", "key.comm", -16},
      {"READS", "value.reads", -6},
      {"WRITES", "value.writes", -6},
      {"R_Kb", "value.rbytes", -7, CellKind::kKbytes},
      {"W_Kb", "value.wbytes", -7, CellKind::kKbytes},
      {"T", "key.type", 1},
      {"FILE", "key.name", 0}},
     {"value.reads", "value.writes", "value.rbytes", "value.wbytes"},
     20,
     true},
};

const RecordTable kRecordTables[] = {
    {"biosnoop",
     {{"TIME(s)", "ts_ns", -11, CellKind::kSecondsSinceFirst},
      {"COMM", "comm", -14},
      {"PID", "pid", -7},
      {"DISK", "dev", -9, CellKind::kDisk},
      {"T", "rwbs", -1, CellKind::kFirstChar},
      {"SECTOR", "sector", -10},
      {"BYTES", "bytes", -7},
      {"LAT(ms)", "delta_ns", 7, CellKind::kMillis}}},
};

void AppendCell(std::string_view v, int width, std::string* s) {
  char buf[256];
  std::snprintf(buf, sizeof(buf), width < 0 ? "%-*.*s " : "%*.*s ", width < 0 ? -width : width,
                static_cast<int>(v.size()), v.data());
  *s += buf;
}

// The value of "key.x"/"value.x" among a row's fields.
std::string Lookup(const Fields& key, const Fields& value, std::string_view field) {
  bool is_key = field.starts_with("key.");
  std::string_view name = field.substr(is_key ? 4 : 6);
  for (const auto& [n, v] : is_key ? key : value)
    if (n == name) return v;
  return "";
}

uint64_t Number(const std::string& v) { return std::strtoull(v.c_str(), nullptr, 10); }

// Digits, with at most one '.' between them.
bool IsNumber(const std::string& v) {
  return !v.empty() && v.find_first_not_of("0123456789.") == std::string::npos &&
         std::count(v.begin(), v.end(), '.') <= 1 && v.front() != '.' && v.back() != '.';
}

// A cell's text from its member's value (Plain) and, for an average, the divisor's.
std::string Cell(const Column& c, const std::string& v, uint64_t per, const DiskNames& disks,
                 uint64_t* first_ns) {
  uint64_t n = Number(v);
  char buf[64];
  switch (c.kind) {
    case CellKind::kText:
      return v;
    case CellKind::kSecondsSinceFirst:
      if (*first_ns == 0) *first_ns = n;
      std::snprintf(buf, sizeof(buf), "%.6f", static_cast<double>(n - *first_ns) / 1e9);
      return buf;
    case CellKind::kMillis:
      std::snprintf(buf, sizeof(buf), "%.2f",
                    c.per.empty() || per ? static_cast<double>(n) / 1e6 / (per ? per : 1) : 0.0);
      return buf;
    case CellKind::kMicros:
      return std::to_string(n / 1000);
    case CellKind::kKbytes:
      return std::to_string(n / 1024);
    case CellKind::kDisk: {
      auto it = disks.find(static_cast<uint32_t>(n));
      if (it != disks.end()) return it->second;
      return std::to_string(n >> 20) + ":" + std::to_string(n & ((1u << 20) - 1));
    }
    case CellKind::kMajor:
      return std::to_string(n >> 20);
    case CellKind::kMinor:
      return std::to_string(n & ((1u << 20) - 1));
    case CellKind::kFirstChar:
      return v.substr(0, 1);
  }
  return v;
}

// One row of cells as a line of the table or, with json, one object keyed by header.
void AppendRow(std::span<const Column> columns, const std::vector<std::string>& cells, bool json,
               std::string* s) {
  if (json) {
    JsonWriter w;
    w.BeginObject();
    for (size_t c = 0; c < columns.size(); ++c) {
      w.Key(columns[c].header);
      IsNumber(cells[c]) ? w.Raw(cells[c]) : w.String(cells[c]);
    }
    w.EndObject();
    *s += w.str();
    return;
  }
  for (size_t c = 0; c < columns.size(); ++c) AppendCell(cells[c], columns[c].width, s);
  s->back() = '\n';
}

}  // namespace

void WriteRecord(const BtfTypes* btf, uint32_t type_id, std::span<const uint8_t> rec, bool json,
                 std::FILE* out) {
  Fields f;
  if (!btf || type_id == 0 || btf->Fields(type_id, rec.data(), rec.size(), &f) < 0) {
    if (json) {
      std::fprintf(out, "{\"bytes\":\"%s\"}\n", HexBytes(rec).c_str());
    } else {
      std::fprintf(out, "%s\n", HexBytes(rec).c_str());
    }
    return;
  }
  std::string line;
  if (json) {
    JsonWriter w;
    btf->Format(type_id, rec.data(), rec.size(), w);
    line = w.str();
  } else {
    for (const auto& [name, value] : f)
      line += (line.empty() ? "" : " ") + name + "=" + Plain(value);
  }
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), out);
}

const RecordTable* FindRecordTable(std::string_view object) {
  for (const RecordTable& t : kRecordTables)
    if (t.object == object) return &t;
  return nullptr;
}

bool NeedsDisks(std::span<const Column> columns) {
  return std::any_of(columns.begin(), columns.end(),
                     [](const Column& c) { return c.kind == CellKind::kDisk; });
}

DiskNames ParsePartitions(std::string_view text) {
  DiskNames disks;
  size_t at = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    std::string line(
        text.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at));
    at = nl == std::string_view::npos ? text.size() : nl + 1;
    unsigned major, minor;
    unsigned long long blocks;
    char name[64];
    if (std::sscanf(line.c_str(), " %u %u %llu %63s", &major, &minor, &blocks, name) == 4)
      disks[(major << 20) | minor] = name;
  }
  return disks;
}

void RecordTableWriter::Header(std::FILE* out) const {
  if (json_) return;
  std::string s;
  for (const Column& c : t_.columns) AppendCell(c.header, c.width, &s);
  s.back() = '\n';
  std::fwrite(s.data(), 1, s.size(), out);
}

void RecordTableWriter::Row(std::span<const uint8_t> rec, std::FILE* out) {
  Fields f;
  if (btf_.Fields(type_id_, rec.data(), rec.size(), &f) < 0) return;
  std::vector<std::string> cells;
  for (const Column& c : t_.columns) {
    std::string v;
    for (const auto& [name, value] : f)
      if (name == c.field) v = Cell(c, Plain(value), 0, disks_, &first_ns_);
    cells.push_back(std::move(v));
  }
  std::string s;
  AppendRow(t_.columns, cells, json_, &s);
  if (json_) s += '\n';
  std::fwrite(s.data(), 1, s.size(), out);
}

const RunTable* FindRunTable(std::string_view object) {
  for (const RunTable& t : kTables)
    if (t.object == object) return &t;
  return nullptr;
}

void WriteRunTable(const RunTable& t, const MapRecord& m, const MapEntries& e, const BtfTypes& btf,
                   const DiskNames& disks, bool json, std::FILE* out) {
  struct Row {
    std::vector<std::string> cells;
    uint64_t sort = 0;
  };
  std::vector<Row> rows;
  uint64_t unused_first = 0;
  for (size_t i = 0; i < e.count; ++i) {
    Fields key, value;
    if (btf.Fields(m.btf_key_type_id, e.key(i), e.key_size, &key) < 0 ||
        btf.Fields(m.btf_value_type_id, e.value(i), e.value_len, &value) < 0)
      continue;
    Row r;
    for (std::string_view f : t.sort) r.sort += Number(Plain(Lookup(key, value, f)));
    for (const Column& c : t.columns) {
      uint64_t per = c.per.empty() ? 0 : Number(Plain(Lookup(key, value, c.per)));
      r.cells.push_back(Cell(c, Plain(Lookup(key, value, c.field)), per, disks, &unused_first));
    }
    rows.push_back(std::move(r));
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.sort > b.sort; });
  if (t.max_rows && rows.size() > t.max_rows) rows.resize(t.max_rows);
  std::string s;
  if (json) {
    s += '[';
    for (size_t i = 0; i < rows.size(); ++i) {
      if (i) s += ',';
      AppendRow(t.columns, rows[i].cells, true, &s);
    }
    s += "]\n";
  } else {
    for (const Column& c : t.columns) AppendCell(c.header, c.width, &s);
    s.back() = '\n';
    for (const Row& r : rows) AppendRow(t.columns, r.cells, false, &s);
  }
  std::fwrite(s.data(), 1, s.size(), out);
}

void WriteTopHeader(std::string_view loadavg, bool json, std::FILE* out) {
  if (json) return;
  char hms[16] = "";
  time_t now = time(nullptr);
  struct tm tm;
  if (localtime_r(&now, &tm)) strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
  while (!loadavg.empty() && loadavg.back() == '\n') loadavg.remove_suffix(1);
  std::fprintf(out, "%-8s loadavg: %.*s\n\n", hms, static_cast<int>(loadavg.size()),
               loadavg.data());
}

namespace {

// "[1,2,3]" -> {1,2,3}; false for anything but an array of unsigned integers.
bool ParseCounts(const std::string& json, std::vector<uint64_t>* out) {
  if (json.size() < 2 || json.front() != '[' || json.back() != ']') return false;
  out->clear();
  std::string_view body(json.data() + 1, json.size() - 2);
  while (!body.empty()) {
    size_t comma = body.find(',');
    std::string num(body.substr(0, comma));
    if (num.empty() || num.find_first_not_of("0123456789") != std::string::npos) return false;
    out->push_back(std::strtoull(num.c_str(), nullptr, 10));
    body.remove_prefix(comma == std::string_view::npos ? body.size() : comma + 1);
  }
  return true;
}

// The value's "slots" counts and its other members; false when it has no such array.
bool SplitHistogram(const BtfTypes& btf, const MapRecord& m, const uint8_t* value, size_t len,
                    std::vector<uint64_t>* slots, std::string* rest) {
  Fields f;
  if (btf.Fields(m.btf_value_type_id, value, len, &f) < 0) return false;
  bool found = false;
  for (const auto& [name, v] : f) {
    if (name == "slots") {
      found = ParseCounts(v, slots);
    } else {
      *rest += " " + name + "=" + Plain(v);
    }
  }
  return found;
}

void WriteLog2Histogram(const std::vector<uint64_t>& slots, std::FILE* out) {
  constexpr int kStars = 40;
  size_t last = 0;
  uint64_t max = 0;
  for (size_t i = 0; i < slots.size(); ++i) {
    if (slots[i]) last = i;
    max = std::max(max, slots[i]);
  }
  const int width = last >= 32 ? 20 : 10;
  // The label sits over the low bounds, as libbpf-tools print it.
  std::fprintf(out, "%*s%-*s : count    distribution\n", width / 2, "", 2 * width + 4 - width / 2,
               "value");
  for (size_t i = 0; i <= last && max; ++i) {
    // Bucket i holds [2^i, 2^(i+1)), and bucket 0 holds 0 and 1.
    uint64_t high = (i >= 63 ? ~uint64_t{0} : (uint64_t{1} << (i + 1)) - 1);
    uint64_t low = i == 0 ? 0 : uint64_t{1} << i;
    int stars = static_cast<int>(slots[i] * kStars / max);
    std::string bar(static_cast<size_t>(stars), '*');
    std::fprintf(out, "%*llu -> %-*llu : %-8llu |%-*s|\n", width,
                 static_cast<unsigned long long>(low), width, static_cast<unsigned long long>(high),
                 static_cast<unsigned long long>(slots[i]), kStars, bar.c_str());
  }
}

}  // namespace

bool IsHistogramMap(const MapRecord& m, const BtfTypes& btf) {
  if (!m.btf_value_type_id || MapTypeIsPerCpu(m.type)) return false;
  std::vector<uint8_t> zero(m.value_size);
  std::vector<uint64_t> slots;
  std::string rest;
  return SplitHistogram(btf, m, zero.data(), zero.size(), &slots, &rest);
}

void WriteHistograms(const MapRecord& m, const MapEntries& e, const BtfTypes& btf, std::FILE* out) {
  for (size_t i = 0; i < e.count; ++i) {
    std::vector<uint64_t> slots;
    std::string rest;
    if (!SplitHistogram(btf, m, e.value(i), e.value_len, &slots, &rest)) continue;
    Fields key;
    std::string k;
    if (m.btf_key_type_id && btf.Fields(m.btf_key_type_id, e.key(i), e.key_size, &key) >= 0) {
      for (const auto& [name, v] : key) k += " " + name + "=" + Plain(v);
    } else {
      JsonWriter w;
      if (m.btf_key_type_id && btf.Format(m.btf_key_type_id, e.key(i), e.key_size, w) >= 0)
        k = " " + w.str();
    }
    std::fprintf(out, "\n%s:%s%s\n", m.name.c_str(), k.c_str(), rest.c_str());
    WriteLog2Histogram(slots, out);
  }
}

}  // namespace bpfd
