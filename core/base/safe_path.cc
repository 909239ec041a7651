#include "core/base/safe_path.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

// openat2(2) (Linux 5.6): the number is the same on every architecture; musl's and older
// headers may lack it and <linux/openat2.h>.
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

namespace bpfd {
namespace {

constexpr uint64_t kResolveNoMagiclinks = 0x02;
constexpr uint64_t kResolveBeneath = 0x08;
constexpr uint64_t kResolveInRoot = 0x10;
constexpr int kMaxSymlinks = 40;  // the kernel's MAXSYMLINKS
constexpr long kProcSuperMagic = 0x9fa0;
constexpr ino_t kProcRootIno = 1;

struct OpenHow {
  uint64_t flags;
  uint64_t mode;
  uint64_t resolve;
};

std::atomic<bool> g_no_openat2{false};

// openat2, or -ENOSYS when the walk must do it (no openat2, or a filter refusing it).
int Openat2(int anchor, std::string_view rel, int flags, mode_t mode, Resolve how) {
  if (g_no_openat2.load(std::memory_order_relaxed)) return -ENOSYS;
  std::string path(rel.empty() ? "." : rel);
  OpenHow h{};
  h.flags = static_cast<uint64_t>(static_cast<unsigned>(flags | O_CLOEXEC));
  // (O_TMPFILE includes O_DIRECTORY's bit.) A mode without them is -EINVAL.
  h.mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? (mode & 07777) : 0;
  h.resolve = kResolveNoMagiclinks | (how == Resolve::kBeneath ? kResolveBeneath : kResolveInRoot);
  for (int attempt = 0; attempt < 8; ++attempt) {
    long fd = syscall(SYS_openat2, anchor, path.c_str(), &h, sizeof h);
    if (fd >= 0) return static_cast<int>(fd);
    if (errno == EAGAIN || errno == EINTR) continue;  // a racing rename or mount: try again
    if (errno == ENOSYS) g_no_openat2.store(true, std::memory_order_relaxed);
    if (errno == ENOSYS || errno == EPERM || errno == E2BIG) return -ENOSYS;
    return -errno;
  }
  return -EAGAIN;
}

void PrependComponents(std::string_view path, std::deque<std::string>* todo) {
  std::vector<std::string> parts;
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    if (!part.empty() && part != ".") parts.emplace_back(part);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  }
  todo->insert(todo->begin(), parts.begin(), parts.end());
}

// procfs's magic links (/proc/PID/{exe,cwd,root,fd/N,ns/*,map_files/*}) are its symlinks
// outside its root directory; /proc/self, /proc/mounts… in the root are plain symlinks.
bool MagicLink(int parent) {
  struct statfs fs;
  struct stat st;
  return fstatfs(parent, &fs) == 0 && fs.f_type == kProcSuperMagic && fstat(parent, &st) == 0 &&
         st.st_ino != kProcRootIno;
}

int ReadLinkFd(int fd, std::string* target) {
  std::string buf(4096, '\0');
  ssize_t n = readlinkat(fd, "", buf.data(), buf.size());
  if (n < 0) return -errno;
  if (static_cast<size_t>(n) >= buf.size()) return -ENAMETOOLONG;
  target->assign(buf.data(), static_cast<size_t>(n));
  return 0;
}

// The last step of the walk: `name` in `dir`, never through a symlink (the walk followed those).
int OpenLast(int dir, const char* name, int flags, mode_t mode, UniqueFd* out) {
  int fd = openat(dir, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return -errno;
  out->reset(fd);
  return 0;
}

int Walk(int anchor, std::string_view rel, int flags, mode_t mode, Resolve how, UniqueFd* out) {
  const bool beneath = how == Resolve::kBeneath;
  if (!rel.empty() && rel[0] == '/' && beneath) return -EXDEV;
  std::vector<UniqueFd> dirs;  // dirs[0] is the anchor; each next one is in the one before
  dirs.emplace_back(openat(anchor, ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dirs[0]) return -errno;
  std::deque<std::string> todo;
  PrependComponents(rel, &todo);
  int links = 0;
  while (!todo.empty()) {
    const std::string name = std::move(todo.front());
    todo.pop_front();
    const int cur = dirs.back().get();
    if (name == "..") {
      if (dirs.size() > 1)
        dirs.pop_back();
      else if (beneath)
        return -EXDEV;
      continue;
    }
    const bool last = todo.empty();
    UniqueFd fd(openat(cur, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
      if (last && errno == ENOENT && (flags & O_CREAT))
        return OpenLast(cur, name.c_str(), flags, mode, out);
      return -errno;
    }
    struct stat st;
    if (fstat(fd.get(), &st) != 0) return -errno;
    if (S_ISLNK(st.st_mode) && !(last && (flags & O_NOFOLLOW))) {
      if (MagicLink(cur)) return -ELOOP;
      if (++links > kMaxSymlinks) return -ELOOP;
      std::string target;
      if (int r = ReadLinkFd(fd.get(), &target); r < 0) return r;
      if (!target.empty() && target[0] == '/') {
        if (beneath) return -EXDEV;
        dirs.resize(1);
      }
      PrependComponents(target, &todo);
      continue;
    }
    if (last) return OpenLast(cur, name.c_str(), flags, mode, out);
    if (!S_ISDIR(st.st_mode)) return -ENOTDIR;
    dirs.push_back(std::move(fd));
  }
  // The path ended at a directory of the walk ("", "." or a trailing ".." or symlink to one).
  return OpenLast(dirs.back().get(), ".", flags, mode, out);
}

}  // namespace

int OpenBeneath(int anchor, std::string_view rel, int flags, mode_t mode, Resolve how,
                UniqueFd* out, Resolver resolver) {
  if (resolver == Resolver::kAuto) {
    int fd = Openat2(anchor, rel, flags, mode, how);
    if (fd >= 0) {
      out->reset(fd);
      return 0;
    }
    if (fd != -ENOSYS) return fd;
  }
  return Walk(anchor, rel, flags, mode, how, out);
}

int AccessFd(int fd, int mode) {
  if (syscall(SYS_faccessat2, fd, "", mode, AT_EMPTY_PATH) == 0) return 0;
  if (errno != ENOSYS && errno != EPERM && errno != EINVAL) return -errno;
  const std::string link = "/proc/self/fd/" + std::to_string(fd);  // before Linux 5.8
  return access(link.c_str(), mode) == 0 ? 0 : -errno;
}

}  // namespace bpfd
