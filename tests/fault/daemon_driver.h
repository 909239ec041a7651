// The fault-injection suite's view of a daemon: a bpfd process started with pipes on its
// stdin/stdout (or a socket connection to a listener), driven line by line with deadlines, and
// observed from outside as a client would (replies, exit status, peak memory).
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/unique_fd.h"

namespace bpfd::fault {

// No "ret=" in a reply (timeout, EOF, a malformed reply).
inline constexpr int64_t kNoReply = INT64_MIN;

// One protocol stream: lines out, replies (START_BPFD_OUTPUT … END_BPFD_OUTPUT) in.
class LineConn {
 public:
  LineConn() = default;
  LineConn(UniqueFd rfd, UniqueFd wfd) : r_(std::move(rfd)), w_(std::move(wfd)) {}
  // Waits up to timeout_ms for a line starting with `prefix` (the banner, LISTENING): true if
  // it came; *line (if set) gets it.
  bool WaitLine(std::string_view prefix, int timeout_ms, std::string* line = nullptr);
  // Writes bytes within timeout_ms: 0, or -errno (-ETIMEDOUT: the peer does not read).
  int Write(std::string_view data, int timeout_ms = 10000);
  int Send(std::string_view line, int timeout_ms = 10000) {
    return Write(std::string(line) + "\n", timeout_ms);
  }
  // Reads and counts replies until EOF or timeout_ms: the number of replies; *first gets the
  // first one's lines.
  int DrainReplies(int timeout_ms, std::vector<std::string>* first);
  // The next reply's lines (without the frame); false on timeout or EOF.
  bool Reply(std::vector<std::string>* lines, int timeout_ms = 10000);
  // Send + Reply: the reply's ret= (kNoReply if none); *rest gets the lines after the first.
  int64_t Call(std::string_view line, std::vector<std::string>* rest = nullptr,
               int timeout_ms = 10000);
  // True when a reply (or EOF) has begun to arrive: the last command did not block.
  bool Answered();
  void CloseInput() { w_.reset(); }
  int rfd() const { return r_.get(); }
  int wfd() const { return w_.get(); }

 private:
  bool NextLine(std::string* line, int64_t deadline_ms);
  UniqueFd r_, w_;
  std::string buf_;
  bool eof_ = false;
};

// A `bpfd` process (daemon or listener mode). The destructor SIGKILLs and reaps it if it runs.
class Daemon {
 public:
  // Starts `bpfd ARGS…` with stderr to err_path. With `banner`, waits up to 10 s for
  // STARTED_BPFD; ok() says whether the daemon is up.
  Daemon(const std::string& bpfd, const std::vector<std::string>& args, const std::string& err_path,
         bool banner = true);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  bool ok() const { return pid_ > 0 && up_; }
  pid_t pid() const { return pid_; }
  LineConn& conn() { return conn_; }
  int64_t Call(std::string_view line, std::vector<std::string>* rest = nullptr,
               int timeout_ms = 10000) {
    return conn_.Call(line, rest, timeout_ms);
  }
  void Signal(int sig);
  // Waits up to timeout_ms for the process to end: true with its wait status in *status.
  bool Wait(int timeout_ms, int* status);
  // The process's peak resident set (VmHWM) in KiB; -1 once it has ended.
  int64_t PeakRssKb() const;
  std::string Stderr() const;

 private:
  pid_t pid_ = -1;
  bool up_ = false;
  LineConn conn_;
  std::string err_path_;
};

// "exit N", "signal N" or "running": for messages.
std::string DescribeStatus(int status);

// A connection to a listening unix socket (the listener's own banner or handshake follows).
int ConnectUnix(const std::string& path, UniqueFd* out);

// Base64 of a string (a path or data token).
std::string B64(std::string_view s);

}  // namespace bpfd::fault
