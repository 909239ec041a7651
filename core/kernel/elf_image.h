// ElfImage: the PT_LOAD segments and function/object symbols (.symtab + .dynsym) of one ELF
// file, read once with libelf, with address<->file-offset translation. Immutable after Load.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/unique_fd.h"

namespace bpfd {

struct ElfImage {
  struct Segment {
    uint64_t offset, vaddr, filesz, memsz;
    bool exec;
  };
  struct Symbol {
    uint64_t addr, size;
    uint32_t name_off, name_len;
    uint8_t rank;  // lower is preferred: func before object, then global, weak, local
  };

  // Most symbols an image keeps, and most name bytes they may add up to (symbols sharing one
  // long name count it each time): -EFBIG and one stderr line beyond. Names are stored once
  // (the file's string tables, copied), so memory stays within the file's size.
  static constexpr size_t kMaxSymbols = 8u << 20;
  static constexpr size_t kMaxNameBytes = 256u << 20;

  // Parses the ELF open at fd (the fd is not kept). -ENOEXEC: not a regular file, or not an
  // ELF executable/shared object; -EFBIG: over kMaxSymbols or kMaxNameBytes, or string tables
  // over 4 GiB.
  static int Load(int fd, std::unique_ptr<ElfImage>* out);
  // Opens path for Load without blocking (O_NONBLOCK: a FIFO cannot hang the caller): 0, -errno,
  // or -ENOEXEC for anything but a regular file.
  static int OpenFile(const std::string& path, UniqueFd* out);
  // Convenience: OpenFile and Load.
  static int LoadPath(const std::string& path, std::unique_ptr<ElfImage>* out);

  // File offset -> ELF vaddr through the PT_LOAD segment holding that offset.
  bool FileOffsetToVaddr(uint64_t off, uint64_t* vaddr) const;
  // ELF vaddr -> file offset through the PT_LOAD segment holding it (file-backed part only).
  bool VaddrToFileOffset(uint64_t vaddr, uint64_t* off) const;
  // Symbol containing vaddr (or the nearest lower size-0 symbol); nullptr if none.
  const Symbol* FindByVaddr(uint64_t vaddr) const;
  // Best defined symbol named `name` (lowest rank); nullptr if none.
  const Symbol* FindByName(std::string_view name) const;
  std::string_view NameOf(const Symbol& s) const { return {names.data() + s.name_off, s.name_len}; }

  uint16_t elf_type = 0;  // ET_EXEC or ET_DYN
  std::vector<Segment> segments;
  std::vector<Symbol> symbols;    // sorted by (addr, rank, name)
  std::vector<uint32_t> by_name;  // indexes into symbols, sorted by (name, rank)
  std::string names;
};

}  // namespace bpfd
