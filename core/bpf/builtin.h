// The BPF objects bpfd ships (core/bpf/*.bpf.c, compiled per architecture by the build):
// `bpfd run NAME` finds them here and sends the one for the target's architecture.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bpfd {

struct BuiltinObject {
  std::string_view name;              // e.g. "hardirqs"
  std::string_view arch;              // "x86_64", "aarch64" or "armv7"
  std::span<const unsigned char> gz;  // the ELF, gzipped
};

// The object's ELF: 0, or -EINVAL when its embedded bytes do not inflate.
int BuiltinObjectElf(const BuiltinObject& o, std::vector<uint8_t>* elf);

// bpfd's architecture name for a uname machine ("x86_64", "aarch64"/"arm64", "armv7l"/
// "armv8l"/"arm..."), or "" for one bpfd does not ship.
std::string_view ArchOfMachine(std::string_view machine);

// The object `name` for `arch`, or nullptr.
const BuiltinObject* FindBuiltinObject(std::string_view name, std::string_view arch);

// Every object name, once each, in table order.
std::vector<std::string_view> BuiltinObjectNames();

}  // namespace bpfd
