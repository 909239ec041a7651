// A hostile ELF for the fault suite: a small executable whose symbol table holds `symbols`
// function symbols that all share one `name_len`-byte name, so a reader copying each symbol's
// name allocates symbols × name_len bytes from a file of about symbols × 24 bytes.
#pragma once
#include <cstdint>
#include <string>

namespace bpfd::fault {

// Writes it to path (mode 0755): 0 or -errno.
int WriteSharedNameElf(const std::string& path, uint32_t symbols, uint32_t name_len);

}  // namespace bpfd::fault
