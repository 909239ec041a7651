#include "core/base/bounded_write.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "core/base/clock.h"

namespace bpfd {

BoundedWriter::BoundedWriter(int fd, int idle_ms, const sigset_t* wait_mask)
    : fd_(fd), idle_ms_(idle_ms), wait_mask_(wait_mask) {
  struct stat st;
  int flags = fcntl(fd, F_GETFL);
  if (fstat(fd, &st) != 0 || flags < 0) return;  // writes then fail with the fd's error
  if (S_ISSOCK(st.st_mode)) {
    mode_ = Mode::kSocket;
  } else if (flags & O_NONBLOCK) {
    mode_ = Mode::kNonBlocking;
  } else if (S_ISFIFO(st.st_mode) && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0) {
    mode_ = Mode::kNonBlocking;
    restore_flags_ = flags;
  } else if (!S_ISREG(st.st_mode)) {
    mode_ = Mode::kPolled;
  }
}

BoundedWriter::~BoundedWriter() {
  if (restore_flags_ >= 0) fcntl(fd_, F_SETFL, restore_flags_);
}

int BoundedWriter::Write(std::string_view data) {
  int64_t deadline = Deadline(idle_ms_);
  bool wait = mode_ == Mode::kPolled;  // kPolled: never write before POLLOUT
  while (!data.empty()) {
    if (wait) {
      struct pollfd p = {fd_, POLLOUT, 0};
      int left = PollTimeout(deadline);
      timespec ts{left / 1000, static_cast<long>(left % 1000) * 1000000};
      int r = ::ppoll(&p, 1, left < 0 ? nullptr : &ts, wait_mask_);
      if (r < 0 && errno == EINTR) return -EINTR;
      if (r < 0) return -errno;
      if (r == 0) return -ETIMEDOUT;
    }
    ssize_t n;
    if (mode_ == Mode::kSocket)
      n = ::send(fd_, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    else
      n = ::write(fd_, data.data(),
                  mode_ == Mode::kPolled ? std::min<size_t>(data.size(), PIPE_BUF) : data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -errno;
      wait = true;
      continue;
    }
    data.remove_prefix(static_cast<size_t>(n));
    deadline = Deadline(idle_ms_);  // progress: the reader is alive
    wait = mode_ == Mode::kPolled;
  }
  return 0;
}

}  // namespace bpfd
