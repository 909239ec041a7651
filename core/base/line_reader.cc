#include "core/base/line_reader.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace bpfd {
namespace {
constexpr size_t kMinRead = 64 * 1024;
constexpr size_t kMaxRead = 16u << 20;  // keeps read()'s result well inside an int
}  // namespace

int LineReader::ReadAvailable() {
  if (eof_) return 0;
  if (error_) return error_;
  std::span<char> space = buf_.Space(kMinRead);
  ssize_t n;
  do {
    n = ::read(fd_, space.data(), std::min(space.size(), kMaxRead));
  } while (n < 0 && errno == EINTR && !wait_mask_);
  if (n < 0) {
    int e = -errno;
    if (e != -EAGAIN && e != -EWOULDBLOCK && e != -EINTR) error_ = e;
    return e;
  }
  if (n == 0) {
    eof_ = true;
    return 0;
  }
  buf_.Commit(static_cast<size_t>(n));
  return static_cast<int>(n);
}

int LineReader::ReadLine(std::string* line) {
  std::string_view next;
  while (true) {
    // An over-long line comes before the lines after it (NextLine may find it, too).
    if (buf_.TakeOverlong(line, &overlong_seen_)) return -E2BIG;
    if (buf_.NextLine(&next)) break;
    if (buf_.HasOverlong()) continue;
    if (eof_) {
      if (buf_.empty()) return 0;
      line->assign(buf_.TakeRest());  // unterminated last line
      return 1;
    }
    if (error_) return error_;
    if (wait_mask_) {
      struct pollfd p = {fd_, POLLIN, 0};
      int r = ::ppoll(&p, 1, nullptr, wait_mask_);
      if (r < 0) {
        if (errno == EINTR) return -EINTR;
        return -errno;
      }
    }
    int r = ReadAvailable();
    if (r == -EINTR) return -EINTR;
    if (r < 0 && r != -EAGAIN && r != -EWOULDBLOCK) return r;
    if (r == -EAGAIN || r == -EWOULDBLOCK) {
      // Non-blocking fd without a wait mask: wait for it plainly.
      struct pollfd p = {fd_, POLLIN, 0};
      if (::poll(&p, 1, -1) < 0 && errno != EINTR) return -errno;
    }
  }
  line->assign(next);
  return 1;
}

}  // namespace bpfd
