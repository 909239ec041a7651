// The libc functions the library interposes, as the next object in the lookup order defines
// them (dlsym RTLD_NEXT, resolved once). The library's own I/O must go through these.
#pragma once
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

namespace bpfd::preload {

struct RealFns {
  long (*syscall)(long, long, long, long, long, long, long);
  int (*open)(const char*, int, ...);
  int (*openat)(int, const char*, int, ...);
  int (*close)(int);
  int (*dup)(int);
  int (*dup2)(int, int);
  int (*dup3)(int, int, int);
  int (*fcntl)(int, int, ...);
  int (*ioctl)(int, unsigned long, ...);
  ssize_t (*write)(int, const void*, size_t);
  ssize_t (*read)(int, void*, size_t);
  ssize_t (*pread)(int, void*, size_t, off_t);
  ssize_t (*readv)(int, const struct iovec*, int);
  ssize_t (*preadv)(int, const struct iovec*, int, off_t);
  ssize_t (*preadv2)(int, const struct iovec*, int, off_t, int);
  ssize_t (*sendfile)(int, int, off_t*, size_t);
  ssize_t (*copy_file_range)(int, off_t*, int, off_t*, size_t, unsigned);
  ssize_t (*splice)(int, off_t*, int, off_t*, size_t, unsigned);
  FILE* (*fdopen)(int, const char*);
  void* (*mmap)(void*, size_t, int, int, int, off_t);
  int (*munmap)(void*, size_t);
  int (*poll)(struct pollfd*, nfds_t, int);
  int (*ppoll)(struct pollfd*, nfds_t, const struct timespec*, const sigset_t*);
  int (*epoll_ctl)(int, int, int, struct epoll_event*);
  int (*epoll_wait)(int, struct epoll_event*, int, int);
  int (*epoll_pwait)(int, struct epoll_event*, int, int, const sigset_t*);
  int (*stat)(const char*, struct stat*);
  int (*lstat)(const char*, struct stat*);
  int (*fstatat)(int, const char*, struct stat*, int);
  int (*access)(const char*, int);
  int (*faccessat)(int, const char*, int, int);
  ssize_t (*readlink)(const char*, char*, size_t);
  ssize_t (*readlinkat)(int, const char*, char*, size_t);
  int (*statfs)(const char*, struct statfs*);
  DIR* (*opendir)(const char*);
  DIR* (*fdopendir)(int);
  struct dirent* (*readdir)(DIR*);
  struct dirent64* (*readdir64)(DIR*);
  int (*closedir)(DIR*);
  void (*rewinddir)(DIR*);
  int (*dirfd)(DIR*);
  FILE* (*fopen)(const char*, const char*);
  int (*uname)(struct utsname*);
  int (*prlimit)(pid_t, int, const struct rlimit*, struct rlimit*);  // getrlimit/setrlimit too
  unsigned (*sleep)(unsigned);
  int (*usleep)(useconds_t);
  int (*nanosleep)(const struct timespec*, struct timespec*);
  int (*clock_nanosleep)(clockid_t, int, const struct timespec*, struct timespec*);
};

// Resolved on first use (thread-safe); never null for functions glibc has.
const RealFns& Real();

}  // namespace bpfd::preload
