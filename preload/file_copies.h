// Local copies of files read whole from the target (FILE_READ), kept so that opening one
// again costs no transfer: the target's BTF for the whole run, /proc/kallsyms for 5 s, and
// regular files under /proc/PID/root/ — a traced process's binaries, which BCC's symbolizer
// opens two to five times per module — for as long as the target file's identity (dev, ino,
// size, mtime, ctime from FILE_STAT) is unchanged; processes sharing a library share one copy.
// Kept copies hold at most 512 MiB (oldest dropped first). Callers hold State's lock.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

namespace bpfd::preload {

// Whether copies of `path` are kept by identity (the caller then passes a FILE_STAT identity).
bool KeptByIdentity(const std::string& path);

// A new fd (O_RDONLY, offset 0, O_CLOEXEC as in `flags`) on the content of the target's
// `path`: a kept copy if valid, else what `fetch` returns (its ret: >= 0, or -errno, which
// is returned as is). `identity` is "" unless KeptByIdentity(path). Returns fd or -errno.
int OpenCopy(const std::string& path, const std::string& identity, int flags,
             const std::function<int64_t(std::string* content)>& fetch);

}  // namespace bpfd::preload
