#include "preload/real.h"

#include <dlfcn.h>

#include <atomic>

namespace bpfd::preload {
namespace {

// glibc before 2.33 exports stat as __xstat64(version, …) only.
using XstatFn = int (*)(int, const char*, struct stat*);
using FxstatatFn = int (*)(int, int, const char*, struct stat*, int);
XstatFn g_xstat = nullptr;
XstatFn g_lxstat = nullptr;
FxstatatFn g_fxstatat = nullptr;
int OldStat(const char* p, struct stat* st) { return g_xstat(1, p, st); }
int OldLstat(const char* p, struct stat* st) { return g_lxstat(1, p, st); }
int OldFstatat(int d, const char* p, struct stat* st, int f) { return g_fxstatat(1, d, p, st, f); }

template <typename F>
void Resolve(F** fn, const char* name) {
  *fn = reinterpret_cast<F*>(dlsym(RTLD_NEXT, name));
}

RealFns Load() {
  RealFns r{};
  Resolve(&r.syscall, "syscall");
  Resolve(&r.open, "open64");
  Resolve(&r.openat, "openat64");
  Resolve(&r.close, "close");
  Resolve(&r.dup, "dup");
  Resolve(&r.dup2, "dup2");
  Resolve(&r.dup3, "dup3");
  Resolve(&r.fcntl, "fcntl64");
  if (!r.fcntl) Resolve(&r.fcntl, "fcntl");
  Resolve(&r.ioctl, "ioctl");
  Resolve(&r.write, "write");
  Resolve(&r.read, "read");
  Resolve(&r.pread, "pread64");
  Resolve(&r.readv, "readv");
  Resolve(&r.preadv, "preadv64");
  Resolve(&r.preadv2, "preadv64v2");
  Resolve(&r.sendfile, "sendfile64");
  Resolve(&r.copy_file_range, "copy_file_range");
  Resolve(&r.splice, "splice");
  Resolve(&r.fdopen, "fdopen");
  Resolve(&r.mmap, "mmap64");
  Resolve(&r.munmap, "munmap");
  Resolve(&r.poll, "poll");
  Resolve(&r.ppoll, "ppoll");
  Resolve(&r.epoll_ctl, "epoll_ctl");
  Resolve(&r.epoll_wait, "epoll_wait");
  Resolve(&r.epoll_pwait, "epoll_pwait");
  Resolve(&r.stat, "stat64");
  Resolve(&r.lstat, "lstat64");
  Resolve(&r.fstatat, "fstatat64");
  if (!r.stat) {
    Resolve(&g_xstat, "__xstat64");
    Resolve(&g_lxstat, "__lxstat64");
    Resolve(&g_fxstatat, "__fxstatat64");
    r.stat = OldStat;
    r.lstat = OldLstat;
    r.fstatat = OldFstatat;
  }
  Resolve(&r.access, "access");
  Resolve(&r.faccessat, "faccessat");
  Resolve(&r.readlink, "readlink");
  Resolve(&r.readlinkat, "readlinkat");
  Resolve(&r.statfs, "statfs64");
  Resolve(&r.opendir, "opendir");
  Resolve(&r.fdopendir, "fdopendir");
  Resolve(&r.readdir, "readdir");
  Resolve(&r.readdir64, "readdir64");
  Resolve(&r.closedir, "closedir");
  Resolve(&r.rewinddir, "rewinddir");
  Resolve(&r.dirfd, "dirfd");
  Resolve(&r.fopen, "fopen64");
  Resolve(&r.uname, "uname");
  Resolve(&r.prlimit, "prlimit64");
  Resolve(&r.sleep, "sleep");
  Resolve(&r.usleep, "usleep");
  Resolve(&r.nanosleep, "nanosleep");
  Resolve(&r.clock_nanosleep, "clock_nanosleep");
  return r;
}

}  // namespace

// Not a function-local static (its guard calls syscall(), which we wrap).
static std::atomic<RealFns*> g_real{nullptr};

const RealFns& Real() {
  RealFns* r = g_real.load(std::memory_order_acquire);
  if (r) return *r;
  RealFns* fresh = new RealFns(Load());
  if (g_real.compare_exchange_strong(r, fresh, std::memory_order_acq_rel)) return *fresh;
  delete fresh;
  return *r;
}

}  // namespace bpfd::preload
