#include "core/bpf/builtin.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>

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

int BuiltinObjectElf(const BuiltinObject& o, std::vector<uint8_t>* elf) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return -ENOMEM;  // 16: a gzip header
  z.next_in = const_cast<Bytef*>(o.gz.data());
  z.avail_in = static_cast<uInt>(o.gz.size());
  elf->clear();
  int r = Z_OK;
  while (r == Z_OK) {
    size_t at = elf->size();
    elf->resize(at + 64 * 1024);
    z.next_out = elf->data() + at;
    z.avail_out = 64 * 1024;
    r = inflate(&z, Z_NO_FLUSH);
    elf->resize(elf->size() - z.avail_out);
  }
  inflateEnd(&z);
  return r == Z_STREAM_END ? 0 : -EINVAL;
}

std::vector<std::string_view> BuiltinObjectNames() {
  std::vector<std::string_view> names;
  for (size_t i = 0; i < kBuiltinObjectCount; ++i)
    if (std::find(names.begin(), names.end(), kBuiltinObjects[i].name) == names.end())
      names.push_back(kBuiltinObjects[i].name);
  return names;
}

}  // namespace bpfd
