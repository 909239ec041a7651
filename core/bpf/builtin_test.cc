// The shipped objects: one per tool and architecture, each an ELF for the BPF machine, and
// the uname machines that select them.
#include "core/bpf/builtin.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "tests/testing.h"

using namespace bpfd;

TEST(arch_of_machine) {
  EXPECT(ArchOfMachine("x86_64") == "x86_64");
  EXPECT(ArchOfMachine("aarch64") == "aarch64");
  EXPECT(ArchOfMachine("arm64") == "aarch64");
  EXPECT(ArchOfMachine("armv7l") == "armv7");
  EXPECT(ArchOfMachine("armv8l") == "armv7");
  EXPECT(ArchOfMachine("mips") == "");
  EXPECT(ArchOfMachine("") == "");
}

TEST(every_tool_for_every_arch_is_a_bpf_elf) {
  EXPECT(!BuiltinObjectNames().empty());
  for (std::string_view name : BuiltinObjectNames()) {
    for (const char* arch : {"x86_64", "aarch64", "armv7"}) {
      const BuiltinObject* o = FindBuiltinObject(name, arch);
      EXPECT(o != nullptr);
      if (!o) continue;
      std::vector<uint8_t> elf;
      EXPECT_EQ(BuiltinObjectElf(*o, &elf), 0);
      EXPECT(elf.size() > 64 && elf.size() > o->gz.size());
      if (elf.size() <= 64) continue;
      EXPECT(std::memcmp(elf.data(),
                         "\x7f"
                         "ELF",
                         4) == 0);
      uint16_t machine;
      std::memcpy(&machine, elf.data() + 18, 2);
      EXPECT_EQ(machine, uint16_t{247});  // EM_BPF
      EXPECT_EQ(elf[5], uint8_t{1});      // little-endian
    }
  }
  EXPECT(FindBuiltinObject("hardirqs", "mips") == nullptr);
  // Corrupt bytes are an error, not a crash.
  const unsigned char junk[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff};
  BuiltinObject bad{"bad", "x86_64", junk};
  std::vector<uint8_t> elf;
  EXPECT_EQ(BuiltinObjectElf(bad, &elf), -EINVAL);
  EXPECT(FindBuiltinObject("nosuchtool", "x86_64") == nullptr);
}

TEST_MAIN()
