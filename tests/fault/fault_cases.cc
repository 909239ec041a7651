#include "tests/fault/fault_cases.h"

#include <fcntl.h>
#include <linux/bpf.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>

#include "tests/fault/case_util.h"

namespace bpfd::fault {
namespace {

// kill -9 of the daemon mid-session: its events stay in tracefs until the next daemon starts,
// which removes them (ours by the dead pid in their names, the forwarded one by the journal).
constexpr int kDyingProbes = 30;

CaseResult Kill9Daemon(const FaultEnv& env) {
  Case c(env, "kill9_daemon");
  const std::string tag = Tag("kd");
  {
    Daemon d(env.bpfd, kDaemonTracefs, c.Path("1.err"));
    if (!Populated(c, d, tag)) return c.Finish();
    d.Signal(SIGKILL);
    int status;
    c.Expect(d.Wait(5000, &status), "the daemon did not die of SIGKILL");
  }
  c.Expect(CountEvents(tag) == 2, "precondition: the dead daemon's two events are still there");
  Daemon next(env.bpfd, {}, c.Path("2.err"));
  c.Expect(next.ok(), "the next daemon did not start");
  c.Expect(CountEvents(tag) == 0, "the next daemon's start left the dead one's events");
  next.conn().Send("exit");
  EndsWithin(c, next, 5000, {0}, "next daemon exit");

  // A restart at once (as a supervisor does): the killed daemon is still closing its perf fds
  // (one RCU grace period each), so its events cannot go yet; the next start waits for it.
  const std::string tag2 = Tag("ki");
  Daemon dying(env.bpfd, kDaemonTracefs, c.Path("3.err"));
  if (!Populated(c, dying, tag2)) return c.Finish();
  const std::string off = std::to_string(std::stoull(c.UprobeOffset(dying.conn()), nullptr, 16));
  const std::string prog =
      std::to_string(dying.Call("BPF_PROG_LOAD 2 fi 16 GPL 0 " + std::string(kProg)));
  for (int i = 0; i < kDyingProbes; ++i)
    c.Expect(dying.Call("BPF_ATTACH_UPROBE " + prog + " 0 fi" + std::to_string(i) + tag2 + " " +
                        env.uprobe_target + " " + off + " -1") >= 0,
             "attaching uprobe " + std::to_string(i));
  dying.Signal(SIGKILL);
  const int64_t t0 = NowMs();
  Daemon at_once(env.bpfd, {}, c.Path("4.err"));
  c.Expect(at_once.ok(), "the daemon started at once did not start");
  c.Note("start at once after SIGKILL of " + std::to_string(kDyingProbes + 2) + " uprobes " +
         std::to_string(NowMs() - t0) + " ms");
  c.Expect(CountEvents(tag2) == 0, "the start at once left the dying daemon's events");
  at_once.conn().Send("exit");
  EndsWithin(c, at_once, 5000, {0}, "at-once daemon exit");
  return c.Finish();
}

// kill -9 of the client: the daemon sees end of input and cleans up.
CaseResult Kill9Client(const FaultEnv& env) {
  Case c(env, "kill9_client");
  const std::string tag = Tag("kc");
  prctl(PR_SET_CHILD_SUBREAPER, 1);  // the orphaned daemon becomes our child
  int report[2];
  if (pipe(report) < 0) return {Outcome::kFail, "pipe"};
  pid_t client = fork();
  if (client == 0) {
    close(report[0]);
    Daemon d(env.bpfd, kDaemonTracefs, c.Path("err"));
    std::string msg =
        d.ok() ? Populate(d.conn(), env, c.tracefs(), c.UprobeOffset(d.conn()), tag) : "no banner";
    if (msg.empty()) msg = "pid " + std::to_string(d.pid());
    (void)!write(report[1], msg.data(), msg.size());
    for (;;) pause();
  }
  close(report[1]);
  char buf[256] = {};
  pollfd p = {report[0], POLLIN, 0};
  ssize_t n = poll(&p, 1, 30000) == 1 ? read(report[0], buf, sizeof buf - 1) : -1;
  close(report[0]);
  kill(client, SIGKILL);
  waitpid(client, nullptr, 0);
  int daemon = 0;
  if (n <= 0 || std::sscanf(buf, "pid %d", &daemon) != 1) {
    c.Expect(false, std::string("client setup: ") + buf);
    return c.Finish();
  }
  const int64_t t0 = NowMs();
  int status = 0;
  pid_t w = 0;
  while ((w = waitpid(daemon, &status, WNOHANG)) == 0 && NowMs() - t0 < 5000 + env.slack_ms)
    SleepMs(5);
  c.Expect(w == daemon && WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "the daemon did not end cleanly on its client's death: " +
               (w == daemon ? DescribeStatus(status) : std::string("still running")));
  c.Note("daemon exit " + std::to_string(NowMs() - t0) + " ms after the client's death");
  if (w != daemon) kill(daemon, SIGKILL), waitpid(daemon, nullptr, 0);
  return c.Finish();
}

// A client that stops reading: the daemon's reply write times out (--write-timeout) and the
// session ends, with cleanup.
CaseResult StopsReading(const FaultEnv& env) {
  Case c(env, "stops_reading");
  std::vector<std::string> args = kDaemonTracefs;
  args.insert(args.end(), {"--write-timeout", std::to_string(kWriteTimeoutS)});
  Daemon d(env.bpfd, args, c.Path("err"));
  if (!Populated(c, d, Tag("sr"))) return c.Finish();
  Flood(d.conn());
  EndsWithin(c, d, kWriteTimeoutS * 1000 + 3000, {0, 1}, "end after the write timeout");
  return c.Finish();
}

// A half-open connection to a listener: a peer that never answers the challenge is dropped by
// the handshake deadline (5 s); a session whose peer keeps the socket open but stops reading
// ends by the write deadline, with cleanup, and the listener serves the next peer.
CaseResult HalfOpen(const FaultEnv& env) {
  Case c(env, "half_open");
  // Sockets live in a short directory of their own: sun_path holds 108 bytes, and a test's
  // scratch directory under Bazel's output base is longer than that.
  char dir[] = "/tmp/bpfd-ho.XXXXXX";
  if (!mkdtemp(dir)) return {Outcome::kFail, "mkdtemp /tmp: " + std::string(strerror(errno))};
  const std::string token = c.Path("token"), hsock = std::string(dir) + "/h.sock",
                    osock = std::string(dir) + "/o.sock";
  struct RemoveDir {
    std::string d, h, o;
    ~RemoveDir() { unlink(h.c_str()), unlink(o.c_str()), rmdir(d.c_str()); }
  } remove_dir{dir, hsock, osock};
  {
    UniqueFd t(open(token.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    const char kToken[] = "fault-injection-token-0123456789abcdef\n";
    c.Expect(t && write(t.get(), kToken, sizeof kToken - 1) > 0, "writing the token file");
  }
  Daemon h(env.bpfd, {"--listen", "unix:" + hsock, "--token-file", token}, c.Path("h.err"), false);
  c.Expect(h.conn().WaitLine("LISTENING", 10000), "the token listener did not start");
  UniqueFd s;
  c.Expect(ConnectUnix(hsock, &s) == 0, "connect to the token listener");
  if (s) {
    LineConn peer(UniqueFd(dup(s.get())), std::move(s));
    const int64_t t0 = NowMs();
    c.Expect(peer.WaitLine("BPFD_AUTH ", 5000), "no challenge");
    const int64_t limit = 7000 + env.slack_ms;
    while (NowMs() - t0 < limit && peer.WaitLine("", static_cast<int>(limit - (NowMs() - t0)))) {
    }  // lines (a refusal) until the daemon closes, or the limit
    const int64_t took = NowMs() - t0;
    c.Expect(took < limit,
             "a silent peer was not dropped within 7 s (" + std::to_string(took) + " ms)");
    c.Note("silent peer dropped after " + std::to_string(took) + " ms");
  }
  h.Signal(SIGTERM);
  EndsWithin(c, h, 5000, {0}, "token listener stop");

  Daemon o(env.bpfd,
           {"--listen", "unix:" + osock, "--probe-api", "tracefs", "--write-timeout",
            std::to_string(kWriteTimeoutS)},
           c.Path("o.err"), false);
  c.Expect(o.conn().WaitLine("LISTENING", 10000), "the listener did not start");
  UniqueFd keep;  // the half-open peer's socket, open until the end of the case
  if (ConnectUnix(osock, &keep) == 0) {
    LineConn peer(UniqueFd(dup(keep.get())), UniqueFd(dup(keep.get())));
    std::string why = !peer.WaitLine("STARTED_BPFD", 10000)
                          ? "no banner"
                          : Populate(peer, env, c.tracefs(), c.UprobeOffset(peer), Tag("ho"));
    c.Expect(why.empty(), "setup: " + why);
    Flood(peer);  // the session's end shows as its events gone while `keep` stays open
  } else {
    c.Expect(false, "connect to the listener");
  }
  const int64_t t0 = NowMs();
  const int wait_ms = kWriteTimeoutS * 1000 + 4000 + env.slack_ms;
  while (CountEvents(Tag("ho")) > 0 && NowMs() - t0 < wait_ms) SleepMs(20);
  c.Expect(CountEvents(Tag("ho")) == 0, "the stalled session's events outlived the write deadline");
  c.Note("stalled session cleaned up after " + std::to_string(NowMs() - t0) + " ms");
  UniqueFd next;
  c.Expect(ConnectUnix(osock, &next) == 0, "connect again");
  if (next) {
    LineConn peer(UniqueFd(dup(next.get())), std::move(next));
    c.Expect(peer.WaitLine("STARTED_BPFD", 10000), "the listener does not serve the next peer");
    peer.Send("exit");
  }
  keep.reset();
  o.Signal(SIGTERM);
  EndsWithin(c, o, 5000, {0}, "listener stop");
  return c.Finish();
}

}  // namespace

struct NamedCase {
  const char* name;
  CaseResult (*run)(const FaultEnv&);
};

constexpr NamedCase kCases[] = {
    {"kill9_daemon", Kill9Daemon},   {"kill9_client", Kill9Client},
    {"stops_reading", StopsReading}, {"half_open", HalfOpen},
    {"big_line", BigLine},           {"ring_map_file", RingMapRegularFile},
    {"hostile_elf", HostileElf},     {"trace_pipe", TracePipe},
    {"fifo_exe", FifoExe},           {"sigterm_blocking", SigtermBlocking},
};

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  for (const NamedCase& k : kCases) names.push_back(k.name);
  return names;
}

CaseResult RunCase(const FaultEnv& env, const std::string& name) {
  if (geteuid() != 0) return {Outcome::kSkip, "needs root"};
  signal(SIGPIPE, SIG_IGN);  // a daemon that ended shows as EPIPE on our writes
  std::fflush(nullptr);      // Kill9Client forks
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.map_type = BPF_MAP_TYPE_ARRAY, attr.key_size = 4, attr.value_size = 4, attr.max_entries = 1;
  long fd = syscall(__NR_bpf, BPF_MAP_CREATE, &attr, sizeof attr);
  if (fd < 0) return {Outcome::kSkip, std::string("bpf() fails here: ") + std::strerror(errno)};
  close(static_cast<int>(fd));
  if (TracefsDir().empty()) return {Outcome::kSkip, "no tracefs"};
  for (const NamedCase& k : kCases)
    if (name == k.name) return k.run(env);
  return {Outcome::kFail, "no case named " + name};
}

}  // namespace bpfd::fault
