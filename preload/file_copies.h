// Local copies of target files, so that reading one costs as little transfer as possible:
// - whole files (FILE_READ) kept by path: the target's BTF for the whole run, /proc/kallsyms
//   for 5 s; other small files are fetched at each open;
// - regular files under /proc/PID/root/ (a traced process's binaries, which BCC's symbolizer
//   opens two to five times per module) kept by identity — the target's dev, ino, size, mtime
//   and ctime from FILE_STAT — so processes sharing a library share one copy. From 256 KiB on
//   they are filled in 64 KiB pieces as the tool reads them (FILE_OPEN + FILE_PREAD: the
//   daemon's fd keeps the file readable after the process is gone); libelf reads a few KiB of
//   a multi-megabyte library.
// Kept copies hold at most 512 MiB (oldest dropped first; open fds keep theirs). Callers hold
// State's lock. Limit: a program the tool execs inherits a copy-in-pieces fd without the
// library's table, so it would read its holes; no BCC tool hands such fds to children.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "preload/state.h"

namespace bpfd::preload {

// A new fd (O_RDONLY, offset 0, O_CLOEXEC as in `flags`) on the content of the target's
// `path`: a kept copy if valid, else what `fetch` returns (its ret: >= 0, or -errno, which
// is returned as is). `identity` (files.cc's, for files under /proc/PID/root/; else "": kept
// by path) and `size` come from FILE_STAT; with an identity and from 256 KiB on, the copy is
// filled in pieces (a kLazyFile fd). Returns fd or -errno.
int OpenCopy(const std::string& path, const std::string& identity, uint64_t size, int flags,
             const std::function<int64_t(std::string* content)>& fetch);

// Before the tool reads [off, off + len) of a kLazyFile fd's copy (len UINT64_MAX: to the
// end; for mmap, stdio and anything else that reads behind the library's back): fetches the
// pieces it lacks. Returns 0 or -errno (the read must then fail, never see the copy's holes;
// one "bpfd-remote:" line names the file).
int FillCopy(FileCopy& c, uint64_t off, uint64_t len);

}  // namespace bpfd::preload
