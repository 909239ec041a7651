#include "core/wire/elf_func_record.h"

#include <charconv>
#include <cinttypes>
#include <cstdio>

#include "core/wire/framing.h"
#include "core/wire/tokens.h"

namespace bpfd {

std::string FormatElfFuncLine(const ElfFunc& f) {
  char head[64];
  std::snprintf(head, sizeof(head), "%" PRIx64 " %" PRIx64 " %" PRIu64 " ", f.offset, f.vaddr,
                f.size);
  return head + SafeLine(f.symbol);
}

bool ParseElfFuncLine(std::string_view line, ElfFunc* f) {
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  size_t sp3 = sp2 == std::string_view::npos ? sp2 : line.find(' ', sp2 + 1);
  if (sp3 == std::string_view::npos || sp3 + 1 >= line.size()) return false;
  std::string_view size = line.substr(sp2 + 1, sp3 - sp2 - 1);
  auto res = std::from_chars(size.data(), size.data() + size.size(), f->size);
  if (res.ec != std::errc() || res.ptr != size.data() + size.size()) return false;
  if (!ParseHexUint64(line.substr(0, sp1), &f->offset) ||
      !ParseHexUint64(line.substr(sp1 + 1, sp2 - sp1 - 1), &f->vaddr))
    return false;
  f->symbol = std::string(line.substr(sp3 + 1));
  return true;
}

}  // namespace bpfd
