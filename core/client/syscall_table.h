// The Linux syscall numbers of the machines bpfd targets (musl's tables, generated at build
// time from the toolchain): what BCC's `ausyscall --dump` must list for the target's machine.
#pragma once
#include <span>
#include <string_view>

namespace bpfd {

struct SyscallName {
  int nr;
  const char* name;  // the kernel's name (pread64, getdents64, ...)
};

// The table's name for a uname machine: "x86_64", "aarch64" (also arm64), "arm" (arm*,
// armv7l, ...), or "" for a machine without a table.
std::string_view SyscallTableName(std::string_view machine);

// The table for a uname machine, by number; empty when SyscallTableName is "".
std::span<const SyscallName> SyscallTable(std::string_view machine);

}  // namespace bpfd
