// A client's Close waits for the daemon's cleanup (core/base/clock.h kSessionCleanupMs) instead
// of killing it: a real daemon with 64 uprobe events made through tracefs, each removal waiting
// for an RCU grace period, takes seconds to end; Close returns its exit status 0 and no event
// is left. Needs root and tracefs uprobe_events; SKIPs otherwise (and under qemu-user).
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "core/base/clock.h"
#include "core/base/file_io.h"
#include "core/client/protocol_client.h"
#include "core/wire/framing.h"
#include "tests/testing.h"

using namespace bpfd;

namespace {

constexpr const char* kUprobeEvents = "/sys/kernel/tracing/uprobe_events";

std::string Bin() {
  const char* src = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  return std::string(src ? src : ".") + "/" + (ws ? ws : "bpfd") + "/cmd/bpfd";
}

std::string StateDir() {
  const char* t = std::getenv("TEST_TMPDIR");
  return std::string(t ? t : "/tmp") + "/wait_state";
}

int64_t CallRet(ProtocolClient& c, const std::string& line) {
  std::vector<std::string> lines;
  int64_t v = -1;
  if (c.Call(line, &lines, 10000) < 0 || lines.empty() || ParseRet(lines[0], &v) < 0) return -1;
  return v;
}

int Ours(int pid) {
  std::string text;
  ReadFile(kUprobeEvents, &text);
  int n = 0;
  const std::string tag = "_bpfd_" + std::to_string(pid) + " ";
  for (size_t at = 0; (at = text.find(tag, at)) != std::string::npos; at += tag.size()) ++n;
  return n;
}

}  // namespace

TEST(CloseWaitsForALongCleanup) {
  if (geteuid() != 0) SKIP("not root");
  if (access(kUprobeEvents, W_OK) != 0) SKIP("no writable tracefs uprobe_events here");
  ProtocolClient c;
  EXPECT_EQ(c.Spawn({Bin(), "--probe-api", "tracefs", "--state-dir", StateDir()}), 0);
  EXPECT_EQ(c.WaitBanner(10000), 0);
  const int pid = c.pid();
  int64_t prog = CallRet(c, "BPF_PROG_LOAD 2 waitp 16 GPL 0 twAAAAAAAACVAAAAAAAAAA==");
  if (prog == -38) SKIP("bpf() gives ENOSYS here (qemu-user)");
  if (prog < 0) SKIP("cannot load a program here");
  constexpr int kEvents = 64;
  for (int i = 0; i < kEvents; ++i) {
    EXPECT(CallRet(c, "BPF_ATTACH_UPROBE " + std::to_string(prog) + " 0 w" + std::to_string(i) +
                          " /bin/true 0 -1") >= 0);
  }
  EXPECT_EQ(Ours(pid), kEvents);
  const int64_t t0 = NowMs();
  EXPECT_EQ(c.Close(), 0);  // its exit status: not killed (-ETIMEDOUT) nor 128 + SIGKILL
  const int64_t took = NowMs() - t0;
  std::printf("cleanup of %d tracefs uprobe events took %lld ms\n", kEvents,
              static_cast<long long>(took));
  EXPECT_EQ(Ours(pid), 0);
  if (took < 3000) SKIP("the cleanup was quicker than 3 s here: the long wait is not shown");
}

TEST_MAIN()
