// BoundedWriter: writes to a non-owned fd whose reader may stop reading, without ever waiting
// unboundedly: every wait is a ppoll with a deadline (reset by progress) and an optional signal
// mask, so a stop signal blocked elsewhere interrupts it. A socket is written with MSG_DONTWAIT,
// a blocking pipe is made O_NONBLOCK for the writer's lifetime (restored after), a regular file
// is written plainly, anything else (a tty) a pipe-buffer at a time after POLLOUT.
#pragma once
#include <signal.h>

#include <string_view>

namespace bpfd {

class BoundedWriter {
 public:
  // idle_ms: longest wait without the reader taking a byte (negative: no limit). wait_mask, if
  // set, is the signal mask installed while waiting (see LineReader).
  BoundedWriter(int fd, int idle_ms, const sigset_t* wait_mask);
  ~BoundedWriter();
  BoundedWriter(const BoundedWriter&) = delete;
  BoundedWriter& operator=(const BoundedWriter&) = delete;

  // Writes all of data: 0; -ETIMEDOUT when the reader took nothing for idle_ms; -EINTR when a
  // signal came during a wait; or write(2)'s -errno (-EPIPE: the reader went away).
  int Write(std::string_view data);

  int idle_ms() const { return idle_ms_; }

 private:
  enum class Mode { kSocket, kNonBlocking, kPlain, kPolled };
  int fd_;
  int idle_ms_;
  const sigset_t* wait_mask_;
  Mode mode_ = Mode::kPlain;
  int restore_flags_ = -1;  // the fd's status flags to put back, when we changed them
};

}  // namespace bpfd
