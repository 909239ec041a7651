// Tests of core/usyms: symbolizing this test binary (and libc when dynamically linked).
#include "core/kernel/usyms.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "tests/testing.h"

extern "C" __attribute__((noinline, used)) int bpfd_usyms_c_target(int x) {
  asm volatile("" ::: "memory");
  return x * 7 + 1;
}

namespace testns {
__attribute__((noinline, used)) double Compute(int x, double y) {
  asm volatile("" ::: "memory");
  return x * y + 0.5;
}
}  // namespace testns

namespace {

std::string SelfExe() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

uint64_t Addr(const void* p) { return reinterpret_cast<uintptr_t>(p); }

// True when the binary still has the test's function symbols (not stripped).
bool HasSymbols() {
  uint64_t v;
  return bpfd::UserSymbols::SymbolVaddr(SelfExe(), "bpfd_usyms_c_target", &v) == 0;
}

}  // namespace

TEST(ResolveCFunction) {
  if (!HasSymbols()) SKIP("test binary has no symbol table (stripped)");
  bpfd::UserSymbols us;
  std::string name, module;
  uint64_t off = 99;
  uint64_t a = Addr(reinterpret_cast<const void*>(&bpfd_usyms_c_target));
  EXPECT_EQ(us.Resolve(getpid(), a, false, &name, &off, &module), 0);
  EXPECT_EQ(name, std::string("bpfd_usyms_c_target"));
  EXPECT_EQ(off, 0u);
  EXPECT_EQ(module, SelfExe());
  EXPECT_EQ(us.Resolve(getpid(), a + 2, true, &name, &off, &module), 0);  // cached image
  EXPECT_EQ(name, std::string("bpfd_usyms_c_target"));
  EXPECT_EQ(off, 2u);
}

TEST(ResolveCxxFunctionDemangled) {
  if (!HasSymbols()) SKIP("test binary has no symbol table (stripped)");
  bpfd::UserSymbols us;
  std::string name, module;
  uint64_t off = 0;
  uint64_t a = Addr(reinterpret_cast<const void*>(&testns::Compute));
  EXPECT_EQ(us.Resolve(getpid(), a + 1, true, &name, &off, &module), 0);
  EXPECT_EQ(name, std::string("testns::Compute(int, double)"));
  EXPECT_EQ(off, 1u);
  EXPECT_EQ(us.Resolve(getpid(), a + 1, false, &name, &off, &module), 0);
  EXPECT_EQ(name, std::string("_ZN6testns7ComputeEid"));
}

TEST(LookupBackToRuntimeAddress) {
  if (!HasSymbols()) SKIP("test binary has no symbol table (stripped)");
  bpfd::UserSymbols us;
  uint64_t addr = 0;
  EXPECT_EQ(us.Lookup(getpid(), "bpfd_usyms_c_target", "", &addr), 0);
  EXPECT_EQ(addr, Addr(reinterpret_cast<const void*>(&bpfd_usyms_c_target)));
  addr = 0;
  EXPECT_EQ(us.Lookup(getpid(), "_ZN6testns7ComputeEid", SelfExe(), &addr), 0);
  EXPECT_EQ(addr, Addr(reinterpret_cast<const void*>(&testns::Compute)));
  // Without a pid: the ELF virtual address (equal to the runtime one only for ET_EXEC).
  uint64_t vaddr = 0, elf_vaddr = 1;
  EXPECT_EQ(us.Lookup(-1, "bpfd_usyms_c_target", SelfExe(), &vaddr), 0);
  EXPECT_EQ(bpfd::UserSymbols::SymbolVaddr(SelfExe(), "bpfd_usyms_c_target", &elf_vaddr), 0);
  EXPECT_EQ(vaddr, elf_vaddr);
  EXPECT_EQ(us.Lookup(getpid(), "no_such_symbol_bpfd", "", &addr), -ENOENT);
  EXPECT_EQ(us.Lookup(getpid(), "x", "no_such_library_bpfd", &addr), -ENOENT);
  EXPECT_EQ(us.Lookup(-1, "x", "", &addr), -EINVAL);
}

TEST(FileOffsetPointsAtTheCode) {
  if (!HasSymbols()) SKIP("test binary has no symbol table (stripped)");
  uint64_t off = 0;
  EXPECT_EQ(bpfd::UserSymbols::FileOffsetForSymbol(SelfExe(), "bpfd_usyms_c_target", &off), 0);
  int fd = open(SelfExe().c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT(fd >= 0);
  unsigned char file_bytes[16] = {};
  EXPECT_EQ(pread(fd, file_bytes, sizeof(file_bytes), static_cast<off_t>(off)), 16);
  close(fd);
  EXPECT(memcmp(file_bytes, reinterpret_cast<const void*>(&bpfd_usyms_c_target), 16) == 0);
  EXPECT_EQ(bpfd::UserSymbols::FileOffsetForSymbol(SelfExe(), "no_such_symbol_bpfd", &off),
            -ENOENT);
  EXPECT_EQ(bpfd::UserSymbols::FileOffsetForSymbol("/proc/self/status", "x", &off), -ENOEXEC);
}

TEST(SharedLibraryLibc) {
  std::vector<bpfd::MapEntry> maps;
  EXPECT_EQ(bpfd::ReadProcMaps(getpid(), &maps), 0);
  bool have_libc = false;
  for (auto& m : maps)
    have_libc |=
        m.path.find("/libc.so") != std::string::npos || m.path.find("/libc-") != std::string::npos;
  if (!have_libc) SKIP("statically linked: no libc.so mapped");
  bpfd::UserSymbols us;
  uint64_t addr = 0, addr2 = 0;
  EXPECT_EQ(us.Lookup(getpid(), "getpid", "c", &addr), 0);
  EXPECT_EQ(us.Lookup(getpid(), "getpid", "libc.so.6", &addr2), 0);
  EXPECT_EQ(addr, addr2);
  const bpfd::MapEntry* libc_text = nullptr;
  for (auto& m : maps) {
    if (addr >= m.start && addr < m.end) libc_text = &m;
  }
  EXPECT(libc_text && libc_text->exec && libc_text->path.find("libc") != std::string::npos);
  // &getpid is libc's own address unless a non-PIE executable made its PLT slot canonical.
  uint64_t taken = Addr(reinterpret_cast<const void*>(&getpid));
  if (libc_text && taken >= libc_text->start && taken < libc_text->end) EXPECT_EQ(addr, taken);
  std::string name, module;
  uint64_t off = 1;
  EXPECT_EQ(us.Resolve(getpid(), addr, false, &name, &off, &module), 0);
  EXPECT(name.find("getpid") != std::string::npos);
  EXPECT_EQ(off, 0u);
  EXPECT(module.find("libc") != std::string::npos);
  // Not via the pid's maps: found in the library directories; the ELF vaddr comes back.
  uint64_t vaddr = 0;
  EXPECT_EQ(us.Lookup(-1, "getpid", "c", &vaddr), 0);
  EXPECT(vaddr != 0 && vaddr < addr);
}

TEST(UnmappedAnonymousAndMissing) {
  bpfd::UserSymbols us;
  std::string name, module = "x";
  uint64_t off;
  EXPECT_EQ(us.Resolve(getpid(), 0, false, &name, &off, &module), -ENOENT);
  EXPECT(module.empty());
  void* anon = mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  EXPECT(anon != MAP_FAILED);
  EXPECT_EQ(us.Resolve(getpid(), Addr(anon), false, &name, &off, &module), -ENOENT);
  munmap(anon, 4096);
  EXPECT_EQ(us.Resolve(0x3ffffff0, 0x1000, false, &name, &off, &module), -ESRCH);
  EXPECT_EQ(us.Resolve(-5, 0x1000, false, &name, &off, &module), -EINVAL);
}

TEST(ParsesMaps) {
  std::vector<bpfd::MapEntry> maps;
  EXPECT_EQ(bpfd::ReadProcMaps(getpid(), &maps), 0);
  bool found_self = false, found_stack = false;
  for (auto& m : maps) {
    EXPECT(m.start < m.end);
    found_self |= m.path == SelfExe() && m.exec && m.inode != 0;
    found_stack |= m.path == "[stack]";
  }
  EXPECT(found_self);
  EXPECT(found_stack);
}

TEST_MAIN()
