// Client side of bpf-mapdump's protocol extensions (core/daemon/maps.cc): list maps, find
// them by id/pinned path/name, fetch a whole map in one round trip, fetch BTF. Each returns
// 0 (or a count) or a negative errno from the command or the transport.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/client/backend.h"
#include "core/wire/map_record.h"

namespace bpfd {

// Every entry of one map, packed: entry i's key is keys[i*key_size ...], its value
// values[i*value_len ...] (per-CPU maps: ncpus values of PerCpuStride(value_size) bytes each).
struct MapEntries {
  size_t count = 0;
  size_t key_size = 0;
  size_t value_len = 0;
  std::vector<uint8_t> keys, values;
  const uint8_t* key(size_t i) const { return keys.data() + i * key_size; }
  const uint8_t* value(size_t i) const { return values.data() + i * value_len; }
};

long long ListMaps(Backend& b, std::vector<MapRecord>* out);
// how: "id", "pinned" (value: a bpffs path) or "name" (every map with that name).
long long FindMaps(Backend& b, std::string_view how, std::string_view value,
                   std::vector<MapRecord>* out);
// All entries of map m (its key/value sizes give the expected lengths; -EPROTO otherwise).
long long DumpMap(Backend& b, const MapRecord& m, MapEntries* out);
long long GetBtf(Backend& b, uint32_t btf_id, std::vector<uint8_t>* raw);

}  // namespace bpfd
