// bpf-mapdump's output: the map listing and a map's entries, as a human table/lines or as
// compact JSON (bpftool's field names where bpftool has one). Streams to `out` as it goes.
#pragma once
#include <cstdio>
#include <vector>

#include "core/client/map_client.h"
#include "core/output/btf_format.h"
#include "core/wire/map_record.h"

namespace bpfd {

void WriteMapList(const std::vector<MapRecord>& maps, bool json, std::FILE* out);

// Entries as "key: xx xx  value: xx xx" lines (per-CPU: one "value (CPU n)" line each) and a
// "Found N elements" footer, or a JSON array of {"key","value"} / {"key","values":[{"cpu",
// "value"}]} with hex byte strings, plus "formatted" when `btf` (nullable) describes the map.
void WriteMapEntries(const MapRecord& m, const MapEntries& e, const BtfTypes* btf, bool json,
                     std::FILE* out);

}  // namespace bpfd
