// ElfImage against hostile files written by the test: symbols sharing one long name cost one
// copy of it (not one each) or are refused with -EFBIG, with the process's peak RSS staying
// small; a FIFO or a directory is refused at once (-ENOEXEC), never waited on.
#include "core/kernel/elf_image.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "tests/testing.h"

using bpfd::ElfImage;

namespace {

template <typename T>
void Put(std::string* out, const T& v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof(v));
}

// An ET_DYN ELF64 with one PT_LOAD and `count` function symbols at distinct addresses, each
// named by the same `name_len` bytes of 'A' in a single string table.
std::string HostileElf(size_t count, size_t name_len) {
  std::string strtab = std::string(1, '\0') + std::string(name_len, 'A') + '\0';
  const size_t syms_off = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr);
  const size_t syms_size = (count + 1) * sizeof(Elf64_Sym);
  const size_t str_off = syms_off + syms_size;
  const size_t sh_off = (str_off + strtab.size() + 7) & ~size_t{7};
  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_DYN;
  eh.e_machine = EM_X86_64;
  eh.e_version = EV_CURRENT;
  eh.e_phoff = sizeof(Elf64_Ehdr);
  eh.e_shoff = sh_off;
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 1;
  eh.e_shentsize = sizeof(Elf64_Shdr);
  eh.e_shnum = 3;  // null, .symtab, .strtab
  Elf64_Phdr ph{};
  ph.p_type = PT_LOAD;
  ph.p_flags = PF_R | PF_X;
  ph.p_filesz = ph.p_memsz = sh_off;
  std::string f;
  Put(&f, eh);
  Put(&f, ph);
  Put(&f, Elf64_Sym{});
  for (size_t i = 0; i < count; ++i) {
    Elf64_Sym s{};
    s.st_name = 1;
    s.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
    s.st_shndx = 1;
    s.st_value = 0x100 + 16 * i;
    s.st_size = 16;
    Put(&f, s);
  }
  f += strtab;
  f.resize(sh_off, '\0');
  Put(&f, Elf64_Shdr{});
  Elf64_Shdr sym{};
  sym.sh_type = SHT_SYMTAB;
  sym.sh_offset = syms_off;
  sym.sh_size = syms_size;
  sym.sh_link = 2;
  sym.sh_entsize = sizeof(Elf64_Sym);
  sym.sh_addralign = 8;
  Put(&f, sym);
  Elf64_Shdr str{};
  str.sh_type = SHT_STRTAB;
  str.sh_offset = str_off;
  str.sh_size = strtab.size();
  str.sh_addralign = 1;
  Put(&f, str);
  return f;
}

std::string WriteTemp(const std::string& bytes) {
  char path[] = "/tmp/bpfd_elfXXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return "";
  bool ok = write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  close(fd);
  return ok ? path : "";
}

long PeakRssKb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

}  // namespace

TEST(SharedNamesAreStoredOnce) {
  // 200 symbols x 100 KB: 20 MB if copied per symbol; one copy of the table instead.
  std::string path = WriteTemp(HostileElf(200, 100000));
  EXPECT(!path.empty());
  std::unique_ptr<ElfImage> img;
  EXPECT_EQ(ElfImage::LoadPath(path, &img), 0);
  unlink(path.c_str());
  if (!img) return;
  EXPECT_EQ(img->symbols.size(), size_t{200});
  EXPECT(img->names.size() < 100100);
  EXPECT_EQ(img->NameOf(img->symbols[7]).size(), size_t{100000});
  EXPECT(img->FindByName(std::string(100000, 'A')) != nullptr);
}

TEST(TooManyNameBytesAreRefusedInBoundedMemory) {
  // 40000 symbols sharing a 1 MB name: about 2 MB of file, 40 GB of names if copied.
  std::string path = WriteTemp(HostileElf(40000, 1u << 20));
  EXPECT(!path.empty());
  long before = PeakRssKb();
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<ElfImage> img;
  EXPECT_EQ(ElfImage::LoadPath(path, &img), -EFBIG);
  unlink(path.c_str());
  long grew_kb = PeakRssKb() - before;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  std::printf("peak RSS grew by %ld KiB, %lld ms\n", grew_kb, static_cast<long long>(ms));
  EXPECT(grew_kb < 64 * 1024);
  EXPECT(ms < 5000);
}

TEST(NonRegularFilesAreRefusedWithoutWaiting) {
  char dir[] = "/tmp/bpfd_fifoXXXXXX";
  EXPECT(mkdtemp(dir) != nullptr);
  std::string fifo = std::string(dir) + "/exe";
  EXPECT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::unique_ptr<ElfImage> img;
  // No writer ever comes: a blocking open would hang here for good.
  EXPECT_EQ(ElfImage::LoadPath(fifo, &img), -ENOEXEC);
  EXPECT_EQ(ElfImage::LoadPath(dir, &img), -ENOEXEC);
  bpfd::UniqueFd fd;
  EXPECT_EQ(ElfImage::OpenFile(fifo, &fd), -ENOEXEC);
  unlink(fifo.c_str());
  rmdir(dir);
}

TEST_MAIN()
