#include "core/wire/reply.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

namespace bpfd {

void Reply::Clear() {
  if (buf_.capacity() > kKeepCapacity) std::string().swap(buf_);  // give a huge reply back
  buf_.clear();
  buf_.append(kHeader);
}

void Reply::Line(std::string_view s) {
  buf_.append(s);
  buf_.push_back('\n');
}

void Reply::Ret(std::string_view fn, int64_t value) {
  char num[24];
  auto res = std::to_chars(num, num + sizeof(num), value);
  buf_.append(fn);
  buf_.append(": ret=");
  buf_.append(num, res.ptr);
  buf_.push_back('\n');
}

void Reply::Text(std::string_view text) {
  if (text.empty()) return;
  buf_.append(text);
  if (text.back() != '\n') buf_.push_back('\n');
}

int Reply::Flush(int fd) {
  buf_.append("END_BPFD_OUTPUT\n");
  int r = WriteAll(fd, buf_);
  Clear();
  return r;
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

}  // namespace bpfd
