// The shipped objects: one per tool and architecture, each an ELF for the BPF machine, and
// the uname machines that select them.
#include "core/bpf/builtin.h"

#include <cstring>
#include <string>

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
      EXPECT(o->elf.size() > 64);
      EXPECT(std::memcmp(o->elf.data(),
                         "\x7f"
                         "ELF",
                         4) == 0);
      uint16_t machine;
      std::memcpy(&machine, o->elf.data() + 18, 2);
      EXPECT_EQ(machine, uint16_t{247});  // EM_BPF
      EXPECT_EQ(o->elf[5], uint8_t{1});   // little-endian
    }
  }
  EXPECT(FindBuiltinObject("hardirqs", "mips") == nullptr);
  EXPECT(FindBuiltinObject("nosuchtool", "x86_64") == nullptr);
}

TEST_MAIN()
