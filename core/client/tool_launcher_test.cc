// bpfd remote's core pieces: ARCH from a machine, where the library is looked for,
// LD_PRELOAD, SYS_UNAME's data line, the kheaders cache path, handing a client's connection
// over (ReleaseFds), and a child in its own session (StartProcess).
#include "core/client/tool_launcher.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "core/base/process.h"
#include "core/client/kheaders.h"
#include "core/wire/base64.h"
#include "tests/testing.h"

using namespace bpfd;

namespace {
std::string B64(const std::string& s) {
  return Base64Encode(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
}  // namespace

TEST(ArchForMachine) {
  EXPECT_EQ(ArchForMachine("x86_64"), std::string("x86"));
  EXPECT_EQ(ArchForMachine("i686"), std::string("x86"));
  EXPECT_EQ(ArchForMachine("i386"), std::string("x86"));
  EXPECT_EQ(ArchForMachine("aarch64"), std::string("arm64"));
  EXPECT_EQ(ArchForMachine("arm64"), std::string("arm64"));
  EXPECT_EQ(ArchForMachine("armv7l"), std::string("arm"));
  EXPECT_EQ(ArchForMachine("armv8l"), std::string("arm"));
  EXPECT_EQ(ArchForMachine("arm"), std::string("arm"));
  EXPECT_EQ(ArchForMachine("riscv64"), std::string("riscv64"));
  EXPECT_EQ(ArchForMachine("i786x"), std::string("i786x"));  // not i?86
}

TEST(LibraryCandidatesInOrder) {
  auto c = RemoteLibCandidates("/a/flag.so", "/b/env.so", "/opt/x/bin/bpfd");
  EXPECT_EQ(c.size(), size_t{4});
  EXPECT_EQ(c[0], std::string("/a/flag.so"));
  EXPECT_EQ(c[1], std::string("/b/env.so"));
  EXPECT_EQ(c[2], std::string("/opt/x/bin/libbpfd-remote.so"));
  EXPECT_EQ(c[3], std::string("/opt/x/lib/bpfd/libbpfd-remote.so"));
  EXPECT_EQ(RemoteLibCandidates("", "", "/bpfd").size(), size_t{2});
  EXPECT_EQ(RemoteLibCandidates("", "", "").size(), size_t{0});
}

TEST(FindRemoteLibExplicitMissingFails) {
  unsetenv("BPFD_REMOTE_LIB");
  std::string path, error;
  EXPECT_EQ(FindRemoteLib("/nonexistent/lib.so", &path, &error), -ENOENT);
  EXPECT(error.find("--lib /nonexistent/lib.so") != std::string::npos);
  EXPECT(error.find("bazel build //cmd:libbpfd-remote.so") != std::string::npos);
  std::string dir = std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp";
  std::string lib = dir + "/remote_exec_test_lib.so";
  close(open(lib.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  EXPECT_EQ(FindRemoteLib(lib, &path, &error), 0);
  EXPECT_EQ(path[0], '/');
  std::string bad = dir + "/with space.so";
  close(open(bad.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  EXPECT_EQ(FindRemoteLib(bad, &path, &error), -EINVAL);  // LD_PRELOAD cannot carry it
  unlink(lib.c_str());
  unlink(bad.c_str());
}

TEST(PrependPreload) {
  EXPECT_EQ(PrependPreload("", "/l.so"), std::string("/l.so"));
  EXPECT_EQ(PrependPreload("/a.so /b.so", "/l.so"), std::string("/l.so:/a.so /b.so"));
}

TEST(ParseUnameLine) {
  TargetUname u;
  std::string line = B64("Linux") + " " + B64("host") + " " + B64("6.1.0-13-arm64") + " " +
                     B64("#1 SMP Debian") + " " + B64("aarch64");
  EXPECT_EQ(ParseUnameLine(line, &u), 0);
  EXPECT_EQ(u.release, std::string("6.1.0-13-arm64"));
  EXPECT_EQ(u.version, std::string("#1 SMP Debian"));
  EXPECT_EQ(u.machine, std::string("aarch64"));
  std::string empty_node = B64("Linux") + " - " + B64("6.1") + " " + B64("v") + " " + B64("x86_64");
  EXPECT_EQ(ParseUnameLine(empty_node, &u), 0);
  EXPECT(u.nodename.empty());
  EXPECT_EQ(ParseUnameLine(B64("Linux") + " " + B64("h"), &u), -EPROTO);  // too few
  EXPECT_EQ(ParseUnameLine(line + " " + B64("extra"), &u), -EPROTO);      // too many
  EXPECT_EQ(ParseUnameLine("!!! a b c d", &u), -EPROTO);                  // not base64
}

TEST(KheadersDirNamesReleaseAndMachine) {
  TargetUname u;
  u.release = "6.1.0-13/x";
  u.machine = "armv7l";
  EXPECT_EQ(KheadersDir("/c", u), std::string("/c/kheaders/6.1.0-13_x-armv7l"));
}

TEST(ReleaseFdsHandsOverAnIdleConnection) {
  ProtocolClient c;
  EXPECT_EQ(c.Spawn({"/bin/sh", "-c",
                     "printf 'STARTED_BPFD\\n'; read -r l; printf '%s\\n' \"got $l\"; exit 0"}),
            0);
  EXPECT_EQ(c.WaitBanner(5000), 0);
  UniqueFd rd, wr;
  EXPECT_EQ(c.ReleaseFds(&rd, &wr), 0);
  EXPECT(rd.valid() && wr.valid());
  EXPECT((fcntl(rd.get(), F_GETFL) & O_NONBLOCK) == 0);  // blocking, for the next owner
  EXPECT(c.pid() > 0);                                   // the child stays ours to reap
  EXPECT_EQ(write(wr.get(), "hi\n", 3), 3);
  char buf[16] = {};
  ssize_t n = read(rd.get(), buf, sizeof(buf) - 1);
  EXPECT_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0), std::string("got hi\n"));
  rd.reset();
  wr.reset();
  EXPECT_EQ(c.Close(2000), 0);
  EXPECT_EQ(c.ReleaseFds(&rd, &wr), -ENOTCONN);
}

TEST(ReleaseFdsRefusesWithBufferedBytes) {
  ProtocolClient c;
  EXPECT_EQ(c.Spawn({"/bin/sh", "-c", "printf 'STARTED_BPFD\\nearly\\n'; sleep 5"}), 0);
  EXPECT_EQ(c.WaitBanner(5000), 0);
  if (c.buffered() == 0) SKIP("the two lines arrived in two reads");
  UniqueFd rd, wr;
  EXPECT_EQ(c.ReleaseFds(&rd, &wr), -EBUSY);
  c.Close(0);
}

TEST(StartProcessNewSession) {
  int p[2];
  EXPECT_EQ(pipe2(p, O_CLOEXEC), 0);
  UniqueFd rd(p[0]), wr(p[1]);
  StartOptions so;
  so.out_fd = wr.get();
  so.new_session = true;
  // Field 6 of /proc/PID/stat is the session id: the child's own pid when it leads one.
  pid_t pid = StartProcess({"/bin/sh", "-c",
                            "read -r a b c d e s rest </proc/$$/stat; "
                            "[ \"$s\" = $$ ] && echo own || echo inherited"},
                           so);
  EXPECT(pid > 0);
  wr.reset();
  char buf[32] = {};
  ssize_t n = read(rd.get(), buf, sizeof(buf) - 1);
  EXPECT_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0), std::string("own\n"));
  int status = 0;
  waitpid(pid, &status, 0);
}

TEST_MAIN()
