// A target file's whole content for the library's copies (file_copies.h): FILE_READ, or for
// the large files that rarely change between runs (BTF, /proc/kallsyms, tracefs's function
// and event lists, config.gz) FILE_READ_CACHED against the host's store (core/client/
// file_cache.h), so a later run receives a digest instead of megabytes. A daemon without
// FILE_READ_CACHED gets FILE_READ for the rest of the run. Callers hold State's lock.
#pragma once
#include <cstdint>
#include <string>

#include "core/client/file_cache.h"

namespace bpfd::preload {

// The host's store ($BPFD_REMOTE_CACHE as the tool started), shared with SYS_BPF_CACHED.
FileCache& HostStore();

// The FILE_READ_CACHED line for `path`, naming the contents the store holds for it now.
std::string CachedReadLine(const std::string& path);

// Its ret (the size, >= 0) with *content filled, or -errno (the target's, or -EIO for a reply
// without its data line).
int64_t FetchWhole(const std::string& path, std::string* content);

}  // namespace bpfd::preload
