// Reads of target files the library copies in pieces (file_copies.h): before the real read,
// the pieces it covers are fetched; a fetch that fails fails the read (EIO or the target's
// errno), never shows the copy's holes. Calls that read behind an offset the library can
// see (vectors, sendfile, splice, copy_file_range, stdio through fdopen) complete the copy
// first. A stream (streams.h) is read with FILE_STREAM. For every other fd: one table load,
// then libc.
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "preload/export.h"
#include "preload/file_copies.h"
#include "preload/real.h"
#include "preload/state.h"
#include "preload/streams.h"

using namespace bpfd::preload;

extern "C" [[noreturn]] void __chk_fail(void);

namespace {

Obj* Lazy(int fd) {
  Obj* o = State::Get().Find(fd);
  return o && o->kind == Kind::kLazyFile ? o : nullptr;
}

// True when fd's pieces [off, off + len) are there (or fd is not a copy); else errno is set.
bool Ready(int fd, uint64_t off, uint64_t len) {
  Obj* o = Lazy(fd);
  if (!o) return true;
  auto lock = State::Get().Lock();
  int r = FillCopy(*o->copy, off, len);
  if (r < 0) errno = -r;
  return r >= 0;
}

bool ReadyAll(int fd) { return Ready(fd, 0, UINT64_MAX); }

ssize_t Read(int fd, void* buf, size_t n) {
  Obj* o = State::Get().Find(fd);
  if (o && o->kind == Kind::kStream) return StreamRead(*o, fd, buf, n);
  if (o && o->kind == Kind::kLazyFile) {  // read() reads at the file offset
    off_t at = lseek(fd, 0, SEEK_CUR);
    if (at >= 0 && !Ready(fd, static_cast<uint64_t>(at), n)) return -1;
  }
  return Real().read(fd, buf, n);
}

ssize_t Pread(int fd, void* buf, size_t n, off_t off) {
  if (off >= 0 && !Ready(fd, static_cast<uint64_t>(off), n)) return -1;
  return Real().pread(fd, buf, n, off);
}

}  // namespace

EXPORT(ssize_t, bpfd_read, "read", int fd, void* buf, size_t n) { return Read(fd, buf, n); }
EXPORT(ssize_t, bpfd_read_chk, "__read_chk", int fd, void* buf, size_t n, size_t buflen) {
  if (n > buflen) __chk_fail();
  return Read(fd, buf, n);
}
EXPORT(ssize_t, bpfd_pread, "pread", int fd, void* buf, size_t n, off_t off) {
  return Pread(fd, buf, n, off);
}
EXPORT(ssize_t, bpfd_pread64, "pread64", int fd, void* buf, size_t n, off_t off) {
  return Pread(fd, buf, n, off);
}
EXPORT(ssize_t, bpfd_pread_chk, "__pread_chk", int fd, void* buf, size_t n, off_t off,
       size_t buflen) {
  if (n > buflen) __chk_fail();
  return Pread(fd, buf, n, off);
}
EXPORT(ssize_t, bpfd_pread64_chk, "__pread64_chk", int fd, void* buf, size_t n, off_t off,
       size_t buflen) {
  if (n > buflen) __chk_fail();
  return Pread(fd, buf, n, off);
}

EXPORT(ssize_t, bpfd_readv, "readv", int fd, const struct iovec* iov, int n) {
  return ReadyAll(fd) ? Real().readv(fd, iov, n) : -1;
}
EXPORT(ssize_t, bpfd_preadv, "preadv", int fd, const struct iovec* iov, int n, off_t off) {
  return ReadyAll(fd) ? Real().preadv(fd, iov, n, off) : -1;
}
EXPORT(ssize_t, bpfd_preadv64, "preadv64", int fd, const struct iovec* iov, int n, off_t off) {
  return ReadyAll(fd) ? Real().preadv(fd, iov, n, off) : -1;
}
EXPORT(ssize_t, bpfd_preadv2, "preadv2", int fd, const struct iovec* iov, int n, off_t off,
       int flags) {
  return ReadyAll(fd) ? Real().preadv2(fd, iov, n, off, flags) : -1;
}
EXPORT(ssize_t, bpfd_preadv64v2, "preadv64v2", int fd, const struct iovec* iov, int n, off_t off,
       int flags) {
  return ReadyAll(fd) ? Real().preadv2(fd, iov, n, off, flags) : -1;
}
EXPORT(ssize_t, bpfd_sendfile, "sendfile", int out, int in, off_t* off, size_t n) {
  return ReadyAll(in) ? Real().sendfile(out, in, off, n) : -1;
}
EXPORT(ssize_t, bpfd_sendfile64, "sendfile64", int out, int in, off_t* off, size_t n) {
  return ReadyAll(in) ? Real().sendfile(out, in, off, n) : -1;
}
EXPORT(ssize_t, bpfd_copy_file_range, "copy_file_range", int in, off_t* in_off, int out,
       off_t* out_off, size_t n, unsigned flags) {
  return ReadyAll(in) ? Real().copy_file_range(in, in_off, out, out_off, n, flags) : -1;
}
EXPORT(ssize_t, bpfd_splice, "splice", int in, off_t* in_off, int out, off_t* out_off, size_t n,
       unsigned flags) {
  return ReadyAll(in) ? Real().splice(in, in_off, out, out_off, n, flags) : -1;
}
EXPORT(FILE*, bpfd_fdopen, "fdopen", int fd, const char* mode) {
  return ReadyAll(fd) ? Real().fdopen(fd, mode) : nullptr;
}
