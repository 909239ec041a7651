#include "core/bpf/builtin.h"

#include <algorithm>

namespace bpfd {

extern const BuiltinObject kBuiltinObjects[];
extern const size_t kBuiltinObjectCount;

std::string_view ArchOfMachine(std::string_view machine) {
  if (machine == "x86_64") return "x86_64";
  if (machine == "aarch64" || machine == "arm64" || machine == "aarch64_be") return "aarch64";
  if (machine == "armv8l" || machine.starts_with("armv7") || machine == "arm") return "armv7";
  return "";
}

const BuiltinObject* FindBuiltinObject(std::string_view name, std::string_view arch) {
  for (size_t i = 0; i < kBuiltinObjectCount; ++i)
    if (kBuiltinObjects[i].name == name && kBuiltinObjects[i].arch == arch)
      return &kBuiltinObjects[i];
  return nullptr;
}

std::vector<std::string_view> BuiltinObjectNames() {
  std::vector<std::string_view> names;
  for (size_t i = 0; i < kBuiltinObjectCount; ++i)
    if (std::find(names.begin(), names.end(), kBuiltinObjects[i].name) == names.end())
      names.push_back(kBuiltinObjects[i].name);
  return names;
}

}  // namespace bpfd
