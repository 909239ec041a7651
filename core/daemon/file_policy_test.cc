// The FILE_* policy's lexical part: normalisation, and refusals decided before any file is
// opened (the rest, on real files as root: tests/kernel/bpf_file_policy_test.cc).
#include "core/daemon/file_policy.h"

#include <cerrno>

#include "tests/testing.h"

using namespace bpfd;

TEST(NormalisesLexically) {
  EXPECT_EQ(NormalisePath("/a//b/./c/"), std::string("/a/b/c"));
  EXPECT_EQ(NormalisePath("/sys/kernel/tracing/../../../etc/shadow"), std::string("/etc/shadow"));
  EXPECT_EQ(NormalisePath("/../.."), std::string("/"));
  EXPECT_EQ(NormalisePath("/"), std::string("/"));
  EXPECT_EQ(NormalisePath("sys/kernel"), std::string());
  EXPECT_EQ(NormalisePath(""), std::string());
}

TEST(RefusesBeforeOpening) {
  Session s;
  for (const char* p :
       {"/etc/shadow", "/sys/kernel/tracing/../../../etc/shadow", "etc/shadow", "/proc/self/mem",
        "/proc/1/mem", "/proc/1/environ", "/proc/1/fd/0", "/proc/1/task/1/root/etc/shadow",
        "/proc/1/cwd", "/boot/grub/grub.cfg", "/sys/kernel/debug/tracing_not"}) {
    FileTarget t;
    EXPECT_EQ(ResolveFileTarget(s, "FILE_READ", p, FileOp::kRead, 0, 0, &t), -EACCES);
    EXPECT(!t.fd.valid());
  }
  FileTarget t;
  EXPECT_EQ(ResolveFileTarget(s, "FILE_READ", "/proc/1/root[vdso]", FileOp::kRead, 0, 0, &t),
            -ENOENT);  // BCC's probe for every process: no refusal line
  EXPECT_EQ(
      ResolveFileTarget(s, "FILE_OPEN", "/tmp/x", FileOp::kOpen, O_WRONLY | O_CREAT, 0644, &t),
      -EACCES);
  EXPECT_EQ(ResolveFileTarget(s, "FILE_OPEN", "/sys/kernel/tracing/trace", FileOp::kOpen,
                              O_WRONLY | O_TRUNC, 0, &t),
            -EACCES);
  EXPECT_EQ(ResolveFileTarget(s, "FILE_STAT", "/sys/kernel/debug/x", FileOp::kStat, 0, 0, &t),
            -EACCES);
}

// What BCC reads besides tracefs proper is not refused (it may not exist here: no kprobes).
TEST(AllowsWhatBccReads) {
  Session s;
  for (const char* p : {"/sys/kernel/debug/tracing/../kprobes/blacklist", "/proc/kallsyms",
                        "/sys/kernel/tracing/available_filter_functions"}) {
    FileTarget t;
    EXPECT(ResolveFileTarget(s, "FILE_READ", p, FileOp::kRead, 0, 0, &t) != -EACCES);
  }
}

TEST_MAIN()
