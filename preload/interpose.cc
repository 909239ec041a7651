// The exported libc entry points. Each asks whether the call concerns the target (a remote
// path, a placeholder fd, a bpf/perf syscall) and otherwise calls the real function: the
// fast path for local work is one table load or a prefix test. Reads are in
// interpose_reads.cc.
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "preload/export.h"
#include "preload/file_copies.h"
#include "preload/files.h"
#include "preload/forward_perf.h"
#include "preload/map_mirror.h"
#include "preload/real.h"
#include "preload/rings.h"
#include "preload/state.h"
#include "preload/wait.h"

#include "preload/bpf_request.h"

using namespace bpfd::preload;

namespace {

bool Active() { return State::Get().active(); }

mode_t ModeArg(int flags, va_list ap) {
  return (flags & O_CREAT) || (flags & __O_TMPFILE) == __O_TMPFILE ? va_arg(ap, mode_t) : 0;
}

int OpenAt(int dirfd, const char* path, int flags, mode_t mode) {
  std::string remote;
  if (RemotePath(dirfd, path, &remote)) return RemoteOpen(remote, flags, mode);
  return Real().openat(dirfd, path, flags, mode);
}

int StatAt(int dirfd, const char* path, struct stat* st, int flags) {
  std::string remote;
  if (path && *path && RemotePath(dirfd, path, &remote))
    return RemoteStat(remote, !(flags & AT_SYMLINK_NOFOLLOW), st);
  return Real().fstatat(dirfd, path, st, flags);
}

ssize_t ReadlinkAt(int dirfd, const char* path, char* buf, size_t size) {
  std::string remote;
  if (RemotePath(dirfd, path, &remote)) return RemoteReadlink(remote, buf, size);
  return Real().readlinkat(dirfd, path, buf, size);
}

int AccessAt(int dirfd, const char* path, int mode, int flags) {
  std::string remote;
  if (RemotePath(dirfd, path, &remote)) return RemoteAccess(remote, mode);
  return Real().faccessat(dirfd, path, mode, flags);
}

// A dup of a placeholder shares its target object.
int Duped(int from, int to) {
  if (to >= 0 && Active()) {
    State& st = State::Get();
    auto lock = st.Lock();
    if (Obj* o = st.Find(from)) {
      st.Share(to, o);
    } else {
      st.Release(to);
    }
  }
  return to;
}

int Poll(struct pollfd* fds, nfds_t n, int timeout) {
  if (!Active()) return Real().poll(fds, n, timeout);
  MirrorSync sync;
  bool handled = false;
  int r = WaitPoll(fds, n, timeout, nullptr, &handled);
  return handled ? r : Real().poll(fds, n, timeout);
}

}  // namespace

// --- syscalls: bpf(2) and perf_event_open(2) ----------------------------------------------
EXPORT(long, bpfd_syscall, "syscall", long n, ...) {
  va_list ap;
  va_start(ap, n);
  long a[6];
  for (long& v : a) v = va_arg(ap, long);
  va_end(ap);
  if (n == __NR_bpf && Active())
    return ForwardBpf(static_cast<int>(a[0]), reinterpret_cast<union bpf_attr*>(a[1]),
                      static_cast<unsigned>(a[2]));
  if (n == __NR_perf_event_open && Active())
    return ForwardPerfEventOpen(reinterpret_cast<struct perf_event_attr*>(a[0]),
                                static_cast<pid_t>(a[1]), static_cast<int>(a[2]),
                                static_cast<int>(a[3]), static_cast<unsigned long>(a[4]));
  return Real().syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}

EXPORT(int, bpfd_ioctl, "ioctl", int fd, unsigned long req, ...) {
  va_list ap;
  va_start(ap, req);
  unsigned long arg = va_arg(ap, unsigned long);
  va_end(ap);
  Obj* o = State::Get().Find(fd);
  if (o && o->kind == Kind::kPerf) return ForwardPerfIoctl(fd, req, arg);
  return Real().ioctl(fd, req, arg);
}

EXPORT(int, bpfd_uname, "uname", struct utsname* u) {
  int r = Real().uname(u);
  if (r != 0 || !Active()) return r;
  const bpfd::TargetUname& t = State::Get().Uname();
  auto put = [](char* dst, const std::string& s) {
    if (s.empty()) return;
    std::strncpy(dst, s.c_str(), _UTSNAME_LENGTH - 1);
    dst[_UTSNAME_LENGTH - 1] = '\0';
  };
  put(u->sysname, t.sysname);
  put(u->nodename, t.nodename);
  put(u->release, t.release);
  put(u->version, t.version);
  put(u->machine, t.machine);
  return 0;
}

// --- fds: open, close, dup, write, mmap ---------------------------------------------------
EXPORT(int, bpfd_open, "open", const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = ModeArg(flags, ap);
  va_end(ap);
  return OpenAt(AT_FDCWD, path, flags, mode);
}
EXPORT(int, bpfd_open64, "open64", const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = ModeArg(flags, ap);
  va_end(ap);
  return OpenAt(AT_FDCWD, path, flags, mode);
}
EXPORT(int, bpfd_open_2, "__open_2", const char* path, int flags) {
  return OpenAt(AT_FDCWD, path, flags, 0);
}
EXPORT(int, bpfd_open64_2, "__open64_2", const char* path, int flags) {
  return OpenAt(AT_FDCWD, path, flags, 0);
}
EXPORT(int, bpfd_openat, "openat", int dirfd, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = ModeArg(flags, ap);
  va_end(ap);
  return OpenAt(dirfd, path, flags, mode);
}
EXPORT(int, bpfd_openat64, "openat64", int dirfd, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = ModeArg(flags, ap);
  va_end(ap);
  return OpenAt(dirfd, path, flags, mode);
}
EXPORT(int, bpfd_openat_2, "__openat_2", int dirfd, const char* path, int flags) {
  return OpenAt(dirfd, path, flags, 0);
}
EXPORT(int, bpfd_openat64_2, "__openat64_2", int dirfd, const char* path, int flags) {
  return OpenAt(dirfd, path, flags, 0);
}

EXPORT(int, bpfd_close, "close", int fd) {
  if (Active()) {
    State& st = State::Get();
    auto lock = st.Lock();
    EpollForget(fd);
    st.Release(fd);
  }
  return Real().close(fd);
}

EXPORT(int, bpfd_dup, "dup", int fd) { return Duped(fd, Real().dup(fd)); }
EXPORT(int, bpfd_dup2, "dup2", int fd, int to) {
  if (fd == to) return Real().dup2(fd, to);
  return Duped(fd, Real().dup2(fd, to));
}
EXPORT(int, bpfd_dup3, "dup3", int fd, int to, int flags) {
  return Duped(fd, Real().dup3(fd, to, flags));
}

int FcntlImpl(int fd, int cmd, va_list ap) {
  void* arg = va_arg(ap, void*);
  int r = Real().fcntl(fd, cmd, arg);
  if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) return Duped(fd, r);
  return r;
}
EXPORT(int, bpfd_fcntl, "fcntl", int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  int r = FcntlImpl(fd, cmd, ap);
  va_end(ap);
  return r;
}
EXPORT(int, bpfd_fcntl64, "fcntl64", int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  int r = FcntlImpl(fd, cmd, ap);
  va_end(ap);
  return r;
}

EXPORT(ssize_t, bpfd_write, "write", int fd, const void* buf, size_t n) {
  Obj* o = State::Get().Find(fd);
  if (o && o->kind == Kind::kFileWrite) return RemoteWrite(fd, buf, n);
  return Real().write(fd, buf, n);
}

void* MmapImpl(void* addr, size_t len, int prot, int flags, int fd, off_t off) {
  Obj* o = fd >= 0 ? State::Get().Find(fd) : nullptr;
  if (o && (o->kind == Kind::kPerf || o->kind == Kind::kMap || o->kind == Kind::kBpfOther)) {
    auto lock = State::Get().Lock();
    if (o->kind != Kind::kPerf && MapMirror::Mirrors(*o))
      return MapMirror::Map(*o, addr, len, prot, flags, off);
    return Ring::Map(*o, addr, len, prot, flags, off);
  }
  if (o && o->kind == Kind::kLazyFile) {  // a target file's copy: complete before mapping
    auto lock = State::Get().Lock();
    if (int r = FillCopy(*o->copy, 0, UINT64_MAX); r < 0) {
      errno = -r;
      return MAP_FAILED;
    }
  }
  return Real().mmap(addr, len, prot, flags, fd, off);
}
EXPORT(void*, bpfd_mmap, "mmap", void* addr, size_t len, int prot, int flags, int fd, off_t off) {
  return MmapImpl(addr, len, prot, flags, fd, off);
}
EXPORT(void*, bpfd_mmap64, "mmap64", void* addr, size_t len, int prot, int flags, int fd,
       off_t off) {
  return MmapImpl(addr, len, prot, flags, fd, off);
}

// --- waiting: poll, ppoll, epoll --------------------------------------------------------
EXPORT(int, bpfd_poll, "poll", struct pollfd* fds, nfds_t n, int timeout) {
  return Poll(fds, n, timeout);
}
EXPORT(int, bpfd_poll_chk, "__poll_chk", struct pollfd* fds, nfds_t n, int timeout, size_t) {
  return Poll(fds, n, timeout);
}
EXPORT(int, bpfd_ppoll, "ppoll", struct pollfd* fds, nfds_t n, const struct timespec* ts,
       const sigset_t* mask) {
  if (!Active()) return Real().ppoll(fds, n, ts, mask);
  MirrorSync sync;
  bool handled = false;
  int ms = ts ? static_cast<int>(ts->tv_sec * 1000 + ts->tv_nsec / 1000000) : -1;
  int r = WaitPoll(fds, n, ms, mask, &handled);
  return handled ? r : Real().ppoll(fds, n, ts, mask);
}
EXPORT(int, bpfd_epoll_ctl, "epoll_ctl", int epfd, int op, int fd, struct epoll_event* ev) {
  if (Active()) {
    bool handled = false;
    int r = EpollCtl(epfd, op, fd, ev, &handled);
    if (handled) return r;
  }
  return Real().epoll_ctl(epfd, op, fd, ev);
}
EXPORT(int, bpfd_epoll_wait, "epoll_wait", int epfd, struct epoll_event* ev, int max, int timeout) {
  if (!Active()) return Real().epoll_wait(epfd, ev, max, timeout);
  MirrorSync sync;
  bool handled = false;
  int r = EpollWait(epfd, ev, max, timeout, nullptr, &handled);
  return handled ? r : Real().epoll_wait(epfd, ev, max, timeout);
}
EXPORT(int, bpfd_epoll_pwait, "epoll_pwait", int epfd, struct epoll_event* ev, int max, int timeout,
       const sigset_t* mask) {
  if (!Active()) return Real().epoll_pwait(epfd, ev, max, timeout, mask);
  MirrorSync sync;
  bool handled = false;
  int r = EpollWait(epfd, ev, max, timeout, mask, &handled);
  return handled ? r : Real().epoll_pwait(epfd, ev, max, timeout, mask);
}

// --- sleeps: the tool reads mapped globals (.bss) after them ------------------------------
EXPORT(unsigned, bpfd_sleep, "sleep", unsigned s) {
  MirrorSync sync;
  return Real().sleep(s);
}
EXPORT(int, bpfd_usleep, "usleep", useconds_t us) {
  MirrorSync sync;
  return Real().usleep(us);
}
EXPORT(int, bpfd_nanosleep, "nanosleep", const struct timespec* req, struct timespec* rem) {
  MirrorSync sync;
  return Real().nanosleep(req, rem);
}
EXPORT(int, bpfd_clock_nanosleep, "clock_nanosleep", clockid_t clock, int flags,
       const struct timespec* req, struct timespec* rem) {
  MirrorSync sync;
  return Real().clock_nanosleep(clock, flags, req, rem);
}

// --- paths: stat, access, readlink, statfs ----------------------------------------------
EXPORT(int, bpfd_stat, "stat", const char* p, struct stat* st) {
  return StatAt(AT_FDCWD, p, st, 0);
}
EXPORT(int, bpfd_stat64, "stat64", const char* p, struct stat* st) {
  return StatAt(AT_FDCWD, p, st, 0);
}
EXPORT(int, bpfd_lstat, "lstat", const char* p, struct stat* st) {
  return StatAt(AT_FDCWD, p, st, AT_SYMLINK_NOFOLLOW);
}
EXPORT(int, bpfd_lstat64, "lstat64", const char* p, struct stat* st) {
  return StatAt(AT_FDCWD, p, st, AT_SYMLINK_NOFOLLOW);
}
EXPORT(int, bpfd_fstatat, "fstatat", int d, const char* p, struct stat* st, int f) {
  return StatAt(d, p, st, f);
}
EXPORT(int, bpfd_fstatat64, "fstatat64", int d, const char* p, struct stat* st, int f) {
  return StatAt(d, p, st, f);
}
// glibc < 2.33 entry points.
EXPORT(int, bpfd_xstat, "__xstat", int, const char* p, struct stat* st) {
  return StatAt(AT_FDCWD, p, st, 0);
}
EXPORT(int, bpfd_xstat64, "__xstat64", int, const char* p, struct stat* st) {
  return StatAt(AT_FDCWD, p, st, 0);
}
EXPORT(int, bpfd_lxstat, "__lxstat", int, const char* p, struct stat* st) {
  return StatAt(AT_FDCWD, p, st, AT_SYMLINK_NOFOLLOW);
}
EXPORT(int, bpfd_lxstat64, "__lxstat64", int, const char* p, struct stat* st) {
  return StatAt(AT_FDCWD, p, st, AT_SYMLINK_NOFOLLOW);
}
EXPORT(int, bpfd_fxstatat, "__fxstatat", int, int d, const char* p, struct stat* st, int f) {
  return StatAt(d, p, st, f);
}
EXPORT(int, bpfd_fxstatat64, "__fxstatat64", int, int d, const char* p, struct stat* st, int f) {
  return StatAt(d, p, st, f);
}
EXPORT(int, bpfd_access, "access", const char* p, int mode) {
  return AccessAt(AT_FDCWD, p, mode, 0);
}
EXPORT(int, bpfd_faccessat, "faccessat", int d, const char* p, int mode, int flags) {
  return AccessAt(d, p, mode, flags);
}
EXPORT(ssize_t, bpfd_readlink, "readlink", const char* p, char* buf, size_t n) {
  return ReadlinkAt(AT_FDCWD, p, buf, n);
}
EXPORT(ssize_t, bpfd_readlink_chk, "__readlink_chk", const char* p, char* buf, size_t n, size_t) {
  return ReadlinkAt(AT_FDCWD, p, buf, n);
}
EXPORT(ssize_t, bpfd_readlinkat, "readlinkat", int d, const char* p, char* buf, size_t n) {
  return ReadlinkAt(d, p, buf, n);
}
EXPORT(int, bpfd_statfs, "statfs", const char* p, struct statfs* st) {
  std::string remote;
  if (RemotePath(AT_FDCWD, p, &remote)) return RemoteStatfs(remote, st);
  return Real().statfs(p, st);
}
EXPORT(int, bpfd_statfs64, "statfs64", const char* p, struct statfs* st) {
  std::string remote;
  if (RemotePath(AT_FDCWD, p, &remote)) return RemoteStatfs(remote, st);
  return Real().statfs(p, st);
}

// --- directories and stdio ----------------------------------------------------------------
EXPORT(DIR*, bpfd_opendir, "opendir", const char* p) {
  std::string remote;
  if (RemotePath(AT_FDCWD, p, &remote)) return RemoteOpendir(remote);
  return Real().opendir(p);
}
EXPORT(DIR*, bpfd_fdopendir, "fdopendir", int fd) {
  Obj* o = State::Get().Find(fd);
  if (o && o->kind == Kind::kDir) return RemoteFdopendir(fd);
  return Real().fdopendir(fd);
}
EXPORT(struct dirent*, bpfd_readdir, "readdir", DIR* d) {
  if (Active() && IsRemoteDir(d)) return RemoteReaddir(d);
  return Real().readdir(d);
}
EXPORT(struct dirent64*, bpfd_readdir64, "readdir64", DIR* d) {
  if (Active() && IsRemoteDir(d)) return RemoteReaddir64(d);
  return Real().readdir64(d);
}
EXPORT(int, bpfd_closedir, "closedir", DIR* d) {
  if (Active() && IsRemoteDir(d)) return RemoteClosedir(d);
  return Real().closedir(d);
}
EXPORT(void, bpfd_rewinddir, "rewinddir", DIR* d) {
  if (Active() && IsRemoteDir(d)) return RemoteRewinddir(d);
  Real().rewinddir(d);
}
EXPORT(FILE*, bpfd_fopen, "fopen", const char* p, const char* mode) {
  std::string remote;
  if (RemotePath(AT_FDCWD, p, &remote)) return RemoteFopen(remote, mode);
  return Real().fopen(p, mode);
}
EXPORT(FILE*, bpfd_fopen64, "fopen64", const char* p, const char* mode) {
  std::string remote;
  if (RemotePath(AT_FDCWD, p, &remote)) return RemoteFopen(remote, mode);
  return Real().fopen(p, mode);
}
