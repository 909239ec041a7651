// ELF symbol/segment reader on libelf; see elf_image.h.
#include "core/kernel/elf_image.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <string_view>

#include "core/base/unique_fd.h"

namespace bpfd {
namespace {

struct ElfCloser {
  void operator()(Elf* e) const { elf_end(e); }
};

uint8_t RankOf(const GElf_Sym& s) {
  int type = GELF_ST_TYPE(s.st_info);
  int bind = GELF_ST_BIND(s.st_info);
  uint8_t t = (type == STT_FUNC || type == STT_GNU_IFUNC) ? 0 : 1;
  uint8_t b = bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;
  return static_cast<uint8_t>(t * 4 + b);
}

// Where a string table's copy sits in ElfImage::names.
struct Span {
  uint32_t base, size;
};

// The string table in section `index`, copied to the end of *names on first use (noted in
// *tables): 0, -EFBIG when names would pass 4 GiB (offsets are u32), -ENOEXEC if unreadable.
int StringTable(Elf* elf, size_t index, std::map<size_t, Span>* tables, std::string* names,
                Span* out) {
  auto it = tables->find(index);
  if (it == tables->end()) {
    Elf_Scn* scn = elf_getscn(elf, index);
    Elf_Data* data = scn ? elf_getdata(scn, nullptr) : nullptr;
    if (!data || !data->d_buf) return -ENOEXEC;
    if (data->d_size > UINT32_MAX - names->size()) {
      std::fprintf(stderr, "bpfd: ELF file with string tables over 4 GiB refused\n");
      return -EFBIG;
    }
    Span span{static_cast<uint32_t>(names->size()), static_cast<uint32_t>(data->d_size)};
    it = tables->emplace(index, span).first;
    names->append(static_cast<const char*>(data->d_buf), data->d_size);
  }
  *out = it->second;
  return 0;
}

bool Wanted(const GElf_Sym& s) {
  int type = GELF_ST_TYPE(s.st_info);
  if (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_OBJECT) return false;
  if (s.st_shndx == SHN_UNDEF || s.st_shndx == SHN_ABS || s.st_shndx == SHN_COMMON) return false;
  return s.st_value != 0;
}

}  // namespace

int ElfImage::OpenFile(const std::string& path, UniqueFd* out) {
  // Non-blocking: opening a FIFO (say, planted as a process's deleted executable) for reading
  // would otherwise wait for a writer forever.
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd) return -errno;
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return -errno;
  if (!S_ISREG(st.st_mode)) return -ENOEXEC;
  *out = std::move(fd);
  return 0;
}

int ElfImage::LoadPath(const std::string& path, std::unique_ptr<ElfImage>* out) {
  UniqueFd fd;
  if (int r = OpenFile(path, &fd); r < 0) return r;
  return Load(fd.get(), out);
}

int ElfImage::Load(int fd, std::unique_ptr<ElfImage>* out) {
  if (elf_version(EV_CURRENT) == EV_NONE) return -ENOSYS;
  struct stat st;
  if (fstat(fd, &st) != 0) return -errno;
  if (!S_ISREG(st.st_mode)) return -ENOEXEC;
  std::unique_ptr<Elf, ElfCloser> elf(elf_begin(fd, ELF_C_READ_MMAP, nullptr));
  if (!elf || elf_kind(elf.get()) != ELF_K_ELF) return -ENOEXEC;
  GElf_Ehdr ehdr;
  if (!gelf_getehdr(elf.get(), &ehdr)) return -ENOEXEC;
  if (ehdr.e_type != ET_EXEC && ehdr.e_type != ET_DYN) return -ENOEXEC;

  auto img = std::make_unique<ElfImage>();
  img->elf_type = ehdr.e_type;
  size_t phnum = 0;
  if (elf_getphdrnum(elf.get(), &phnum) != 0) return -ENOEXEC;
  for (size_t i = 0; i < phnum; ++i) {
    GElf_Phdr ph;
    if (!gelf_getphdr(elf.get(), static_cast<int>(i), &ph) || ph.p_type != PT_LOAD) continue;
    img->segments.push_back(
        {ph.p_offset, ph.p_vaddr, ph.p_filesz, ph.p_memsz, (ph.p_flags & PF_X) != 0});
  }

  // Symbols of .symtab and .dynsym; their many duplicates are removed after sorting. Names
  // point into one copy of each string table: however many symbols share a name (or parts of
  // one), the names cost at most the tables' size, which the file holds.
  std::map<size_t, Span> tables;  // string table section index -> its copy in names
  uint64_t name_bytes = 0;        // the symbols' name lengths, summed
  for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(elf.get(), scn)) != nullptr;) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh)) continue;
    if (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) continue;
    if (sh.sh_entsize == 0) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (!data) continue;
    Span table;
    if (int r = StringTable(elf.get(), sh.sh_link, &tables, &img->names, &table); r < 0) {
      if (r == -EFBIG) return r;
      continue;  // no usable string table: no names for this table's symbols
    }
    const std::string_view strtab = std::string_view(img->names).substr(table.base, table.size);
    size_t count = sh.sh_size / sh.sh_entsize;
    for (size_t i = 0; i < count; ++i) {
      GElf_Sym sym;
      if (!gelf_getsym(data, static_cast<int>(i), &sym) || !Wanted(sym)) continue;
      if (sym.st_name >= strtab.size()) continue;
      size_t len = strtab.substr(sym.st_name).find('\0');
      if (len == 0 || len == std::string_view::npos) continue;  // empty or unterminated
      // Sorting by name compares names: their total length bounds that work, too.
      name_bytes += len;
      if (img->symbols.size() >= kMaxSymbols || name_bytes > kMaxNameBytes) {
        std::fprintf(stderr,
                     "bpfd: ELF file refused: over %zu symbols or %zu MiB of symbol names\n",
                     kMaxSymbols, kMaxNameBytes >> 20);
        return -EFBIG;
      }
      img->symbols.push_back({sym.st_value, sym.st_size, table.base + sym.st_name,
                              static_cast<uint32_t>(len), RankOf(sym)});
    }
  }

  ElfImage* p = img.get();
  auto less = [p](const Symbol& a, const Symbol& b) {
    if (a.addr != b.addr) return a.addr < b.addr;
    if (a.rank != b.rank) return a.rank < b.rank;
    return p->NameOf(a) < p->NameOf(b);
  };
  std::sort(img->symbols.begin(), img->symbols.end(), less);
  auto same = [p](const Symbol& a, const Symbol& b) {
    return a.addr == b.addr && a.rank == b.rank && p->NameOf(a) == p->NameOf(b);
  };
  img->symbols.erase(std::unique(img->symbols.begin(), img->symbols.end(), same),
                     img->symbols.end());
  img->by_name.resize(img->symbols.size());
  for (uint32_t i = 0; i < img->by_name.size(); ++i) img->by_name[i] = i;
  std::sort(img->by_name.begin(), img->by_name.end(), [p](uint32_t a, uint32_t b) {
    const Symbol& x = p->symbols[a];
    const Symbol& y = p->symbols[b];
    int c = x.name_off == y.name_off && x.name_len == y.name_len
                ? 0
                : p->NameOf(x).compare(p->NameOf(y));
    return c != 0 ? c < 0 : x.rank < y.rank;
  });
  *out = std::move(img);
  return 0;
}

bool ElfImage::FileOffsetToVaddr(uint64_t off, uint64_t* vaddr) const {
  for (const Segment& s : segments) {
    if (off >= s.offset && off - s.offset < s.filesz) {
      *vaddr = off - s.offset + s.vaddr;
      return true;
    }
  }
  return false;
}

bool ElfImage::VaddrToFileOffset(uint64_t vaddr, uint64_t* off) const {
  for (const Segment& s : segments) {
    if (vaddr >= s.vaddr && vaddr - s.vaddr < s.filesz) {
      *off = vaddr - s.vaddr + s.offset;
      return true;
    }
  }
  return false;
}

const ElfImage::Symbol* ElfImage::FindByVaddr(uint64_t vaddr) const {
  auto it = std::upper_bound(symbols.begin(), symbols.end(), vaddr,
                             [](uint64_t v, const Symbol& s) { return v < s.addr; });
  if (it == symbols.begin()) return nullptr;
  size_t hi = static_cast<size_t>(it - symbols.begin()) - 1;
  // Walk down from the highest start <= vaddr to the first symbol that contains vaddr (bounded:
  // nested/overlapping symbols are rare), then prefer the best-ranked one at that address.
  size_t lo = hi > 256 ? hi - 256 : 0;
  for (size_t i = hi + 1; i-- > lo;) {
    const Symbol& s = symbols[i];
    if (vaddr - s.addr < s.size) {
      while (i > 0 && symbols[i - 1].addr == s.addr && vaddr - s.addr < symbols[i - 1].size) --i;
      return &symbols[i];
    }
  }
  // Size-less symbols (hand-written assembly) extend to the next symbol.
  size_t first = hi;
  while (first > 0 && symbols[first - 1].addr == symbols[hi].addr) --first;
  for (size_t i = first; i <= hi; ++i) {
    if (symbols[i].size == 0) return &symbols[i];
  }
  return nullptr;
}

const ElfImage::Symbol* ElfImage::FindByName(std::string_view name) const {
  auto less = [this](uint32_t i, std::string_view n) { return NameOf(symbols[i]) < n; };
  auto it = std::lower_bound(by_name.begin(), by_name.end(), name, less);
  if (it == by_name.end() || NameOf(symbols[*it]) != name) return nullptr;
  return &symbols[*it];
}

}  // namespace bpfd
