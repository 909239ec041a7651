#include "preload/file_copies.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "preload/real.h"

namespace bpfd::preload {

constexpr size_t kMaxKeptBytes = size_t{512} << 20;
constexpr uint64_t kPiecesFrom = 256 << 10;
constexpr uint64_t kChunk = 64 << 10;
constexpr uint64_t kMaxPiece = 4 << 20;  // per FILE_PREAD

struct FileCopy {
  std::string path;  // the target's, as first opened (for messages)
  int fd = -1;       // memfd, O_CLOEXEC, never handed out itself
  uint64_t size = 0;
  int64_t fetched_ms = 0;
  int64_t keep_ms = 0;
  int rfd = -1;            // the daemon's read-only fd while pieces are missing
  std::vector<bool> have;  // per kChunk
  size_t missing = 0;      // chunks not yet fetched
  ~FileCopy() {
    if (fd >= 0) Real().close(fd);
    if (rfd >= 0) State::Get().Post("SYS_CLOSE " + std::to_string(rfd));
  }
};

namespace {

// How long a copy kept by path may be served (ms; 0: not kept). BTF cannot change while the
// tool runs (5 MB); /proc/kallsyms (2.7–5.4 MB) is read whole by BCC for each symbol look-up,
// 2–4 times in a start: its kernel text does not move, and a program or module loaded in the
// last seconds may be missing, as after a local read.
int64_t KeepMs(const std::string& path) {
  if (path.compare(0, 16, "/sys/kernel/btf/") == 0) return INT64_MAX;
  if (path == "/proc/kallsyms") return 5000;
  return 0;
}

using Copies = std::map<std::string, std::shared_ptr<FileCopy>>;

// "path:<path>" or "id:<identity>" → copy.
Copies& Kept() {
  static auto* kept = new Copies();
  return *kept;
}

// Drops expired copies, then the oldest until `incoming` more bytes fit.
void MakeRoom(size_t incoming) {
  auto& kept = Kept();
  size_t total = 0;
  const int64_t now = NowMs();
  for (auto it = kept.begin(); it != kept.end();) {
    if (now - it->second->fetched_ms > it->second->keep_ms) {
      it = kept.erase(it);
    } else {
      total += it->second->size;
      ++it;
    }
  }
  while (!kept.empty() && total + incoming > kMaxKeptBytes) {
    auto oldest = std::min_element(kept.begin(), kept.end(), [](auto& a, auto& b) {
      return a.second->fetched_ms < b.second->fetched_ms;
    });
    total -= oldest->second->size;
    kept.erase(oldest);
  }
}

int PwriteAll(int fd, const std::string& data, uint64_t off) {
  for (size_t done = 0; done < data.size();) {
    ssize_t n = pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(off + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? -errno : -EIO;
    done += static_cast<size_t>(n);
  }
  return 0;
}

// A memfd of `size` bytes holding `content` at 0 (the rest a hole). Returns fd or -errno.
int NewMemfd(const std::string& path, const std::string& content, uint64_t size, unsigned flags) {
  std::string name = "bpfd-remote:" + path.substr(path.rfind('/') + 1);
  int fd = memfd_create(name.c_str(), flags);
  if (fd < 0) return -errno;
  int r = ftruncate(fd, static_cast<off_t>(std::max<uint64_t>(size, content.size()))) < 0
              ? -errno
              : PwriteAll(fd, content, 0);
  if (r < 0) {
    Real().close(fd);
    return r;
  }
  return fd;
}

// A new open file description of a kept copy (its own offset, unlike dup); one with pieces
// missing is tracked as a kLazyFile so that reads fill them first.
int Reopen(const std::shared_ptr<FileCopy>& c, int flags) {
  std::string self = "/proc/self/fd/" + std::to_string(c->fd);
  int fd = Real().open(self.c_str(), O_RDONLY | (flags & O_CLOEXEC));
  if (fd < 0) return -errno;
  if (c->missing == 0) return fd;
  Obj* o = new Obj();
  o->kind = Kind::kLazyFile;
  o->copy = c;
  if (State::Get().Adopt(fd, o) < 0) {  // untracked, it must be complete
    int r = FillCopy(*c, 0, UINT64_MAX);
    if (r < 0) {
      Real().close(fd);
      return r;
    }
  }
  return fd;
}

// A copy filled in pieces: the daemon keeps the file open for FILE_PREAD.
int NewPiecesCopy(const std::string& path, uint64_t size, std::shared_ptr<FileCopy>* out) {
  int64_t rfd = State::Get().Call(
      "FILE_OPEN " + Token(path) + " " + std::to_string(O_RDONLY) + " 0", nullptr);
  if (rfd < 0) return static_cast<int>(rfd);
  auto c = std::make_shared<FileCopy>();
  c->path = path;
  c->rfd = static_cast<int>(rfd);
  c->fd = NewMemfd(path, "", size, MFD_CLOEXEC);
  if (c->fd < 0) return c->fd;  // c's destructor closes the daemon's fd
  c->size = size;
  c->missing = static_cast<size_t>((size + kChunk - 1) / kChunk);
  c->have.assign(c->missing, false);
  *out = std::move(c);
  return 0;
}

}  // namespace

int OpenCopy(const std::string& path, const std::string& identity, uint64_t size, int flags,
             const std::function<int64_t(std::string* content)>& fetch) {
  const int64_t keep_ms = identity.empty() ? KeepMs(path) : INT64_MAX;
  const std::string key = identity.empty() ? "path:" + path : "id:" + identity;
  if (keep_ms > 0) {
    auto it = Kept().find(key);
    if (it != Kept().end() && NowMs() - it->second->fetched_ms <= it->second->keep_ms) {
      return Reopen(it->second, flags);
    }
  }
  std::shared_ptr<FileCopy> c;
  if (!identity.empty() && size >= kPiecesFrom && size <= kMaxKeptBytes / 2) {
    int r = NewPiecesCopy(path, size, &c);
    if (r < 0) return r;
  } else {
    std::string content;
    int64_t r = fetch(&content);
    if (r < 0) return static_cast<int>(r);
    if (keep_ms <= 0 || content.size() > kMaxKeptBytes / 2) {
      return NewMemfd(path, content, 0, (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
    }
    c = std::make_shared<FileCopy>();
    c->path = path;
    c->fd = NewMemfd(path, content, 0, MFD_CLOEXEC);
    if (c->fd < 0) return c->fd;
    c->size = content.size();
  }
  c->fetched_ms = NowMs();
  c->keep_ms = keep_ms;
  Kept().erase(key);
  MakeRoom(c->size);
  Kept()[key] = c;
  return Reopen(c, flags);
}

namespace {

// FillCopy's work: fetches the missing chunks of [off, end) in runs of at most kMaxPiece.
int FetchPieces(FileCopy* c, uint64_t off, uint64_t end) {
  State& st = State::Get();
  for (uint64_t i = off / kChunk, last = (end - 1) / kChunk; i <= last;) {
    if (c->have[i]) {
      ++i;
      continue;
    }
    uint64_t j = i;
    while (j <= last && !c->have[j] && (j - i + 1) * kChunk <= kMaxPiece) ++j;
    const uint64_t from = i * kChunk, want = std::min(j * kChunk, c->size) - from;
    std::vector<std::string> rest;
    int64_t r = st.Call("FILE_PREAD " + std::to_string(c->rfd) + " " + std::to_string(from) + " " +
                            std::to_string(want),
                        &rest);
    if (r < 0) return static_cast<int>(r);
    std::string data;
    // A file that shrank since its FILE_STAT gives a short read: an error, not zeros.
    if (rest.empty() || !Untoken(rest[0], &data) || data.size() != want) return -EIO;
    int w = PwriteAll(c->fd, data, from);
    if (w < 0) return w;
    for (uint64_t k = i; k < j; ++k) c->have[k] = true;
    c->missing -= static_cast<size_t>(j - i);
    i = j;
  }
  return 0;
}

}  // namespace

int FillCopy(FileCopy& c, uint64_t off, uint64_t len) {
  if (c.missing == 0 || off >= c.size || len == 0) return 0;
  int r = FetchPieces(&c, off, len > c.size - off ? c.size : off + len);
  if (r < 0) {
    WarnOnce("cannot read " + c.path + " from the target (" + std::strerror(-r) +
             "): the tool's read of it fails");
    return r;
  }
  if (c.missing == 0 && c.rfd >= 0) {
    State::Get().Post("SYS_CLOSE " + std::to_string(c.rfd));
    c.rfd = -1;
  }
  return 0;
}

}  // namespace bpfd::preload
