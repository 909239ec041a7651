// Unit tests of core/tracefs file helpers and argument validation (no tracefs needed).
#include "core/kernel/tracefs.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/testing.h"

namespace {

std::string TempDir() {
  const char* t = getenv("TEST_TMPDIR");
  std::string base = t && *t ? t : "/tmp";
  std::string tmpl = base + "/tracefs_test.XXXXXX";
  char* d = mkdtemp(tmpl.data());
  return d ? std::string(d) : base;
}

}  // namespace

TEST(WriteThenReadRoundTrip) {
  std::string path = TempDir() + "/f";
  EXPECT_EQ(bpfd::WriteFile(path, "hello\n", false), 0);
  EXPECT_EQ(bpfd::WriteFile(path, "world\n", true), 0);
  std::string s;
  EXPECT_EQ(bpfd::ReadFile(path, &s), 0);
  EXPECT_EQ(s, std::string("hello\nworld\n"));
  EXPECT_EQ(bpfd::WriteFile(path, "x", false), 0);  // truncates
  EXPECT_EQ(bpfd::ReadFile(path, &s), 0);
  EXPECT_EQ(s, std::string("x"));
  unlink(path.c_str());
}

TEST(ReadsLargeFiles) {
  std::string path = TempDir() + "/big";
  std::string data;
  for (int i = 0; i < 300000; ++i) data.push_back(static_cast<char>('a' + i % 26));
  EXPECT_EQ(bpfd::WriteFile(path, data, false), 0);
  std::string s;
  EXPECT_EQ(bpfd::ReadFile(path, &s), 0);
  EXPECT(s == data);
  unlink(path.c_str());
}

TEST(ReadsProcFilesWithZeroSize) {
  std::string s;
  EXPECT_EQ(bpfd::ReadFile("/proc/self/status", &s), 0);
  EXPECT(s.find("Pid:") != std::string::npos);
  EXPECT_EQ(bpfd::ReadFile("/proc/self/maps", &s), 0);
  EXPECT(s.size() > 100);
}

TEST(MissingFiles) {
  std::string s = "junk";
  EXPECT_EQ(bpfd::ReadFile("/nonexistent/file", &s), -ENOENT);
  EXPECT(s.empty());
  EXPECT_EQ(bpfd::WriteFile("/nonexistent/dir/file", "x", false), -ENOENT);
  EXPECT_EQ(bpfd::WriteFile("/nonexistent/dir/file", "x", true), -ENOENT);
}

TEST(PathComponentsAreValidated) {
  EXPECT(bpfd::IsSafePathComponent("sched"));
  EXPECT(bpfd::IsSafePathComponent("sys_enter_getpid"));
  EXPECT(!bpfd::IsSafePathComponent(""));
  EXPECT(!bpfd::IsSafePathComponent("."));
  EXPECT(!bpfd::IsSafePathComponent(".."));
  EXPECT(!bpfd::IsSafePathComponent("a/b"));
  EXPECT(!bpfd::IsSafePathComponent(std::string_view("a\0b", 3)));
  std::vector<std::string> v;
  EXPECT_EQ(bpfd::TracepointId("/nonexistent", "..", "x"), -EINVAL);
  EXPECT_EQ(bpfd::TracepointId("/nonexistent", "sched", "../../etc"), -EINVAL);
  EXPECT_EQ(bpfd::TracepointId("/nonexistent", "sched", "sched_switch"), -ENOENT);
  EXPECT_EQ(bpfd::ListEvents("/nonexistent", "../x", &v), -EINVAL);
  EXPECT_EQ(bpfd::RemoveProbeEvent("/nonexistent", bpfd::ProbeKind::kUprobe, "g", "a/b"), -EINVAL);
  EXPECT_EQ(bpfd::AddProbeEvent("/nonexistent", bpfd::ProbeKind::kUprobe, "p:a/b x\n-:a/b"),
            -EINVAL);
  EXPECT_EQ(bpfd::AddProbeEvent("/nonexistent", bpfd::ProbeKind::kUprobe, ""), -EINVAL);
  for (const char* sep : {"\t", "\n", "\v", "\f", "\r", "\x01", "\x7f"}) {
    EXPECT_EQ(bpfd::AddProbeEvent("/nonexistent", bpfd::ProbeKind::kKprobe,
                                  std::string("p:a/b do_sys_open") + sep + "x"),
              -EINVAL);
    EXPECT(!bpfd::IsProbeToken(std::string("do_sys_open") + sep + "x"));
  }
  EXPECT(!bpfd::IsProbeToken("do sys"));
  EXPECT(!bpfd::IsProbeToken(""));
  EXPECT(bpfd::IsProbeToken("do_sys_open"));
  EXPECT(bpfd::IsProbeToken("/usr/lib/libc.so.6"));
}

TEST(ListsAFakeEventsTree) {
  std::string root = TempDir();
  EXPECT_EQ(mkdir((root + "/events").c_str(), 0755), 0);
  for (const char* d : {"/events/zeta", "/events/alpha", "/events/alpha/e2", "/events/alpha/e1"}) {
    EXPECT_EQ(mkdir((root + d).c_str(), 0755), 0);
  }
  EXPECT_EQ(bpfd::WriteFile(root + "/events/enable", "0", false), 0);  // files are not listed
  EXPECT_EQ(bpfd::WriteFile(root + "/events/alpha/enable", "0", false), 0);
  EXPECT_EQ(bpfd::WriteFile(root + "/events/alpha/e1/id", "42\n", false), 0);
  std::vector<std::string> v;
  EXPECT_EQ(bpfd::ListCategories(root, &v), 0);
  EXPECT(v == (std::vector<std::string>{"alpha", "zeta"}));
  EXPECT_EQ(bpfd::ListEvents(root, "alpha", &v), 0);
  EXPECT(v == (std::vector<std::string>{"e1", "e2"}));
  EXPECT_EQ(bpfd::ListEvents(root, "nope", &v), -ENOENT);
  EXPECT_EQ(bpfd::TracepointId(root, "alpha", "e1"), 42);
  EXPECT_EQ(bpfd::TracepointId(root, "alpha", "e2"), -ENOENT);
}

TEST_MAIN()
