// The pipelined daemon (issue 16), with the real binary: commands that arrive together get
// their replies in order and in few writes (the daemon's write syscalls, /proc/PID/io syscw);
// a reply held back for pipelining is written before the next command waits; a stop signal
// ends a session that is never idle. Needs root and bpf(); SKIPs otherwise (and under
// qemu-user).
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "core/base/clock.h"
#include "core/wire/base64.h"
#include "tests/fault/daemon_driver.h"
#include "tests/testing.h"

using namespace bpfd;
using fault::Daemon;

namespace {

std::string Bin() {
  const char* src = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  return std::string(src ? src : ".") + "/" + (ws ? ws : "bpfd") + "/cmd/bpfd";
}

std::string Tmp(const char* name) {
  const char* t = std::getenv("TEST_TMPDIR");
  return std::string(t ? t : "/tmp") + "/" + name;
}

// A daemon that ended shows as EPIPE on our writes, not as this process's death.
const bool kSigpipeIgnored = signal(SIGPIPE, SIG_IGN) != SIG_ERR;

std::vector<std::string> Args() { return {"--state-dir", Tmp("state")}; }

// The write syscalls process pid has made (/proc/PID/io syscw), or -1.
long WriteSyscalls(pid_t pid) {
  std::ifstream io("/proc/" + std::to_string(pid) + "/io");
  std::string key;
  long v;
  while (io >> key >> v)
    if (key == "syscw:") return v;
  return -1;
}

std::string U32(uint32_t v) { return Base64Encode(reinterpret_cast<const uint8_t*>(&v), 4); }
std::string U64(uint64_t v) { return Base64Encode(reinterpret_cast<const uint8_t*>(&v), 8); }

// Sends `exit`: true if the daemon then ends with status 0 within 10 s.
bool ExitsCleanly(Daemon& d) {
  d.conn().Send("exit");
  int status;
  return d.Wait(10000, &status) && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// Skips the case unless the daemon is up and can create a map here.
#define REQUIRE_BPF(d)                                                 \
  do {                                                                 \
    if (geteuid() != 0) SKIP("not root");                              \
    if (!(d).ok()) SKIP("the daemon did not start");                   \
    int64_t m = (d).Call("BPF_CREATE_MAP 1 probe 4 8 4 0");            \
    if (m == -38) SKIP("bpf() gives ENOSYS here (qemu-user)");         \
    if (m < 0) SKIP("cannot create a map here: " + std::to_string(m)); \
  } while (0)

}  // namespace

TEST(RepliesOfABatchComeInOrderInFewWrites) {
  Daemon d(Bin(), Args(), Tmp("batch.err"));
  REQUIRE_BPF(d);
  int64_t map = d.Call("BPF_CREATE_MAP 1 pipe 4 8 2000 0");
  EXPECT(map >= 0);
  constexpr int kN = 1000;
  std::string batch;
  for (int i = 0; i < kN; ++i)
    batch +=
        "BPF_UPDATE_ELEM " + std::to_string(map) + " " + U32(i) + " 4 " + U64(i * 7ull) + " 8 0\n";
  for (int i = 0; i < kN; ++i)
    batch += "BPF_LOOKUP_ELEM " + std::to_string(map) + " " + U32(i) + " 4 8\n";
  const long before = WriteSyscalls(d.pid());
  // Written from a thread: the batch and its replies are each larger than a pipe holds.
  int wrote = -1;
  std::thread writer([&] { wrote = d.conn().Write(batch, 20000); });
  int ok_updates = 0, ok_lookups = 0;
  for (int i = 0; i < 2 * kN; ++i) {
    std::vector<std::string> lines;
    if (!d.conn().Reply(&lines)) break;
    if (i < kN) {
      ok_updates += lines.size() == 1 && lines[0].ends_with("ret=0");
    } else {  // "<b64 value>" then, in the protocol's order, no ret line: the value is the reply
      bool match = false;
      for (const std::string& l : lines) match = match || l.find(U64((i - kN) * 7ull)) != l.npos;
      ok_lookups += match;
    }
  }
  writer.join();
  EXPECT_EQ(wrote, 0);
  const long writes = WriteSyscalls(d.pid()) - before;
  std::printf("%d updates and %d lookups answered in order with %ld write syscalls\n", ok_updates,
              ok_lookups, writes);
  EXPECT_EQ(ok_updates, kN);
  EXPECT_EQ(ok_lookups, kN);
  EXPECT(before >= 0 && writes > 0 && writes <= 2 * kN / 20);  // one per reply before coalescing
  EXPECT(ExitsCleanly(d));
}

TEST(AHeldReplyIsWrittenBeforeTheNextCommandWaits) {
  Daemon d(Bin(), Args(), Tmp("held.err"));
  REQUIRE_BPF(d);
  // One write: a map, then a poll of no buffers that waits 3 s unless another line comes.
  const int64_t t0 = NowMs();
  EXPECT(d.conn().Write("BPF_CREATE_MAP 1 held 4 8 4 0\nPERF_READER_POLL 3000 0\n") == 0);
  std::vector<std::string> lines;
  EXPECT(d.conn().Reply(&lines, 5000));
  const int64_t first = NowMs() - t0;
  std::printf("the map's reply came after %lld ms (the poll waits 3000 ms)\n",
              static_cast<long long>(first));
  EXPECT(first < 1500);
  EXPECT(!lines.empty() && lines[0].find("ret=") != std::string::npos);
  EXPECT(ExitsCleanly(d));
}

TEST(SigtermEndsASessionThatIsNeverIdle) {
  Daemon d(Bin(), Args(), Tmp("busy.err"));
  REQUIRE_BPF(d);
  int64_t map = d.Call("BPF_CREATE_MAP 1 busy 4 8 4 0");
  std::string chunk;
  for (int i = 0; i < 2000; ++i)
    chunk += "BPF_LOOKUP_ELEM " + std::to_string(map) + " " + U32(1) + " 4 8\n";
  std::atomic<bool> stop{false};
  // Keeps the daemon's input full and drains its output, so it never waits for anything.
  std::thread writer([&] {
    while (!stop && d.conn().Write(chunk, 1000) == 0) {
    }
  });
  std::thread reader([&] {
    char buf[65536];
    for (pollfd p = {d.conn().rfd(), POLLIN, 0}; !stop;) {
      if (poll(&p, 1, 100) > 0 && read(p.fd, buf, sizeof buf) == 0) break;
    }
  });
  usleep(300 * 1000);
  const int64_t t0 = NowMs();
  d.Signal(SIGTERM);
  int status = 0;
  const bool ended = d.Wait(5000, &status);
  const int64_t took = NowMs() - t0;
  stop = true;
  writer.join();
  reader.join();
  std::printf("SIGTERM under a full pipeline ended the daemon in %lld ms\n",
              static_cast<long long>(took));
  EXPECT(ended && WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT(took < 1000);
}

TEST_MAIN()
