// Client-side parsing for bpf-probes: the reply lines of GET_AVAIL_FILTER_FUNCS, GET_KALLSYMS,
// GET_KPROBES_BLACKLIST and GET_ELF_FUNCS, and the set of functions a kprobe may take.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/wire/elf_func_record.h"

namespace bpfd {

struct KernelFunc {
  std::string name;
  std::string module;  // "" for vmlinux
  auto operator<=>(const KernelFunc&) const = default;
};

// "name" or "name [module]" (available_filter_functions). False for empty lines.
bool ParseFilterFunction(std::string_view line, KernelFunc* f);

// "<addr> <type> <name>[\t[module]]" (kallsyms); true only for text symbols (type t or T).
bool ParseKallsymsText(std::string_view line, KernelFunc* f);

// "0x<start>-0x<end>\t<name>" (kprobes/blacklist); false for other lines.
bool ParseBlacklistEntry(std::string_view line, std::string* name);

// The functions a kprobe may take: `funcs` sorted by (name, module), without duplicates, without
// the names in `blacklist` and without ftrace's placeholders (__ftrace_invalid_address___*).
std::vector<KernelFunc> KprobeCandidates(std::vector<KernelFunc> funcs,
                                         const std::vector<std::string>& blacklist);

}  // namespace bpfd
