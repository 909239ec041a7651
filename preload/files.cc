#include "preload/files.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "core/wire/tokens.h"
#include "preload/file_copies.h"
#include "preload/file_fetch.h"
#include "preload/listings.h"
#include "preload/prefetch.h"
#include "preload/real.h"
#include "preload/state.h"
#include "preload/streams.h"

namespace bpfd::preload {
namespace {

// Prefixes served by the target (a prefix matches itself and what lies below it).
constexpr const char* kRemotePrefixes[] = {
    "/sys/kernel/tracing",     "/sys/kernel/debug", "/sys/kernel/btf", "/sys/bus/event_source",
    "/sys/devices/system/cpu", "/sys/fs/bpf",       "/proc/kallsyms",  "/proc/sys",
};

bool Under(std::string_view path, std::string_view prefix) {
  return path.substr(0, prefix.size()) == prefix &&
         (path.size() == prefix.size() || path[prefix.size()] == '/');
}

// "/proc/<pid>" or "/proc/<pid>/REST": the pid, and REST in *rest ("" for the first); -1 for
// any other path.
int ProcPid(std::string_view path, std::string_view* rest) {
  if (path.substr(0, 6) != "/proc/") return -1;
  std::string_view tail = path.substr(6);
  size_t slash = tail.find('/');
  int pid;
  if (!ParseInt(tail.substr(0, slash), &pid) || pid <= 0) return -1;
  *rest = slash == std::string_view::npos ? std::string_view() : tail.substr(slash + 1);
  return pid;
}

// /proc/<pid>[/…] of another process (the tool's own /proc entries stay local).
bool OtherProcess(std::string_view path) {
  std::string_view rest;
  int pid = ProcPid(path, &rest);
  return pid > 0 && pid != getpid() && pid != gettid();
}

// /proc/<pid>/root/<file>: a file as process pid sees it on the target's filesystems (a traced
// process's binaries: copies of these are kept by the file's identity, file_copies.h).
bool UnderProcRoot(std::string_view path) {
  std::string_view rest;
  return ProcPid(path, &rest) > 0 && rest.size() > 5 && rest.substr(0, 5) == "root/";
}

// What tells one version of a target file from another: dev, ino, size, mtime, ctime.
std::string Identity(const struct stat& st) {
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
         std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec) + ":" + std::to_string(st.st_ctim.tv_sec) + "." +
         std::to_string(st.st_ctim.tv_nsec);
}

// "a//b/./c/" → "a/b/c" (no symlink or ".." resolution: the target resolves those).
std::string Clean(std::string_view p) {
  std::string out;
  out.reserve(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '/' && !out.empty() && out.back() == '/') continue;
    if (p[i] == '.' && !out.empty() && out.back() == '/' &&
        (i + 1 == p.size() || p[i + 1] == '/')) {
      continue;
    }
    out += p[i];
  }
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

int64_t CallPath(const char* cmd, const std::string& path, const std::string& args,
                 std::vector<std::string>* rest) {
  std::string line = std::string(cmd) + " " + Token(path);
  if (!args.empty()) line += " " + args;
  return State::Get().Call(line, rest);
}

// A call whose data line has at least `need` decimal numbers (FILE_STAT, FILE_STATFS): the
// first `want` (>= need) go into v[0..want), 0 for those a shorter line lacks.
// Returns ret, or -EIO for a malformed line.
int64_t CallNumbers(const char* cmd, const std::string& path, const std::string& args, int64_t* v,
                    size_t need, size_t want) {
  std::vector<std::string> rest;
  int64_t r = CallPath(cmd, path, args, &rest);
  if (r < 0) return r;
  if (rest.empty()) return -EIO;
  auto t = SplitTokens(rest[0]);
  if (t.size() < need) return -EIO;
  for (size_t i = 0; i < want; ++i) {
    v[i] = 0;
    if (i < t.size() && !ParseInt64(t[i], &v[i])) return -EIO;
  }
  return r;
}

struct FakeDir {
  uint64_t magic = 0x62706664444952ull;  // "bpfdDIR"
  DirEntries entries;
  size_t pos = 0;
  struct dirent ent;
  struct dirent64 ent64;
};

std::set<DIR*>& FakeDirs() {
  static auto* s = new std::set<DIR*>();
  return *s;
}

FakeDir* AsFake(DIR* d) {
  auto lock = State::Get().Lock();
  return FakeDirs().count(d) ? reinterpret_cast<FakeDir*>(d) : nullptr;
}

// BCC's symbolizer stats /proc/PID/exe before every look-up, to notice an exec: a tool that
// symbolizes each event would pay a round trip per event. The answer is kept for 100 ms
// (symbolizing after the event races with an exec anyway).
constexpr int64_t kExeStatMs = 100;

struct ExeStat {
  struct stat st;
  int64_t when_ms;
};

std::map<std::string, ExeStat>& ExeStats() {
  static auto* m = new std::map<std::string, ExeStat>();
  return *m;
}

bool ProcExe(std::string_view path) {
  std::string_view rest;
  return ProcPid(path, &rest) > 0 && rest == "exe";
}

bool RecentExeStat(const std::string& path, struct stat* out) {
  auto it = ExeStats().find(path);
  if (it == ExeStats().end() || NowMs() - it->second.when_ms > kExeStatMs) return false;
  *out = it->second.st;
  return true;
}

void KeepExeStat(const std::string& path, const struct stat& st) {
  auto& m = ExeStats();
  const int64_t now = NowMs();
  if (m.size() >= 1024) {
    for (auto it = m.begin(); it != m.end();) {
      it = now - it->second.when_ms > kExeStatMs ? m.erase(it) : std::next(it);
    }
  }
  m[path] = ExeStat{st, now};
}

// Only the flags whose meaning is the same on every architecture's ABI.
int PortableFlags(int flags) { return flags & (O_ACCMODE | O_APPEND | O_TRUNC | O_CREAT); }

ssize_t CookieWrite(void* cookie, const char* buf, size_t n) {
  return RemoteWrite(static_cast<int>(reinterpret_cast<intptr_t>(cookie)), buf, n);
}

ssize_t CookieRead(void* cookie, char* buf, size_t n) {
  int fd = static_cast<int>(reinterpret_cast<intptr_t>(cookie));
  Obj* o = State::Get().Find(fd);
  return o ? StreamRead(*o, fd, buf, n) : FailErrno(-EBADF);
}

int CookieClose(void* cookie) {
  int fd = static_cast<int>(reinterpret_cast<intptr_t>(cookie));
  State::Get().Release(fd);
  return Real().close(fd);
}

}  // namespace

bool RemotePath(int dirfd, const char* path, std::string* out) {
  if (!path || !State::Get().active()) return false;
  std::string full;
  if (path[0] == '/') {
    // Fast exit for everything outside /sys and /proc (headers, libraries, Python).
    if (std::strncmp(path, "/sys/", 5) != 0 && std::strncmp(path, "/proc/", 6) != 0) return false;
    full = Clean(path);
  } else {
    Obj* dir = dirfd == AT_FDCWD ? nullptr : State::Get().Find(dirfd);
    if (!dir || dir->kind != Kind::kDir) return false;
    full = Clean(dir->path + "/" + path);
  }
  for (const char* prefix : kRemotePrefixes) {
    if (Under(full, prefix)) {
      *out = std::move(full);
      return true;
    }
  }
  if (!OtherProcess(full)) return false;
  *out = std::move(full);
  return true;
}

int RemoteOpen(const std::string& path, int flags, mode_t mode) {
  State& st = State::Get();
  auto lock = st.Lock();
  if ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC))) {
    // The daemon refuses O_TRUNC on the event files (it would delete every idle event of the
    // system): fopen(..., "w") and open(O_TRUNC) of them append, as libbpf and BCC open them.
    std::string_view base = std::string_view(path).substr(path.rfind('/') + 1);
    if ((flags & O_ACCMODE) != O_RDONLY &&
        (base == "kprobe_events" || base == "uprobe_events" || base == "dynamic_events"))
      flags = (flags & ~(O_TRUNC | O_CREAT)) | O_APPEND;
    ForgetListings();  // a write may add or remove events
    ForgetPrefetched();
    int64_t r =
        CallPath("FILE_OPEN", path,
                 std::to_string(PortableFlags(flags)) + " " + std::to_string(mode), nullptr);
    if (r < 0) return FailErrno(r);
    Obj* obj = new Obj();
    obj->kind = Kind::kFileWrite;
    obj->path = path;
    int fd = st.InstallRemote(obj, static_cast<int>(r));
    return fd < 0 ? FailErrno(fd) : fd;
  }
  if (StreamPath(path)) return OpenStream(path, flags);  // never read whole: it never ends
  std::string identity;
  struct stat target = {};
  if (UnderProcRoot(path) && RemoteStat(path, true, &target) == 0 && S_ISREG(target.st_mode))
    identity = Identity(target);
  if (!identity.empty() && (flags & O_DIRECTORY)) return FailErrno(-ENOTDIR);
  const uint64_t size = identity.empty() ? 0 : static_cast<uint64_t>(target.st_size);
  int fd = OpenCopy(path, identity, size, flags, [&](std::string* content) -> int64_t {
    int64_t r = FetchWhole(path, content);
    return r >= 0 && (flags & O_DIRECTORY) ? -ENOTDIR : r;
  });
  if (fd == -EISDIR) {
    Obj* obj = new Obj();
    obj->kind = Kind::kDir;
    obj->path = path;
    fd = st.Install(obj);
  }
  return fd < 0 ? FailErrno(fd) : fd;
}

int RemoteStat(const std::string& path, bool follow, struct stat* out) {
  auto lock = State::Get().Lock();
  if (follow && StatFromListing(path, out)) return 0;
  const bool exe = follow && ProcExe(path);
  if (exe && RecentExeStat(path, out)) return 0;
  int64_t v[15];
  int64_t r = CallNumbers("FILE_STAT", path, follow ? "1" : "0", v, 13, 15);
  if (r < 0) return FailErrno(r);
  std::memset(out, 0, sizeof *out);
  out->st_mode = static_cast<mode_t>(v[0]);
  out->st_size = v[1];
  out->st_ino = static_cast<ino_t>(v[2]);
  out->st_dev = static_cast<dev_t>(v[3]);
  out->st_nlink = static_cast<nlink_t>(v[4]);
  out->st_uid = static_cast<uid_t>(v[5]);
  out->st_gid = static_cast<gid_t>(v[6]);
  out->st_rdev = static_cast<dev_t>(v[7]);
  out->st_blksize = static_cast<blksize_t>(v[8]);
  out->st_blocks = static_cast<blkcnt_t>(v[9]);
  out->st_atim.tv_sec = v[10];
  out->st_mtim.tv_sec = v[11];
  out->st_ctim.tv_sec = v[12];
  out->st_mtim.tv_nsec = v[13];  // 0 from a daemon that sends whole seconds only
  out->st_ctim.tv_nsec = v[14];
  if (exe) KeepExeStat(path, *out);
  return 0;
}

int RemoteAccess(const std::string& path, int mode) {
  auto lock = State::Get().Lock();
  int kept;
  if (AccessFromKept(path, mode, &kept)) return kept < 0 ? FailErrno(kept) : 0;
  int64_t r = CallPath("FILE_ACCESS", path, std::to_string(mode), nullptr);
  KeepAccess(path, mode, static_cast<int>(r));
  return r < 0 ? FailErrno(r) : 0;
}

ssize_t RemoteReadlink(const std::string& path, char* buf, size_t size) {
  auto lock = State::Get().Lock();
  std::vector<std::string> rest;
  int64_t r = CallPath("FILE_READLINK", path, "", &rest);
  if (r < 0) return FailErrno(r);
  std::string target;
  if (rest.empty() || !Untoken(rest[0], &target)) return FailErrno(-EIO);
  size_t n = std::min(size, target.size());
  std::memcpy(buf, target.data(), n);
  return static_cast<ssize_t>(n);
}

int RemoteStatfs(const std::string& path, struct statfs* out) {
  auto lock = State::Get().Lock();
  int64_t v[10];
  int64_t r = CallNumbers("FILE_STATFS", path, "", v, 10, 10);
  if (r < 0) return FailErrno(r);
  std::memset(out, 0, sizeof *out);
  out->f_type = v[0];
  out->f_bsize = v[1];
  out->f_blocks = static_cast<fsblkcnt_t>(v[2]);
  out->f_bfree = static_cast<fsblkcnt_t>(v[3]);
  out->f_bavail = static_cast<fsblkcnt_t>(v[4]);
  out->f_files = static_cast<fsfilcnt_t>(v[5]);
  out->f_ffree = static_cast<fsfilcnt_t>(v[6]);
  out->f_namelen = v[7];
  out->f_frsize = v[8];
  out->f_flags = v[9];
  return 0;
}

DIR* RemoteOpendir(const std::string& path) {
  auto lock = State::Get().Lock();
  auto dir = std::make_unique<FakeDir>();
  if (int r = ListDirectory(path, &dir->entries); r < 0) {
    FailErrno(r);
    return nullptr;
  }
  DIR* d = reinterpret_cast<DIR*>(dir.release());
  FakeDirs().insert(d);
  return d;
}

DIR* RemoteFdopendir(int fd) {
  Obj* o = State::Get().Find(fd);
  if (!o || o->kind != Kind::kDir) return nullptr;
  std::string path = o->path;
  DIR* d = RemoteOpendir(path);
  // fdopendir takes the fd over: closedir closes it.
  if (d) {
    State::Get().Release(fd);
    Real().close(fd);
  }
  return d;
}

FILE* RemoteFopen(const std::string& path, const char* mode) {
  bool write = std::strpbrk(mode, "wa+") != nullptr;
  int flags = write ? (std::strchr(mode, '+') ? O_RDWR : O_WRONLY) : O_RDONLY;
  if (std::strchr(mode, 'a')) flags |= O_APPEND;
  if (std::strchr(mode, 'w')) flags |= O_TRUNC | O_CREAT;
  if (std::strchr(mode, 'e')) flags |= O_CLOEXEC;
  int fd = RemoteOpen(path, flags, 0666);
  if (fd < 0) return nullptr;
  Obj* o = State::Get().Find(fd);
  if (o && o->kind == Kind::kDir) {
    State::Get().Release(fd);
    Real().close(fd);
    errno = EISDIR;
    return nullptr;
  }
  // stdio reads and writes bypass our read() and write(): route them through a cookie stream.
  if (write || (o && o->kind == Kind::kStream)) {
    cookie_io_functions_t io = {write ? nullptr : CookieRead, write ? CookieWrite : nullptr,
                                nullptr, CookieClose};
    FILE* f = fopencookie(reinterpret_cast<void*>(static_cast<intptr_t>(fd)), mode, io);
    if (!f) CookieClose(reinterpret_cast<void*>(static_cast<intptr_t>(fd)));
    return f;
  }
  // stdio reads behind the library's back: a copy filled in pieces is completed first.
  if (o && o->kind == Kind::kLazyFile) {
    auto lock = State::Get().Lock();
    int r = FillCopy(*o->copy, 0, UINT64_MAX);
    if (r < 0) {
      State::Get().Release(fd);
      Real().close(fd);
      errno = -r;
      return nullptr;
    }
  }
  return Real().fdopen(fd, mode);
}

ssize_t RemoteWrite(int fd, const void* buf, size_t n) {
  State& st = State::Get();
  auto lock = st.Lock();
  Obj* o = st.Find(fd);
  if (!o || o->kind != Kind::kFileWrite) return FailErrno(-EBADF);
  ForgetListings();  // "p:..." to kprobe_events adds a directory to events/
  ForgetPrefetched();
  int64_t r = st.Call("FILE_WRITE " + std::to_string(o->rfd) + " " + Token(buf, n), nullptr);
  return r < 0 ? FailErrno(r) : static_cast<ssize_t>(r);
}

bool IsRemoteDir(DIR* d) { return AsFake(d) != nullptr; }

struct dirent* RemoteReaddir(DIR* d) {
  FakeDir* f = AsFake(d);
  if (!f || f->pos >= f->entries.size()) return nullptr;
  auto& [type, name] = f->entries[f->pos++];
  std::memset(&f->ent, 0, sizeof f->ent);
  f->ent.d_ino = f->pos;
  f->ent.d_off = static_cast<off_t>(f->pos);
  f->ent.d_reclen = sizeof f->ent;
  f->ent.d_type = type;
  std::memcpy(f->ent.d_name, name.c_str(), name.size() + 1);
  return &f->ent;
}

struct dirent64* RemoteReaddir64(DIR* d) {
  struct dirent* e = RemoteReaddir(d);
  if (!e) return nullptr;
  FakeDir* f = reinterpret_cast<FakeDir*>(d);
  std::memset(&f->ent64, 0, sizeof f->ent64);
  f->ent64.d_ino = e->d_ino;
  f->ent64.d_off = e->d_off;
  f->ent64.d_reclen = sizeof f->ent64;
  f->ent64.d_type = e->d_type;
  std::memcpy(f->ent64.d_name, e->d_name, sizeof f->ent64.d_name);
  return &f->ent64;
}

int RemoteClosedir(DIR* d) {
  auto lock = State::Get().Lock();
  if (!FakeDirs().erase(d)) return FailErrno(-EBADF);
  delete reinterpret_cast<FakeDir*>(d);
  return 0;
}

void RemoteRewinddir(DIR* d) {
  if (FakeDir* f = AsFake(d)) f->pos = 0;
}

}  // namespace bpfd::preload
