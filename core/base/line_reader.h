// LineReader: buffered reader of '\n'-terminated lines of any length from a non-owned fd.
// Blocking waits use ppoll with an optional signal mask, so a signal can interrupt them.
#pragma once
#include <signal.h>

#include <cstddef>
#include <string>

#include "core/base/line_buffer.h"

namespace bpfd {

class LineReader {
 public:
  // `fd` is not owned. `wait_mask`, if set, is the signal mask installed while blocked (the
  // caller keeps its stop signals blocked otherwise, which makes the wait race-free).
  explicit LineReader(int fd, const sigset_t* wait_mask = nullptr)
      : fd_(fd), wait_mask_(wait_mask) {}
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Returns 1 with the next line in *line (without '\n' and one trailing '\r'; an
  // unterminated last line is returned at EOF), 0 at EOF, -EINTR when a signal interrupted
  // the wait, or another -errno.
  int ReadLine(std::string* line);

  // True when ReadLine would return without waiting (a full line is buffered, or EOF/error
  // has been seen).
  bool Ready() const { return buf_.HasLine() || eof_ || error_ != 0; }

  // Performs at most one read() of what the fd has available now; call it after poll()
  // reported the fd readable. Returns bytes read, 0 at EOF, or -errno (-EAGAIN: nothing).
  int ReadAvailable();

  int fd() const { return fd_; }
  const sigset_t* wait_mask() const { return wait_mask_; }

 private:
  int fd_;
  const sigset_t* wait_mask_;
  LineBuffer buf_;
  bool eof_ = false;
  int error_ = 0;
};

}  // namespace bpfd
