// Tests of core/ksyms on synthetic kallsyms files (the live table: bpf_ksyms_test.cc).
#include "core/kernel/ksyms.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/kernel/tracefs.h"
#include "tests/testing.h"

namespace {

std::string WriteTemp(const std::string& content) {
  const char* t = getenv("TEST_TMPDIR");
  std::string path = std::string(t && *t ? t : "/tmp") + "/ksyms_test_" + std::to_string(getpid());
  bpfd::WriteFile(path, content, false);
  return path;
}

}  // namespace

TEST(SyntheticKallsyms) {
  std::string path = WriteTemp(
      "ffffffff81000000 T _text\n"
      "ffffffff81000000 T _stext\n"
      "ffffffff81000100 t helper\n"
      "ffffffff81000200 T do_work\n"
      "ffffffffc0001000 t mod_fn\t[mymod]\n"
      "ffffffffc0001100 t helper\t[mymod]\n"
      "ffffffffc0002000 t other_fn\t[other]\n"
      "garbage line\n");
  bpfd::KernelSymbols ks(path);
  std::string name, module;
  uint64_t off = 0, addr = 0;
  EXPECT_EQ(ks.Resolve(0xffffffff81000010ULL, &name, &off, &module), 0);
  EXPECT_EQ(name, std::string("_text"));  // first of equal addresses in file order
  EXPECT_EQ(off, 0x10u);
  EXPECT_EQ(ks.Resolve(0xffffffffc0001104ULL, &name, &off, &module), 0);
  EXPECT_EQ(name, std::string("helper"));
  EXPECT_EQ(module, std::string("mymod"));
  EXPECT_EQ(off, 4u);
  EXPECT_EQ(ks.Resolve(0xffffffffc0002000ULL, &name, &off, &module), 0);
  EXPECT_EQ(module, std::string("other"));
  EXPECT_EQ(ks.Lookup("helper", &addr), 0);
  EXPECT_EQ(addr, 0xffffffff81000100ULL);  // vmlinux before modules
  EXPECT_EQ(ks.Lookup("mymod:helper", &addr), 0);
  EXPECT_EQ(addr, 0xffffffffc0001100ULL);
  EXPECT_EQ(ks.Lookup("other:helper", &addr), -ENOENT);
  EXPECT_EQ(ks.size(), 7u);
  unlink(path.c_str());
}

TEST(HiddenAddresses) {
  std::string path = WriteTemp(
      "0000000000000000 T _text\n"
      "0000000000000000 T schedule\n");
  bpfd::KernelSymbols ks(path);
  uint64_t addr;
  std::string name, module;
  uint64_t off;
  EXPECT_EQ(ks.Lookup("schedule", &addr), -EACCES);
  EXPECT_EQ(ks.Resolve(0x1234, &name, &off, &module), -EACCES);
  unlink(path.c_str());
}

TEST(MissingFile) {
  bpfd::KernelSymbols ks("/nonexistent/kallsyms");
  uint64_t addr;
  EXPECT_EQ(ks.Lookup("x", &addr), -ENOENT);
}

TEST_MAIN()
