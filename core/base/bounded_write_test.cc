// Unit tests for core/base/bounded_write: a reader that stops reading ends a write after the
// idle time (pipe, socket, tty-like polled fd), a slow reader does not, a blocked stop signal
// interrupts the wait, and a pipe's flags are restored.
#include "core/base/bounded_write.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>
#include <thread>

#include "core/base/clock.h"
#include "core/base/unique_fd.h"
#include "tests/testing.h"

using bpfd::BoundedWriter;
using bpfd::NowMs;
using bpfd::UniqueFd;

namespace {
struct Pair {
  UniqueFd r, w;
  explicit Pair(bool socket) {
    int p[2];
    if ((socket ? socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) : pipe2(p, O_CLOEXEC)) ==
        0) {
      r.reset(p[0]);
      w.reset(p[1]);
    }
  }
};
const std::string kBig(4u << 20, 'x');  // more than any pipe or socket buffer
}  // namespace

TEST(StalledPipeReaderTimesOut) {
  Pair p(false);
  int before = fcntl(p.w.get(), F_GETFL);
  int64_t t0 = NowMs();
  {
    BoundedWriter out(p.w.get(), 300, nullptr);
    EXPECT_EQ(out.Write(kBig), -ETIMEDOUT);
  }
  int64_t took = NowMs() - t0;
  EXPECT(took >= 290 && took < 3000);
  EXPECT_EQ(fcntl(p.w.get(), F_GETFL), before);  // O_NONBLOCK only while writing
}

TEST(StalledSocketReaderTimesOut) {
  Pair p(true);
  BoundedWriter out(p.w.get(), 300, nullptr);
  EXPECT_EQ(out.Write(kBig), -ETIMEDOUT);
  EXPECT(!(fcntl(p.w.get(), F_GETFL) & O_NONBLOCK));  // MSG_DONTWAIT, the flags untouched
}

TEST(SlowReaderKeepsTheWriteGoing) {
  for (bool socket : {false, true}) {
    Pair p(socket);
    std::atomic<size_t> got{0};
    std::thread reader([&] {
      char buf[256 << 10];
      ssize_t n;
      while ((n = read(p.r.get(), buf, sizeof buf)) > 0) {
        got += static_cast<size_t>(n);
        usleep(20000);  // far slower than the writer, never idle for 300 ms
      }
    });
    {
      BoundedWriter out(p.w.get(), 300, nullptr);
      EXPECT_EQ(out.Write(kBig), 0);
    }
    p.w.reset();
    reader.join();
    EXPECT_EQ(got.load(), kBig.size());
  }
}

TEST(GoneReaderIsEpipe) {
  signal(SIGPIPE, SIG_IGN);
  Pair p(false);
  p.r.reset();
  BoundedWriter out(p.w.get(), 300, nullptr);
  EXPECT_EQ(out.Write("x"), -EPIPE);
}

TEST(BlockedStopSignalInterruptsTheWait) {
  Pair p(true);
  struct sigaction sa = {};
  sa.sa_handler = [](int) {};
  sigaction(SIGUSR1, &sa, nullptr);  // no SA_RESTART
  sigset_t block, old, wait_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigprocmask(SIG_BLOCK, &block, &old);
  wait_mask = old;
  sigdelset(&wait_mask, SIGUSR1);
  pid_t pid = getpid();
  std::thread killer([pid] {
    usleep(200000);
    kill(pid, SIGUSR1);
  });
  int64_t t0 = NowMs();
  BoundedWriter out(p.w.get(), 10000, &wait_mask);
  EXPECT_EQ(out.Write(kBig), -EINTR);
  EXPECT(NowMs() - t0 < 5000);
  killer.join();
  sigprocmask(SIG_SETMASK, &old, nullptr);
}

TEST_MAIN()
