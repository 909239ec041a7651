#include "tests/fault/fault_elf.h"

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/base/unique_fd.h"

namespace bpfd::fault {

int WriteSharedNameElf(const std::string& path, uint32_t symbols, uint32_t name_len) {
  constexpr uint64_t kBase = 0x400000;
  constexpr char kShstr[] = "\0.text\0.strtab\0.symtab\0.shstrtab";  // offsets 1, 7, 15, 23
  const std::string strtab = std::string(1, '\0') + std::string(name_len, 'f') + '\0';
  // Layout: ehdr, one phdr, .text (16 bytes), .strtab, .symtab, .shstrtab, section headers.
  const uint64_t text = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr), str = text + 16;
  const uint64_t sym = (str + strtab.size() + 7) & ~7ull;
  const uint64_t symsz = (uint64_t{symbols} + 1) * sizeof(Elf64_Sym);
  const uint64_t shstr = sym + symsz, shoff = (shstr + sizeof kShstr + 7) & ~7ull;
  std::string out(shoff + 5 * sizeof(Elf64_Shdr), '\0');
  auto at = [&](uint64_t off) { return out.data() + off; };

  Elf64_Ehdr eh = {};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64, eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC, eh.e_machine = EM_X86_64, eh.e_version = EV_CURRENT;
  eh.e_entry = kBase + text, eh.e_phoff = sizeof eh, eh.e_shoff = shoff;
  eh.e_ehsize = sizeof eh, eh.e_phentsize = sizeof(Elf64_Phdr), eh.e_phnum = 1;
  eh.e_shentsize = sizeof(Elf64_Shdr), eh.e_shnum = 5, eh.e_shstrndx = 4;
  std::memcpy(at(0), &eh, sizeof eh);

  Elf64_Phdr ph = {};
  ph.p_type = PT_LOAD, ph.p_flags = PF_R | PF_X, ph.p_offset = 0, ph.p_vaddr = kBase;
  ph.p_paddr = kBase, ph.p_filesz = out.size(), ph.p_memsz = out.size(), ph.p_align = 4096;
  std::memcpy(at(sizeof eh), &ph, sizeof ph);
  std::memset(at(text), 0xc3, 16);  // ret
  std::memcpy(at(str), strtab.data(), strtab.size());
  for (uint32_t i = 1; i <= symbols; ++i) {
    Elf64_Sym s = {};
    s.st_name = 1, s.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), s.st_shndx = 1;
    s.st_value = kBase + text + i % 16, s.st_size = 1;
    std::memcpy(at(sym + i * sizeof s), &s, sizeof s);
  }
  std::memcpy(at(shstr), kShstr, sizeof kShstr);

  Elf64_Shdr sh[5] = {};
  sh[1] = {1, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, kBase + text, text, 16, 0, 0, 16, 0};
  sh[2] = {7, SHT_STRTAB, 0, 0, str, strtab.size(), 0, 0, 1, 0};
  sh[3] = {15, SHT_SYMTAB, 0, 0, sym, symsz, 2, 1, 8, sizeof(Elf64_Sym)};
  sh[4] = {23, SHT_STRTAB, 0, 0, shstr, sizeof kShstr, 0, 0, 1, 0};
  std::memcpy(at(shoff), sh, sizeof sh);

  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755));
  if (!fd) return -errno;
  for (size_t off = 0; off < out.size();) {
    ssize_t n = write(fd.get(), out.data() + off, out.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? -errno : -EIO;
    off += static_cast<size_t>(n);
  }
  return 0;
}

}  // namespace bpfd::fault
