#include "preload/file_copies.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include "preload/real.h"
#include "preload/state.h"

namespace bpfd::preload {
namespace {

constexpr size_t kMaxKeptBytes = size_t{512} << 20;

// How long a copy kept by path may be served (ms; 0: not kept). BTF cannot change while the
// tool runs (5 MB); /proc/kallsyms (2.7–5.4 MB) is read whole by BCC for each symbol look-up,
// 2–4 times in a start: its kernel text does not move, and a program or module loaded in the
// last seconds may be missing, as after a local read.
int64_t KeepMs(const std::string& path) {
  if (path.compare(0, 16, "/sys/kernel/btf/") == 0) return INT64_MAX;
  if (path == "/proc/kallsyms") return 5000;
  return 0;
}

struct Copy {
  int fd = -1;  // memfd, O_CLOEXEC, never handed out itself
  size_t size = 0;
  int64_t fetched_ms = 0;
  int64_t keep_ms = 0;
};

// "path:<path>" or "id:<identity>" → copy.
std::map<std::string, Copy>& Kept() {
  static auto* kept = new std::map<std::string, Copy>();
  return *kept;
}

void Drop(std::map<std::string, Copy>::iterator it) {
  Real().close(it->second.fd);
  Kept().erase(it);
}

// Drops expired copies, then the oldest until `incoming` more bytes fit.
void MakeRoom(size_t incoming) {
  auto& kept = Kept();
  size_t total = 0;
  const int64_t now = NowMs();
  for (auto it = kept.begin(); it != kept.end();) {
    auto next = std::next(it);
    if (now - it->second.fetched_ms > it->second.keep_ms) {
      Drop(it);
    } else {
      total += it->second.size;
    }
    it = next;
  }
  while (!kept.empty() && total + incoming > kMaxKeptBytes) {
    auto oldest = kept.begin();
    for (auto it = kept.begin(); it != kept.end(); ++it) {
      if (it->second.fetched_ms < oldest->second.fetched_ms) oldest = it;
    }
    total -= oldest->second.size;
    Drop(oldest);
  }
}

// A memfd holding `content`, at offset 0. Returns fd or -errno.
int MemfdWith(const std::string& path, const std::string& content, unsigned flags) {
  std::string name = "bpfd-remote:" + path.substr(path.rfind('/') + 1);
  int fd = memfd_create(name.c_str(), flags);
  if (fd < 0) return -errno;
  for (size_t off = 0; off < content.size();) {
    ssize_t n = Real().write(fd, content.data() + off, content.size() - off);
    if (n <= 0) {
      int e = n < 0 ? errno : EIO;
      Real().close(fd);
      return -e;
    }
    off += static_cast<size_t>(n);
  }
  lseek(fd, 0, SEEK_SET);
  return fd;
}

// A new open file description of a kept memfd (its own offset, unlike dup).
int Reopen(const Copy& c, int flags) {
  std::string self = "/proc/self/fd/" + std::to_string(c.fd);
  int fd = Real().open(self.c_str(), O_RDONLY | (flags & O_CLOEXEC));
  return fd < 0 ? -errno : fd;
}

}  // namespace

bool KeptByIdentity(const std::string& path) {
  // /proc/<n>/root/<file>: the file as process n sees it on the target's filesystems.
  if (path.compare(0, 6, "/proc/") != 0) return false;
  size_t slash = path.find('/', 6);
  return slash != std::string::npos && path.compare(slash, 6, "/root/") == 0 &&
         path.size() > slash + 6;
}

int OpenCopy(const std::string& path, const std::string& identity, int flags,
             const std::function<int64_t(std::string* content)>& fetch) {
  const int64_t keep_ms = identity.empty() ? KeepMs(path) : INT64_MAX;
  const std::string key = identity.empty() ? "path:" + path : "id:" + identity;
  if (keep_ms > 0) {
    auto it = Kept().find(key);
    if (it != Kept().end() && NowMs() - it->second.fetched_ms <= it->second.keep_ms) {
      return Reopen(it->second, flags);
    }
  }
  std::string content;
  int64_t r = fetch(&content);
  if (r < 0) return static_cast<int>(r);
  if (keep_ms <= 0 || content.size() > kMaxKeptBytes / 2) {
    return MemfdWith(path, content, (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
  }
  auto old = Kept().find(key);
  if (old != Kept().end()) Drop(old);
  MakeRoom(content.size());
  int fd = MemfdWith(path, content, MFD_CLOEXEC);
  if (fd < 0) return fd;
  Copy& c = Kept()[key];
  c = Copy{fd, content.size(), NowMs(), keep_ms};
  return Reopen(c, flags);
}

}  // namespace bpfd::preload
