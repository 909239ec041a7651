#include "core/client/syscall_table.h"

namespace bpfd {
namespace {
#include "core/client/syscall_names.inc"
}  // namespace

std::string_view SyscallTableName(std::string_view machine) {
  if (machine == "x86_64" || machine == "amd64") return "x86_64";
  if (machine == "aarch64" || machine == "arm64") return "aarch64";
  if (machine == "arm" || (machine.starts_with("armv") && !machine.starts_with("armv8b")))
    return "arm";
  return "";
}

std::span<const SyscallName> SyscallTable(std::string_view machine) {
  std::string_view name = SyscallTableName(machine);
  if (name == "x86_64") return kSyscalls_x86_64;
  if (name == "aarch64") return kSyscalls_aarch64;
  if (name == "arm") return kSyscalls_arm;
  return {};
}

}  // namespace bpfd
