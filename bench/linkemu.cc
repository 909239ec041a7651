// linkemu: a byte-stream relay that behaves like a slow link — each direction adds a one-way
// delay (half the round trip) and a bandwidth limit, with a bounded queue in flight (the
// sender waits when it is full, as TCP's window makes it) — because this kernel has no netem.
//   linkemu [LINK] -- CMD [ARG...]                 CMD on the far side of stdin/stdout: usable
//                                                  as bpfd's `--remote "cmd:linkemu ... -- bpfd"`
//   linkemu [LINK] --listen PORT --connect PORT    a TCP proxy on 127.0.0.1 (one connection at
//                                                  a time; each gets a fresh link)
// LINK: --profile adb|lan|wan (1 ms and 35 Mbit/s; 5 ms and 100 Mbit/s; 40 ms and 20 Mbit/s)
// and/or --rtt MS --mbit RATE. --stats prints the bytes each way on stderr at the end.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Link {
  double rtt_ms = 0;
  double mbit = 0;  // 0: unlimited
};

// One direction: a reader thread stamps each segment with when its last byte arrives at the
// far end (serialised behind the previous one at the link's rate, plus the one-way delay); a
// writer thread delivers it then.
class Direction {
 public:
  Direction(const Link& link, int from, int to) : link_(link), from_(from), to_(to) {
    // In flight at most: twice the bandwidth-delay product, and at least 256 KiB.
    double bdp = link.mbit > 0 ? link.mbit * 1e6 / 8 * link.rtt_ms / 1000 : 0;
    max_queued_ = std::max<size_t>(256 << 10, static_cast<size_t>(2 * bdp));
  }
  void Start() {
    reader_ = std::thread([this] { Read(); });
    writer_ = std::thread([this] { Write(); });
  }
  void Join() {
    reader_.join();
    writer_.join();
  }
  unsigned long long bytes() const { return bytes_; }

 private:
  struct Segment {
    Clock::time_point due;
    std::string data;
  };
  static constexpr size_t kSegment = 4096;

  void Read() {
    Clock::time_point link_free = Clock::now();
    const auto one_way = std::chrono::duration<double, std::milli>(link_.rtt_ms / 2);
    std::vector<char> buf(64 << 10);
    for (;;) {
      ssize_t n = read(from_, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      std::unique_lock<std::mutex> lock(mu_);
      for (ssize_t off = 0; off < n; off += kSegment) {
        size_t len = std::min<size_t>(kSegment, static_cast<size_t>(n - off));
        cv_.wait(lock, [&] { return queued_ < max_queued_ || failed_; });
        if (failed_) return Close();
        auto now = Clock::now();
        link_free = std::max(link_free, now);
        if (link_.mbit > 0)
          link_free += std::chrono::duration_cast<Clock::duration>(
              std::chrono::duration<double>(len * 8 / (link_.mbit * 1e6)));
        queue_.push_back({link_free + std::chrono::duration_cast<Clock::duration>(one_way),
                          std::string(buf.data() + off, len)});
        queued_ += len;
        cv_.notify_all();
      }
    }
    Close();
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    eof_ = true;
    cv_.notify_all();
  }
  void Write() {
    for (;;) {
      Segment s;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return !queue_.empty() || eof_; });
        if (queue_.empty()) break;
        s = std::move(queue_.front());
        queue_.pop_front();
      }
      std::this_thread::sleep_until(s.due);
      for (size_t off = 0; off < s.data.size();) {
        ssize_t w = write(to_, s.data.data() + off, s.data.size() - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
          std::lock_guard<std::mutex> lock(mu_);
          failed_ = true;  // the far end went away: stop taking input
          cv_.notify_all();
          break;
        }
        off += static_cast<size_t>(w);
      }
      std::lock_guard<std::mutex> lock(mu_);
      queued_ -= s.data.size();
      bytes_ += s.data.size();
      cv_.notify_all();
      if (failed_) break;
    }
    // Everything sent arrived: the far end sees EOF now, as after a real link's FIN.
    if (shutdown(to_, SHUT_WR) < 0) close(to_);
  }

  Link link_;
  int from_, to_;
  size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Segment> queue_;
  size_t queued_ = 0;
  bool eof_ = false, failed_ = false;
  unsigned long long bytes_ = 0;
  std::thread reader_, writer_;
};

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "linkemu: %s\nusage: linkemu [--profile adb|lan|wan] [--rtt MS] [--mbit RATE] "
               "[--stats] (-- CMD [ARG...] | --listen PORT --connect PORT)\n",
               why);
  std::exit(2);
}

// Relays a (the near side: read from in_fd, written to out_fd) and b (the far side) over the
// link until both directions ended. Returns the bytes each way.
void Relay(const Link& link, int near_in, int near_out, int far_in, int far_out, bool stats) {
  Direction up(link, near_in, far_out), down(link, far_in, near_out);
  up.Start();
  down.Start();
  up.Join();
  down.Join();
  if (stats)
    std::fprintf(stderr, "linkemu: %llu bytes up, %llu down (rtt %.1f ms, %.1f Mbit/s)\n",
                 up.bytes(), down.bytes(), link.rtt_ms, link.mbit);
}

int RunChild(const Link& link, char** argv, bool stats) {
  int to_child[2], from_child[2];
  // Sockets, not pipes: shutdown(SHUT_WR) gives the far side its EOF while replies still flow.
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, to_child) < 0 ||
      socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, from_child) < 0)
    return std::perror("linkemu: socketpair"), 1;
  pid_t pid = fork();
  if (pid < 0) return std::perror("linkemu: fork"), 1;
  if (pid == 0) {
    dup2(to_child[1], 0);
    dup2(from_child[1], 1);
    execvp(argv[0], argv);
    std::fprintf(stderr, "linkemu: %s: %s\n", argv[0], std::strerror(errno));
    _exit(127);
  }
  close(to_child[1]);
  close(from_child[1]);
  Relay(link, 0, 1, from_child[0], to_child[0], stats);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int Loopback(int port, bool listen_on) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (listen_on) {
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 || listen(fd, 8) < 0) return -1;
  } else if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int RunProxy(const Link& link, int listen_port, int connect_port, bool stats) {
  int ls = Loopback(listen_port, true);
  if (ls < 0) return std::perror("linkemu: listen"), 1;
  for (;;) {
    int near = accept4(ls, nullptr, nullptr, SOCK_CLOEXEC);
    if (near < 0) continue;
    int far = Loopback(connect_port, false);
    if (far < 0) {
      close(near);
      continue;
    }
    Relay(link, near, near, far, far, stats);
    close(near);
    close(far);
  }
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  Link link;
  bool stats = false;
  int listen_port = -1, connect_port = -1, i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) Usage(("missing value of " + a).c_str());
      return argv[++i];
    };
    if (a == "--") {
      ++i;
      break;
    } else if (a == "--profile") {
      std::string p = value();
      if (p == "adb")
        link = {1, 35};
      else if (p == "lan")
        link = {5, 100};
      else if (p == "wan")
        link = {40, 20};
      else
        Usage("profiles: adb, lan, wan");
    } else if (a == "--rtt") {
      link.rtt_ms = std::atof(value());
    } else if (a == "--mbit") {
      link.mbit = std::atof(value());
    } else if (a == "--stats") {
      stats = true;
    } else if (a == "--listen") {
      listen_port = std::atoi(value());
    } else if (a == "--connect") {
      connect_port = std::atoi(value());
    } else {
      Usage(("unknown argument " + a).c_str());
    }
  }
  if (listen_port >= 0 || connect_port >= 0) {
    if (listen_port < 0 || connect_port < 0) Usage("--listen and --connect go together");
    return RunProxy(link, listen_port, connect_port, stats);
  }
  if (i >= argc) Usage("no command after --");
  return RunChild(link, argv + i, stats);
}
