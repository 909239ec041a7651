#include "tests/fault/daemon_driver.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "core/base/clock.h"
#include "core/base/process.h"
#include "core/wire/base64.h"
#include "core/wire/framing.h"

namespace bpfd::fault {

bool LineConn::NextLine(std::string* line, int64_t deadline_ms) {
  for (;;) {
    size_t nl = buf_.find('\n');
    if (nl != std::string::npos) {
      line->assign(buf_, 0, nl);
      buf_.erase(0, nl + 1);
      return true;
    }
    if (eof_ || !r_) return false;
    pollfd p = {r_.get(), POLLIN, 0};
    int n = poll(&p, 1, PollTimeout(deadline_ms));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    char chunk[65536];
    ssize_t got = read(r_.get(), chunk, sizeof chunk);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got <= 0) {
      eof_ = true;
      continue;
    }
    buf_.append(chunk, static_cast<size_t>(got));
  }
}

bool LineConn::Answered() {
  if (!buf_.empty() || eof_) return true;
  pollfd p = {r_.get(), POLLIN, 0};
  return poll(&p, 1, 0) == 1;
}

bool LineConn::WaitLine(std::string_view prefix, int timeout_ms, std::string* out) {
  const int64_t deadline = Deadline(timeout_ms);
  std::string line;
  while (NextLine(&line, deadline)) {
    if (line.compare(0, prefix.size(), prefix) != 0) continue;
    if (out) *out = line;
    return true;
  }
  return false;
}

int LineConn::DrainReplies(int timeout_ms, std::vector<std::string>* first) {
  int n = 0;
  std::vector<std::string> lines;
  const int64_t deadline = Deadline(timeout_ms);
  while (Reply(&lines, PollTimeout(deadline))) {
    if (n++ == 0 && first) *first = lines;
  }
  return n;
}

int LineConn::Write(std::string_view data, int timeout_ms) {
  if (!w_) return -EBADF;
  const int64_t deadline = Deadline(timeout_ms);
  for (size_t off = 0; off < data.size();) {
    pollfd p = {w_.get(), POLLOUT, 0};
    int n = poll(&p, 1, PollTimeout(deadline));
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) return -ETIMEDOUT;
    if (n < 0) return -errno;
    ssize_t w = write(w_.get(), data.data() + off, data.size() - off);
    if (w < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (w < 0) return -errno;
    off += static_cast<size_t>(w);
  }
  return 0;
}

bool LineConn::Reply(std::vector<std::string>* lines, int timeout_ms) {
  const int64_t deadline = Deadline(timeout_ms);
  lines->clear();
  std::string line;
  bool in = false;
  while (NextLine(&line, deadline)) {
    if (line == kReplyStartLine) {
      in = true;
      lines->clear();
    } else if (line == kReplyEndLine && in) {
      return true;
    } else if (in) {
      lines->push_back(line);
    }
  }
  return false;
}

int64_t LineConn::Call(std::string_view line, std::vector<std::string>* rest, int timeout_ms) {
  std::vector<std::string> lines;
  if (Send(line, timeout_ms) < 0 || !Reply(&lines, timeout_ms) || lines.empty()) return kNoReply;
  int64_t ret;
  if (ParseRet(lines[0], &ret) < 0) return kNoReply;
  if (rest) rest->assign(lines.begin() + 1, lines.end());
  return ret;
}

Daemon::Daemon(const std::string& bpfd, const std::vector<std::string>& args,
               const std::string& err_path, bool banner)
    : err_path_(err_path) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) < 0) return;
  if (pipe2(out, O_CLOEXEC) < 0) {
    close(in[0]), close(in[1]);
    return;
  }
  UniqueFd child_in(in[0]), mine_w(in[1]), mine_r(out[0]), child_out(out[1]);
  UniqueFd err(open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  std::vector<std::string> argv = {bpfd};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_ = StartProcess(argv, child_in.get(), child_out.get(), err.get());
  if (pid_ <= 0) return;
  fcntl(mine_w.get(), F_SETFL, O_NONBLOCK);
  fcntl(mine_r.get(), F_SETFL, O_NONBLOCK);
  conn_ = LineConn(std::move(mine_r), std::move(mine_w));
  up_ = !banner || conn_.WaitLine(kBannerLine, 10000);
}

Daemon::~Daemon() {
  int status;
  if (pid_ > 0 && !Wait(0, &status)) {
    kill(pid_, SIGKILL);
    Wait(5000, &status);
  }
}

void Daemon::Signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

bool Daemon::Wait(int timeout_ms, int* status) {
  if (pid_ <= 0) return false;
  const int64_t deadline = Deadline(timeout_ms);
  for (;;) {
    pid_t w = waitpid(pid_, status, WNOHANG);
    if (w == pid_) {
      pid_ = -pid_;  // ended: remembered for messages, never signalled again
      return true;
    }
    if (w < 0 && errno != EINTR) return false;
    if (NowMs() >= deadline) return false;
    timespec ts = {0, 5 * 1000 * 1000};
    nanosleep(&ts, nullptr);
  }
}

int64_t Daemon::PeakRssKb() const {
  if (pid_ <= 0) return -1;
  std::ifstream f("/proc/" + std::to_string(pid_) + "/status");
  std::string key;
  int64_t kb;
  while (f >> key) {
    if (key == "VmHWM:" && f >> kb) return kb;
  }
  return -1;
}

std::string Daemon::Stderr() const {
  std::ifstream f(err_path_);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

std::string DescribeStatus(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("signal ") + strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

int ConnectUnix(const std::string& path, UniqueFd* out) {
  UniqueFd s(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) return -errno;
  sockaddr_un a = {};
  a.sun_family = AF_UNIX;
  if (path.size() >= sizeof a.sun_path) return -ENAMETOOLONG;
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  if (connect(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) return -errno;
  fcntl(s.get(), F_SETFL, O_NONBLOCK);
  *out = std::move(s);
  return 0;
}

std::string B64(std::string_view s) {
  std::string out;
  AppendData(reinterpret_cast<const uint8_t*>(s.data()), s.size(), &out);
  return out;
}

}  // namespace bpfd::fault
