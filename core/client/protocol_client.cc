// ProtocolClient; see client.h.
#include "core/client/protocol_client.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>

#include "core/base/clock.h"
#include "core/base/process.h"
#include "core/wire/deflated_reply.h"

namespace bpfd {
namespace {

constexpr size_t kMinRead = 64 * 1024;  // free space guaranteed before each read()

int SetNonBlocking(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return -errno;
  return 0;
}

// Writing to a pipe whose reader is gone raises SIGPIPE, which would kill the host. While one
// of these lives, SIGPIPE is blocked in this thread; Consume() discards a SIGPIPE our own write
// raised (never one that was already pending for someone else).
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
    if (sigismember(&old_, SIGPIPE)) {  // blocked already: it may be pending from elsewhere
      sigset_t pending;
      sigemptyset(&pending);
      sigpending(&pending);
      was_pending_ = sigismember(&pending, SIGPIPE);
    }
  }
  ~SigpipeGuard() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  void Consume() {
    if (was_pending_) return;
    timespec zero{};
    while (sigtimedwait(&set_, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }

 private:
  sigset_t set_, old_;
  bool was_pending_ = false;
};

}  // namespace

ProtocolClient::~ProtocolClient() {
  if (pid_ >= 0 || from_child_) Close(kSessionCleanupMs);
}

int ProtocolClient::Spawn(const std::vector<std::string>& argv, SpawnOptions opts) {
  if (pid_ >= 0) return -EBUSY;
  int in[2], out[2];  // the child's stdin and stdout
  if (pipe2(in, O_CLOEXEC) < 0) return -errno;
  UniqueFd in_r(in[0]), in_w(in[1]);
  if (pipe2(out, O_CLOEXEC) < 0) return -errno;
  UniqueFd out_r(out[0]), out_w(out[1]);
  StartOptions so;
  so.in_fd = in_r.get();
  so.out_fd = out_w.get();
  so.err_fd = opts.stderr_fd;
  so.new_session = opts.new_session;
  pid_t pid = StartProcess(argv, so);
  if (pid < 0) return pid;
  pid_ = pid;
  int r = Reset(std::move(in_w), std::move(out_r));
  if (r < 0) {
    Close(0);
    return r;
  }
  return 0;
}

int ProtocolClient::Attach(UniqueFd fd) {
  if (pid_ >= 0 || from_child_) return -EBUSY;
  if (!fd) return -EBADF;
  UniqueFd wr(fcntl(fd.get(), F_DUPFD_CLOEXEC, 3));
  if (!wr) return -errno;
  int r = Reset(std::move(wr), std::move(fd));
  if (r < 0) Close(0);
  return r;
}

int ProtocolClient::AttachPair(UniqueFd to_peer, UniqueFd from_peer) {
  if (pid_ >= 0 || from_child_) return -EBUSY;
  if (!to_peer || !from_peer) return -EBADF;
  int r = Reset(std::move(to_peer), std::move(from_peer));
  if (r < 0) Close(0);
  return r;
}

int ProtocolClient::Reset(UniqueFd to_peer, UniqueFd from_peer) {
  to_child_ = std::move(to_peer);
  from_child_ = std::move(from_peer);
  lines_.Clear();
  eof_ = false;
  unfinished_ = asked_ = 0;
  in_reply_ = false;
  int r = SetNonBlocking(to_child_.get());
  return r < 0 ? r : SetNonBlocking(from_child_.get());
}

int ProtocolClient::ReleaseFds(UniqueFd* read_fd, UniqueFd* write_fd) {
  if (!from_child_ || !to_child_) return -ENOTCONN;
  if (!lines_.empty() || unfinished_ > 0) return -EBUSY;
  for (const UniqueFd* fd : {&from_child_, &to_child_}) {
    int fl = fcntl(fd->get(), F_GETFL);
    if (fl < 0 || fcntl(fd->get(), F_SETFL, fl & ~O_NONBLOCK) < 0) return -errno;
  }
  *read_fd = std::move(from_child_);
  *write_fd = std::move(to_child_);
  lines_.Clear();
  return 0;
}

int ProtocolClient::Fill(int64_t deadline_ms) {
  if (eof_) return -ECONNRESET;
  if (!from_child_) return -ENOTCONN;
  std::span<char> space = lines_.Space(kMinRead);
  while (true) {
    pollfd p = {from_child_.get(), POLLIN, 0};
    int pr = poll(&p, 1, PollTimeout(deadline_ms));
    if (pr < 0) {
      if (errno == EINTR) {
        interrupted_ = true;
        continue;
      }
      return -errno;
    }
    if (pr == 0) return -ETIMEDOUT;
    ssize_t n = read(from_child_.get(), space.data(), space.size());
    if (n > 0) {
      lines_.Commit(static_cast<size_t>(n));
      return 0;
    }
    if (n == 0) {
      eof_ = true;
      return -ECONNRESET;
    }
    if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
    return -errno;
  }
}

int ProtocolClient::NextLine(int64_t deadline_ms, std::string_view* line) {
  while (!lines_.NextLine(line)) {
    int r = Fill(deadline_ms);
    if (r < 0) return r;
  }
  return 0;
}

int ProtocolClient::WriteLine(std::string_view line, int64_t deadline_ms) {
  if (!to_child_) return -ENOTCONN;
  std::string data;
  data.reserve(line.size() + 1);
  data.append(line);
  data.push_back('\n');
  std::string_view rest = data;
  SigpipeGuard guard;
  while (!rest.empty()) {
    ssize_t n = write(to_child_.get(), rest.data(), rest.size());
    if (n >= 0) {
      rest.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      pollfd p = {to_child_.get(), POLLOUT, 0};
      int pr = poll(&p, 1, PollTimeout(deadline_ms));
      if (pr < 0 && errno != EINTR) return -errno;
      if (pr == 0) return -ETIMEDOUT;
      continue;
    }
    int e = errno;
    if (e == EPIPE) guard.Consume();
    return -e;
  }
  return 0;
}

int ProtocolClient::SkipUnfinished(int64_t deadline_ms, int keep) {
  std::string_view line;
  while (unfinished_ > keep) {
    int r = NextLine(deadline_ms, &line);
    if (r < 0) return r;
    if (!in_reply_) {
      in_reply_ = skip_first_ = line == kReplyStartLine;
    } else if (line == kReplyEndLine) {
      in_reply_ = skip_first_ = false;
      --unfinished_;
    } else if (std::exchange(skip_first_, false)) {
      std::string body;
      std::string_view first = line;
      if (inflate_ && IsDeflatedLine(line) && InflateBody(line, &body) == 0)
        first = std::string_view(body).substr(0, body.find('\n'));
      int64_t ret;
      if (ParseRet(first, &ret) == 0 && ret < 0 && skipped_failures_.size() < kMaxSkippedFailures)
        skipped_failures_.emplace_back(first);
    }
  }
  return 0;
}

int ProtocolClient::WaitBanner(int timeout_ms) {
  if (!from_child_) return -ENOTCONN;
  const int64_t deadline = Deadline(timeout_ms);
  std::string_view line;
  while (true) {
    int r = NextLine(deadline, &line);
    if (r < 0) return r;
    if (line == kBannerLine) return 0;
  }
}

int ProtocolClient::ReadLine(int timeout_ms, std::string* line) {
  if (!from_child_) return -ENOTCONN;
  std::string_view v;
  int r = NextLine(Deadline(timeout_ms), &v);
  if (r == 0) line->assign(v);
  return r;
}

int ProtocolClient::Send(std::string_view line, int timeout_ms) {
  if (!to_child_) return -ENOTCONN;
  if (line.find('\n') != std::string_view::npos) return -EINVAL;
  return WriteLine(line, Deadline(timeout_ms));
}

bool ProtocolClient::Answered(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return !line.empty() && line != "exit" && line.find('\n') == std::string_view::npos;
}

int ProtocolClient::Post(std::string_view line, int timeout_ms) {
  if (!from_child_ || !to_child_) return -ENOTCONN;
  if (!Answered(line)) return -EINVAL;
  if (asked_ > 0) return -EBUSY;  // its reply would come before the answers
  const int64_t deadline = Deadline(timeout_ms);
  int r = unfinished_ >= kMaxPosted ? SkipUnfinished(deadline) : 0;
  if (r == 0) r = WriteLine(line, deadline);
  if (r == 0) ++unfinished_;
  return r;
}

int ProtocolClient::CallEach(std::string_view line,
                             const std::function<int(std::string_view)>& on_line, int timeout_ms) {
  if (!from_child_) return -ENOTCONN;
  // The daemon answers neither empty lines nor "exit": waiting for a reply would only time out.
  if (!Answered(line)) return -EINVAL;
  const int64_t deadline = Deadline(timeout_ms);
  asked_ = 0;  // unanswered asks are skipped with the rest
  // Written before the replies of posted commands are skipped: waiting for those first would
  // cost the round trip posting saves (they come in order, before this one's).
  int r = WriteLine(line, deadline);
  if (r == 0) r = SkipUnfinished(deadline);
  if (r < 0) return r;
  ++unfinished_;
  return ReadReply(deadline, on_line);
}

int ProtocolClient::Ask(std::string_view line, int timeout_ms) {
  if (!from_child_ || !to_child_) return -ENOTCONN;
  if (!Answered(line)) return -EINVAL;
  if (asked_ == 0) asked_bytes_ = 0;
  if (asked_bytes_ + line.size() + 1 > kMaxAskedBytes) return -E2BIG;
  int r = WriteLine(line, Deadline(timeout_ms));
  if (r == 0) {
    ++unfinished_;
    ++asked_;
    asked_bytes_ += line.size() + 1;
  }
  return r;
}

int ProtocolClient::Answer(std::vector<std::string>* reply_lines, int timeout_ms) {
  reply_lines->clear();
  if (asked_ == 0) return -ENOMSG;
  const int64_t deadline = Deadline(timeout_ms);
  int r = SkipUnfinished(deadline, asked_);  // posted before the asks
  if (r < 0) return r;
  --asked_;
  return ReadReply(deadline, [reply_lines](std::string_view l) {
    reply_lines->emplace_back(l);
    return 0;
  });
}

int ProtocolClient::ReadReply(int64_t deadline,
                              const std::function<int(std::string_view)>& on_line) {
  std::string_view l;
  int r;
  while (!in_reply_) {  // stray lines before the reply are skipped
    r = NextLine(deadline, &l);
    if (r < 0) return r;
    in_reply_ = l == kReplyStartLine;
  }
  reply_bytes_ = 0;
  for (bool first = true;; first = false) {
    r = NextLine(deadline, &l);
    if (r < 0) return r;
    if (l == kReplyEndLine) {
      in_reply_ = false;
      --unfinished_;
      return 0;
    }
    reply_bytes_ += l.size() + 1;
    r = first && inflate_ && IsDeflatedLine(l) ? EachInflatedLine(l, on_line) : on_line(l);
    if (r < 0) return r;  // the rest of the reply is skipped by the next call
  }
}

int ProtocolClient::EachInflatedLine(std::string_view line,
                                     const std::function<int(std::string_view)>& on_line) {
  std::string body;
  if (InflateBody(line, &body) < 0) return -EPROTO;
  for (std::string_view rest = body; !rest.empty();) {
    size_t nl = rest.find('\n');
    if (int r = on_line(rest.substr(0, nl)); r < 0) return r;
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
  }
  return 0;
}

int ProtocolClient::Call(std::string_view line, std::vector<std::string>* reply_lines,
                         int timeout_ms) {
  reply_lines->clear();
  return CallEach(
      line,
      [reply_lines](std::string_view l) {
        reply_lines->emplace_back(l);
        return 0;
      },
      timeout_ms);
}

int ProtocolClient::Close(int timeout_ms, int term_after_ms) {
  terminated_ = false;
  if (pid_ < 0 && !from_child_) return -ECHILD;
  const int64_t deadline = Deadline(timeout_ms < 0 ? 0 : timeout_ms);
  const int64_t term_at = term_after_ms < 0 ? -1 : NowMs() + term_after_ms;
  if (to_child_) WriteLine("exit", deadline);  // best effort: EOF below ends it as well
  to_child_.reset();
  from_child_.reset();  // a reply still being written ends in EPIPE for the child
  int status = 0;
  int result = pid_ < 0 ? 0 : -ETIMEDOUT;  // a socket peer: nothing to wait for
  int64_t notice = (term_at < 0 ? NowMs() : term_at) + kCleanupNoticeMs;
  bool said = false;
  for (int64_t sleep_us = 200; pid_ >= 0; sleep_us = std::min<int64_t>(sleep_us * 2, 20000)) {
    pid_t w = waitpid(pid_, &status, WNOHANG);
    if (w == pid_) {
      result = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (w < 0 && errno != EINTR) {
      result = -errno;
      break;
    }
    if (term_at >= 0 && !terminated_ && NowMs() >= term_at) {
      terminated_ = true;
      kill(pid_, SIGTERM);
    }
    if (!said && NowMs() >= notice && deadline - NowMs() > kCleanupNoticeMs) {
      said = true;
      std::fprintf(stderr,
                   "bpfd: waiting for the daemon to clean up its session (removing tracefs "
                   "events takes a while; at most %d s more)\n",
                   static_cast<int>((deadline - NowMs() + 999) / 1000));
    }
    if (NowMs() >= deadline) {
      kill(pid_, SIGKILL);
      while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    timespec ts = {0, static_cast<long>(sleep_us * 1000)};
    nanosleep(&ts, nullptr);
  }
  pid_ = -1;
  lines_.Clear(/*release=*/true);
  eof_ = false;
  unfinished_ = asked_ = 0;
  in_reply_ = false;
  return result;
}

}  // namespace bpfd
