// Whole-file I/O for /proc, sysfs and tracefs files (whose st_size may be 0) and path checks.
// Every function returns >= 0 on success, -errno on error.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace bpfd {

// Reads a whole file, including /proc and tracefs files whose st_size is 0 (read to EOF);
// -EFBIG when it holds more than max_size bytes.
int ReadFile(const std::string& path, std::string* out, size_t max_size = SIZE_MAX);
// The same from an open fd, from its current offset to EOF.
int ReadFd(int fd, std::string* out, size_t max_size = SIZE_MAX);

// Writes data with one write(2) per chunk (tracefs parses each write as a command).
// append=true opens O_APPEND without truncation (required for kprobe_events/uprobe_events,
// where O_TRUNC would delete every probe); append=false creates/truncates (mode 0644).
int WriteFile(const std::string& path, std::string_view data, bool append);

// True when s is usable as one path component (non-empty, not "."/"..", no '/', no NUL).
bool IsSafePathComponent(std::string_view s);

// Writes all of data to fd (short writes, EINTR, EAGAIN handled). 0 or -errno.
int WriteAll(int fd, std::string_view data);

// True when path is a directory (following symlinks).
bool IsDir(const std::string& path);
// mkdir -p (mode 0755): 0, -ENOTDIR when path exists as something else, or -errno.
int MakeDirs(const std::string& path);
// Creates path (O_EXCL, mode 0644) holding data: 0, -EEXIST, or -errno.
int WriteNewFile(const std::string& path, std::string_view data);

// Writes data beside path, then renames it over path: a reader sees all of it or nothing.
// 0 or -errno.
int ReplaceFile(const std::string& path, std::string_view data);

}  // namespace bpfd
