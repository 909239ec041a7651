// LineReader: buffered reader of '\n'-terminated lines of any length from a non-owned fd.
// Blocking waits use ppoll with an optional signal mask, so a signal can interrupt them.
#pragma once
#include <signal.h>

#include <cstddef>
#include <cstdint>
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

  // Caps lines at max_line bytes (0: no cap; LineBuffer::set_max_line).
  void SetMaxLine(size_t max_line) { buf_.set_max_line(max_line); }

  // Returns 1 with the next line in *line (without '\n' and one trailing '\r'; an
  // unterminated last line is returned at EOF), 0 at EOF, -EINTR when a signal interrupted
  // the wait, -E2BIG for a line over the cap (*line: its first bytes; overlong_seen(): how
  // many had arrived; the rest is dropped and reading goes on after it), or another -errno.
  int ReadLine(std::string* line);
  uint64_t overlong_seen() const { return overlong_seen_; }

  // True when ReadLine would return without waiting (a full or over-long line is buffered, or
  // EOF/error has been seen).
  bool Ready() const { return buf_.HasLine() || buf_.HasOverlong() || eof_ || error_ != 0; }

  // Performs at most one read() of what the fd has available now; call it after poll()
  // reported the fd readable. Returns bytes read, 0 at EOF, or -errno (-EAGAIN: nothing).
  int ReadAvailable();

  int fd() const { return fd_; }
  const sigset_t* wait_mask() const { return wait_mask_; }

 private:
  int fd_;
  const sigset_t* wait_mask_;
  LineBuffer buf_;
  uint64_t overlong_seen_ = 0;
  bool eof_ = false;
  int error_ = 0;
};

}  // namespace bpfd
