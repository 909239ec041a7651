#include "core/base/file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/unique_fd.h"

namespace bpfd {

bool IsSafePathComponent(std::string_view s) {
  if (s.empty() || s == "." || s == "..") return false;
  return s.find('/') == std::string_view::npos && s.find('\0') == std::string_view::npos;
}

int ReadFile(const std::string& path, std::string* out, size_t max_size) {
  out->clear();
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return -errno;
  return ReadFd(fd.get(), out, max_size);
}

int ReadFd(int fd, std::string* out, size_t max_size) {
  out->clear();
  struct stat st;
  size_t chunk = 64 * 1024;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    out->reserve(static_cast<size_t>(st.st_size) + 1);
  }
  for (;;) {
    size_t old = out->size();
    out->resize(old + chunk);
    ssize_t n = read(fd, out->data() + old, chunk);
    if (n < 0) {
      int err = errno;
      out->resize(old);
      if (err == EINTR) continue;
      out->clear();
      return -err;
    }
    out->resize(old + static_cast<size_t>(n));
    if (n == 0) break;
    if (out->size() > max_size) {
      out->clear();
      return -EFBIG;
    }
  }
  return 0;
}

int WriteFile(const std::string& path, std::string_view data, bool append) {
  int flags = O_WRONLY | O_CLOEXEC | (append ? O_APPEND : (O_CREAT | O_TRUNC));
  UniqueFd fd(open(path.c_str(), flags, 0644));
  if (!fd) return -errno;
  while (!data.empty()) {
    ssize_t n = write(fd.get(), data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (n == 0) return -EIO;
    data.remove_prefix(static_cast<size_t>(n));
  }
  if (close(fd.release()) != 0 && errno != EINTR) return -errno;
  return 0;
}

int WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        struct pollfd p = {fd, POLLOUT, 0};
        if (::poll(&p, 1, -1) < 0 && errno != EINTR) return -errno;
        continue;
      }
      return -errno;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

bool IsDir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

int MakeDirs(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i != path.size() && path[i] != '/') continue;
    std::string prefix = path.substr(0, i);
    if (mkdir(prefix.c_str(), 0755) < 0 && errno != EEXIST) return -errno;
  }
  return IsDir(path) ? 0 : -ENOTDIR;
}

int WriteNewFile(const std::string& path, std::string_view data) {
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd) return -errno;
  return WriteAll(fd.get(), data);
}

int ReplaceFile(const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  if (int r = WriteFile(tmp, data, false); r < 0) return r;
  if (rename(tmp.c_str(), path.c_str()) == 0) return 0;
  int e = errno;
  unlink(tmp.c_str());
  return -e;
}

}  // namespace bpfd
