// TraceFormat: parses a tracefs event's `format` file (name, ID, fields with type, offset,
// size and signedness) into a struct, for bpf-probes --format. Pure text processing.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bpfd {

struct TraceField {
  std::string name;  // "prev_comm"
  std::string type;  // "char[16]", "__data_loc char[]", "unsigned short"
  uint32_t offset = 0, size = 0;
  bool is_signed = false;
  bool common = false;  // one of the common_* fields every event starts with
};

struct TraceFormat {
  std::string name;
  int64_t id = -1;  // -1 when the file has no "ID:" line
  std::vector<TraceField> fields;
};

// Parses the text of a format file. Returns 0, or -EINVAL when a "field:" line is malformed
// or the file has no fields at all.
int ParseTraceFormat(std::string_view text, TraceFormat* out);

// Splits a field declaration such as "char prev_comm[16]" into name "prev_comm" and type
// "char[16]". Returns false when it holds no name.
bool SplitFieldDecl(std::string_view decl, std::string* type, std::string* name);

}  // namespace bpfd
