#include "core/output/run_output.h"

#include <algorithm>
#include <cinttypes>
#include <string>
#include <utility>

#include "core/output/json.h"

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
     {{"HARDIRQ", "key.name", -26}, {"TOTAL_usecs", "value.total_ns", 11, 1000}},
     1},
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

std::map<uint32_t, std::string> ParsePartitions(std::string_view text) {
  std::map<uint32_t, std::string> disks;
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

std::string RecordTableWriter::Cell(const RecordColumn& c, const std::string& value) {
  std::string v = Plain(value);
  uint64_t n = std::strtoull(v.c_str(), nullptr, 10);
  char buf[64];
  switch (c.kind) {
    case CellKind::kText:
      return v;
    case CellKind::kSecondsSinceFirst:
      if (first_ns_ == 0) first_ns_ = n;
      std::snprintf(buf, sizeof(buf), "%.6f", static_cast<double>(n - first_ns_) / 1e9);
      return buf;
    case CellKind::kMillis:
      std::snprintf(buf, sizeof(buf), "%.2f", static_cast<double>(n) / 1e6);
      return buf;
    case CellKind::kDisk: {
      auto it = disks_.find(static_cast<uint32_t>(n));
      if (it != disks_.end()) return it->second;
      return std::to_string(n >> 20) + ":" + std::to_string(n & ((1u << 20) - 1));
    }
    case CellKind::kFirstChar:
      return v.substr(0, 1);
  }
  return v;
}

void RecordTableWriter::Header(std::FILE* out) const {
  if (json_) return;
  std::string s;
  for (const RecordColumn& c : t_.columns) AppendCell(c.header, c.width, &s);
  s.back() = '\n';
  std::fwrite(s.data(), 1, s.size(), out);
}

void RecordTableWriter::Row(std::span<const uint8_t> rec, std::FILE* out) {
  Fields f;
  if (btf_.Fields(type_id_, rec.data(), rec.size(), &f) < 0) return;
  std::string s;
  JsonWriter w;
  w.BeginObject();
  for (const RecordColumn& c : t_.columns) {
    std::string v;
    for (const auto& [name, value] : f)
      if (name == c.field) v = Cell(c, value);
    if (json_) {
      w.Key(c.header);
      bool number = !v.empty() && v.find_first_not_of("0123456789.") == std::string::npos;
      number ? w.Raw(v) : w.String(v);
    } else {
      AppendCell(v, c.width, &s);
    }
  }
  w.EndObject();
  if (json_) s = w.str() + " ";
  s.back() = '\n';
  std::fwrite(s.data(), 1, s.size(), out);
}

const RunTable* FindRunTable(std::string_view object) {
  for (const RunTable& t : kTables)
    if (t.object == object) return &t;
  return nullptr;
}

void WriteRunTable(const RunTable& t, const MapRecord& m, const MapEntries& e, const BtfTypes& btf,
                   bool json, std::FILE* out) {
  struct Row {
    std::vector<std::string> cells;
    uint64_t sort = 0;
  };
  std::vector<Row> rows;
  for (size_t i = 0; i < e.count; ++i) {
    Fields key, value;
    if (btf.Fields(m.btf_key_type_id, e.key(i), e.key_size, &key) < 0 ||
        btf.Fields(m.btf_value_type_id, e.value(i), e.value_len, &value) < 0)
      continue;
    Row r;
    for (size_t c = 0; c < t.columns.size(); ++c) {
      std::string v = Plain(Lookup(key, value, t.columns[c].field));
      if (t.columns[c].divide > 1)
        v = std::to_string(std::strtoull(v.c_str(), nullptr, 10) / t.columns[c].divide);
      if (c == t.sort_column) r.sort = std::strtoull(v.c_str(), nullptr, 10);
      r.cells.push_back(std::move(v));
    }
    rows.push_back(std::move(r));
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.sort > b.sort; });
  if (json) {
    JsonWriter w;
    w.BeginArray();
    for (const Row& r : rows) {
      w.BeginObject();
      for (size_t c = 0; c < r.cells.size(); ++c) {
        w.Key(t.columns[c].header);
        bool number =
            !r.cells[c].empty() && r.cells[c].find_first_not_of("0123456789") == std::string::npos;
        number ? w.Raw(r.cells[c]) : w.String(r.cells[c]);
      }
      w.EndObject();
    }
    w.EndArray();
    std::fprintf(out, "%s\n", w.str().c_str());
    return;
  }
  std::string s;
  for (const RunColumn& c : t.columns) AppendCell(c.header, c.width, &s);
  s.back() = '\n';
  for (const Row& r : rows) {
    for (size_t c = 0; c < r.cells.size(); ++c) AppendCell(r.cells[c], t.columns[c].width, &s);
    s.back() = '\n';
  }
  std::fwrite(s.data(), 1, s.size(), out);
}

}  // namespace bpfd
