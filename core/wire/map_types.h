// What both sides must agree on about a map type: whether lookups return one value per
// possible CPU, and how many bytes one lookup or update transfers.
#pragma once
#include <cstdint>

namespace bpfd {

// True for map types whose lookups return one value per possible CPU.
bool MapTypeIsPerCpu(uint32_t type);
// Bytes one lookup of such a map returns per CPU: value_size rounded up to 8.
inline uint32_t PerCpuStride(uint32_t value_size) { return (value_size + 7) / 8 * 8; }
// Bytes one lookup or update transfers: value_size, or PerCpuStride * ncpus for per-CPU maps.
inline uint64_t ValueBufSize(uint32_t type, uint32_t value_size, uint32_t ncpus) {
  return MapTypeIsPerCpu(type) ? uint64_t{PerCpuStride(value_size)} * ncpus : value_size;
}

}  // namespace bpfd
