// BtfFormat: a map key or value rendered by its BTF type (client side, from the raw BTF blob
// BTF_GET returns): structs/unions become JSON objects, arrays arrays, char arrays strings,
// ints numbers, enums their names, pointers "0x..." strings; typedef/const/volatile/restrict
// and type tags are looked through. Little-endian data (all of bpfd's targets).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/output/json.h"

struct btf;

namespace bpfd {

class BtfTypes {
 public:
  // Parses a raw BTF blob: nullptr (with errno set) when it is not valid BTF.
  static std::unique_ptr<BtfTypes> FromRaw(const std::vector<uint8_t>& raw);
  ~BtfTypes();
  BtfTypes(const BtfTypes&) = delete;
  BtfTypes& operator=(const BtfTypes&) = delete;

  // Writes the value of type `type_id` held in data[0, size) to w. Returns 0, or -EINVAL when
  // the type is unknown or larger than the data (nothing is written then).
  int Format(uint32_t type_id, const uint8_t* data, size_t size, JsonWriter& w) const;

  // The top-level members of struct `type_id` held in data[0, size), each as its name and its
  // compact JSON value (anonymous structs flattened, as Format does). 0, or -EINVAL when the
  // type is not a struct or union, or larger than the data.
  int Fields(uint32_t type_id, const uint8_t* data, size_t size,
             std::vector<std::pair<std::string, std::string>>* out) const;

  // The id of the struct named `name` (through a typedef of that name too), or 0.
  uint32_t FindStruct(std::string_view name) const;

 private:
  explicit BtfTypes(struct btf* b) : btf_(b) {}
  void Value(uint32_t type_id, const uint8_t* data, uint32_t bit_off, uint32_t bit_size,
             JsonWriter& w, int depth) const;
  void Members(uint32_t type_id, const uint8_t* data, JsonWriter& w, int depth) const;
  struct btf* btf_;
};

}  // namespace bpfd
