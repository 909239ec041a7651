// The host's store of target files (file_cache.h) in a scratch directory: what a path held,
// newest first; damaged contents never served; the size cap; "off".
#include "core/client/file_cache.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "core/base/file_io.h"
#include "core/base/hex.h"
#include "tests/testing.h"

using namespace bpfd;

namespace {

std::string ScratchDir() {
  char tmpl[] = "/tmp/bpfd_file_cache.XXXXXX";
  return mkdtemp(tmpl) ? tmpl : "";
}

void RemoveTree(const std::string& dir) {
  std::string cmd = "rm -rf '" + dir + "'";
  EXPECT_EQ(system(cmd.c_str()), 0);
}

}  // namespace

TEST(HeldNewestFirstAndLoaded) {
  std::string dir = ScratchDir();
  FileCache c(dir + "/store");
  EXPECT(c.Held("/sys/kernel/btf/vmlinux").empty());  // nothing yet, no directory yet
  c.Store("/sys/kernel/btf/vmlinux", "boot 1");
  c.Store("/sys/kernel/btf/vmlinux", "boot 2");
  c.Store("/proc/kallsyms", "ffff t a");
  auto held = c.Held("/sys/kernel/btf/vmlinux");
  EXPECT(held.size() == 2 && held[0] == Sha256Of("boot 2") && held[1] == Sha256Of("boot 1"));
  c.Store("/sys/kernel/btf/vmlinux", "boot 1");  // again: newest, not twice
  held = c.Held("/sys/kernel/btf/vmlinux");
  EXPECT(held.size() == 2 && held[0] == Sha256Of("boot 1"));
  std::string out;
  EXPECT(c.Load(Sha256Of("ffff t a"), &out) && out == "ffff t a");
  EXPECT(!c.Load(Sha256Of("never stored"), &out));
  // At most kMaxCachedDigests per path.
  for (int i = 0; i < 12; ++i) c.Store("/p", "content " + std::to_string(i));
  held = c.Held("/p");
  EXPECT(held.size() == 8 && held[0] == Sha256Of("content 11"));
  RemoveTree(dir);
}

TEST(DamagedContentIsNeverServed) {
  std::string dir = ScratchDir();
  FileCache c(dir);
  c.Store("/proc/kallsyms", "the real thing");
  const Sha256Digest d = Sha256Of("the real thing");
  const std::string object = dir + "/objects/" + HexOf(d.data(), d.size());
  EXPECT_EQ(WriteFile(object, "the real thinG", false), 0);
  std::string out;
  EXPECT(!c.Load(d, &out) && out.empty());
  EXPECT(access(object.c_str(), F_OK) != 0);  // removed
  EXPECT(c.Held("/proc/kallsyms").empty());   // and no longer offered
  RemoveTree(dir);
}

TEST(OldestUsedDroppedBeyondTheCap) {
  std::string dir = ScratchDir();
  FileCache c(dir, 250);
  const std::string a(100, 'a'), b(100, 'b'), d(100, 'd');
  c.Store("/a", a);
  sleep(1);  // mtime order (coarse file systems)
  c.Store("/b", b);
  sleep(1);
  std::string out;
  EXPECT(c.Load(Sha256Of(a), &out));  // /a used: /b is now the oldest-used
  c.Store("/d", d);
  EXPECT(c.Held("/a").size() == 1 && c.Held("/d").size() == 1);
  EXPECT(c.Held("/b").empty());
  RemoveTree(dir);
}

TEST(OffAndUnset) {
  setenv("BPFD_REMOTE_CACHE", "off", 1);
  EXPECT_EQ(FileCache::DefaultDir(), std::string());
  setenv("BPFD_REMOTE_CACHE", "/x/y", 1);
  EXPECT_EQ(FileCache::DefaultDir(), std::string("/x/y"));
  unsetenv("BPFD_REMOTE_CACHE");
  setenv("BPFD_CACHE", "/c", 1);
  EXPECT_EQ(FileCache::DefaultDir(), std::string("/c/remote-files"));
  FileCache off("");
  off.Store("/p", "x");
  EXPECT(!off.enabled() && off.Held("/p").empty());
}

TEST_MAIN()
