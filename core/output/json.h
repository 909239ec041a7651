// JsonWriter: a small streaming JSON writer for the modes' uniform -j/--json output
// (bpftool style). Produces compact JSON; the caller nests Begin*/End* correctly.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bpfd {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // Inside an object: the next value's key.
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view s);  // escaped; invalid UTF-8 bytes become \u00XX
  JsonWriter& Int(int64_t v);
  JsonWriter& Uint(uint64_t v);
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  // A pre-rendered JSON value (e.g. a number formatted by the caller).
  JsonWriter& Raw(std::string_view json);

  const std::string& str() const { return out_; }
  std::string* mutable_str() { return &out_; }

 private:
  void BeforeValue();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

// Appends `s` JSON-escaped (without quotes) to *out.
void JsonEscape(std::string_view s, std::string* out);

}  // namespace bpfd
