// OpenBeneath: the same escape cases through openat2 and through the component walk (which
// runs where the kernel lacks openat2), in a temporary tree of symlinks and in /proc.
#include "core/base/safe_path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "tests/testing.h"

using bpfd::OpenBeneath;
using bpfd::Resolve;
using bpfd::Resolver;
using bpfd::UniqueFd;

namespace {

// T/outside, and the anchor T/root holding: f, d/g, symlinks a -> /etc, b -> ../../..,
// c -> d/g, e -> /d/g, loop -> loop, d/up -> .., d/up2 -> ../.., out -> ../outside,
// mk -> ../made (dangling), selfroot -> /proc/self/root, and a chain l0 -> l1 -> … -> l40 -> f
// (41 links from l0, 40 from l1).
std::string MakeTree() {
  const char* t = getenv("TEST_TMPDIR");
  std::string tmpl = std::string(t && *t ? t : "/tmp") + "/safe_path_test.XXXXXX";
  std::string dir = mkdtemp(tmpl.data());
  const std::string root = dir + "/root";
  mkdir(root.c_str(), 0755);
  mkdir((root + "/d").c_str(), 0755);
  for (const std::string& f : {dir + "/outside", root + "/f", root + "/d/g"}) {
    UniqueFd fd(open(f.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  }
  const std::pair<const char*, const char*> links[] = {
      {"a", "/etc"},      {"b", "../../.."},
      {"c", "d/g"},       {"e", "/d/g"},
      {"loop", "loop"},   {"d/up", ".."},
      {"d/up2", "../.."}, {"out", "../outside"},
      {"mk", "../made"},  {"selfroot", "/proc/self/root"}};
  for (auto [name, target] : links) symlink(target, (root + "/" + name).c_str());
  for (int i = 0; i < 40; ++i)
    symlink(("l" + std::to_string(i + 1)).c_str(), (root + "/l" + std::to_string(i)).c_str());
  symlink("f", (root + "/l40").c_str());
  return dir;
}

const std::string& Tree() {
  static const std::string dir = MakeTree();
  return dir;
}

bool SameFile(int fd, const std::string& path, bool nofollow = false) {
  struct stat a, b;
  return fstat(fd, &a) == 0 && (nofollow ? lstat(path.c_str(), &b) : stat(path.c_str(), &b)) == 0 &&
         a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

struct Case {
  const char* rel;
  Resolve how;
  int want;          // 0 or -errno
  const char* same;  // on success: the file it must be (under the tree), "" for none
  int flags = O_PATH;
};

constexpr Resolve kB = Resolve::kBeneath, kR = Resolve::kInRoot;

const Case kCases[] = {
    {"f", kB, 0, "root/f"},
    {"d/g", kB, 0, "root/d/g"},
    {"c", kB, 0, "root/d/g"},
    {"d/up/f", kB, 0, "root/f"},
    {"", kB, 0, "root"},
    {"d/..", kB, 0, "root"},
    {"l1", kB, 0, "root/f"},  // 40 symlinks
    {"l0", kB, -ELOOP, ""},   // 41
    {"loop", kB, -ELOOP, ""},
    {"a", kB, -EXDEV, ""},
    {"a/passwd", kB, -EXDEV, ""},
    {"b", kB, -EXDEV, ""},
    {"b/etc/passwd", kB, -EXDEV, ""},
    {"e", kB, -EXDEV, ""},
    {"d/up2/outside", kB, -EXDEV, ""},
    {"out", kB, -EXDEV, ""},
    {"../outside", kB, -EXDEV, ""},
    {"d/../../outside", kB, -EXDEV, ""},
    {"selfroot/etc/passwd", kB, -EXDEV, ""},
    {"/f", kB, -EXDEV, ""},
    {"a", kB, 0, "root/a", O_PATH | O_NOFOLLOW},  // the link itself
    {"e", kR, 0, "root/d/g"},
    {"b", kR, 0, "root"},
    {"b/f", kR, 0, "root/f"},
    {"../f", kR, 0, "root/f"},
    {"d/up2/f", kR, 0, "root/f"},
    {"a/passwd", kR, -ENOENT, ""},
    {"out", kR, -ENOENT, ""},
    {"selfroot/f", kR, -ENOENT, ""},
    {"loop", kR, -ELOOP, ""},
    {"f", kB, 0, "root/f", O_RDONLY},
    {"d", kB, 0, "root/d", O_RDONLY | O_DIRECTORY},
    {"c", kB, -ELOOP, "", O_RDONLY | O_NOFOLLOW},
    {"mk", kB, -EXDEV, "", O_WRONLY | O_CREAT},  // nothing made through a dangling link
    {"a/bpfd_safe_path_test", kB, -EXDEV, "", O_WRONLY | O_CREAT},
};

void RunCases(Resolver resolver) {
  UniqueFd anchor(open((Tree() + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  EXPECT(anchor.valid());
  for (const Case& c : kCases) {
    UniqueFd fd;
    int r = OpenBeneath(anchor.get(), c.rel, c.flags, 0644, c.how, &fd, resolver);
    if (r != c.want)
      std::printf("  %s (%s): %d, want %d\n", c.rel, c.how == kB ? "beneath" : "in root", r,
                  c.want);
    EXPECT_EQ(r, c.want);
    if (r == 0 && *c.same) {
      bool nofollow = (c.flags & O_NOFOLLOW) != 0;
      EXPECT(SameFile(fd.get(), Tree() + "/" + c.same, nofollow));
    }
    EXPECT_EQ(r == 0, fd.valid());
  }
  EXPECT(access((Tree() + "/made").c_str(), F_OK) != 0);
  EXPECT(access("/etc/bpfd_safe_path_test", F_OK) != 0);
}

// procfs's magic links (/proc/PID/root, exe, fd/N, cwd) are never crossed; /proc/self, a plain
// symlink in /proc's root, is.
void RunMagic(Resolver resolver) {
  UniqueFd proc(open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC));
  UniqueFd fd;
  EXPECT_EQ(OpenBeneath(proc.get(), "self/status", O_RDONLY, 0, Resolve::kBeneath, &fd, resolver),
            0);
  UniqueFd self(open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC));
  for (const char* rel : {"root/etc/passwd", "root", "exe", "cwd/x", "fd/0"}) {
    for (Resolve how : {Resolve::kBeneath, Resolve::kInRoot}) {
      int r = OpenBeneath(self.get(), rel, O_RDONLY, 0, how, &fd, resolver);
      if (r != -ELOOP) std::printf("  /proc/self/%s: %d\n", rel, r);
      EXPECT_EQ(r, -ELOOP);
    }
  }
  // The link itself, unfollowed, is fine.
  EXPECT_EQ(
      OpenBeneath(self.get(), "exe", O_PATH | O_NOFOLLOW, 0, Resolve::kBeneath, &fd, resolver), 0);
}

}  // namespace

TEST(Openat2Cases) { RunCases(Resolver::kAuto); }
TEST(FallbackCases) { RunCases(Resolver::kFallback); }
TEST(Openat2MagicLinks) { RunMagic(Resolver::kAuto); }
TEST(FallbackMagicLinks) { RunMagic(Resolver::kFallback); }

TEST(CreatesOnlyBeneath) {
  UniqueFd anchor(open((Tree() + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  for (Resolver res : {Resolver::kAuto, Resolver::kFallback}) {
    UniqueFd fd;
    const std::string name = res == Resolver::kAuto ? "new_auto" : "new_walk";
    EXPECT_EQ(OpenBeneath(anchor.get(), "d/" + name, O_WRONLY | O_CREAT | O_EXCL, 0600,
                          Resolve::kBeneath, &fd, res),
              0);
    EXPECT(access((Tree() + "/root/d/" + name).c_str(), F_OK) == 0);
  }
}

TEST_MAIN()
