// One GET_ELF_FUNCS data line: "<offset hex> <vaddr hex> <size> <symbol>" (offset and vaddr
// without 0x, size decimal, the symbol as in the ELF symbol table, made line-safe).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace bpfd {

struct ElfFunc {
  uint64_t offset = 0, vaddr = 0, size = 0;
  std::string symbol;  // as in the ELF symbol table (mangled)
  bool operator==(const ElfFunc&) const = default;
};

// The line for f (without '\n').
std::string FormatElfFuncLine(const ElfFunc& f);
// Parses one line: false when it is not four fields with a non-empty symbol.
bool ParseElfFuncLine(std::string_view line, ElfFunc* f);

}  // namespace bpfd
