#include "core/base/line_reader.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace bpfd {
namespace {
constexpr size_t kMinRead = 64 * 1024;
constexpr size_t kKeepSize = 4u << 20;
constexpr size_t kMaxRead = 16u << 20;  // keeps read()'s result well inside an int
}  // namespace

void LineReader::ScanForNewline() {
  if (has_line_) return;
  const void* nl = scan_ < len_ ? std::memchr(buf_.data() + scan_, '\n', len_ - scan_) : nullptr;
  if (nl) {
    has_line_ = true;
    scan_ = static_cast<const char*>(nl) - buf_.data();
  } else {
    scan_ = len_;
  }
}

void LineReader::Compact() {
  if (start_ == 0) return;
  if (start_ == len_) {
    start_ = len_ = scan_ = 0;
    if (buf_.size() > kKeepSize) std::string().swap(buf_);  // after a huge line
    return;
  }
  // Move the tail down only when the consumed prefix dominates: amortised linear.
  if (start_ < kMinRead && start_ * 2 < len_) return;
  std::memmove(buf_.data(), buf_.data() + start_, len_ - start_);
  len_ -= start_;
  scan_ -= start_;
  start_ = 0;
}

int LineReader::ReadAvailable() {
  if (eof_) return 0;
  if (error_) return error_;
  Compact();
  size_t want = len_ - start_ < kMinRead ? kMinRead : len_ - start_;  // grow geometrically
  if (buf_.size() < len_ + want) buf_.resize(len_ + want);
  ssize_t n;
  do {
    n = ::read(fd_, buf_.data() + len_, std::min(buf_.size() - len_, kMaxRead));
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
  len_ += static_cast<size_t>(n);
  ScanForNewline();
  return static_cast<int>(n);
}

int LineReader::ReadLine(std::string* line) {
  while (!has_line_) {
    if (eof_) {
      if (start_ == len_) return 0;
      line->assign(buf_.data() + start_, len_ - start_);  // unterminated last line
      start_ = len_ = scan_ = 0;
      if (!line->empty() && line->back() == '\r') line->pop_back();
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
  size_t end = scan_;  // position of '\n'
  size_t n = end - start_;
  if (n > 0 && buf_[end - 1] == '\r') --n;
  line->assign(buf_.data() + start_, n);
  start_ = end + 1;
  scan_ = start_;
  has_line_ = false;
  ScanForNewline();
  Compact();
  return 1;
}

}  // namespace bpfd
