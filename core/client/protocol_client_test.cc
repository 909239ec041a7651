// Unit tests for core/client: ParseRet, and ProtocolClient against fake peers spawned with
// /bin/sh -c scripts (banner, framing, big replies, timeouts, resync, peer death, Close).
#include "core/client/protocol_client.h"
#include "core/base/clock.h"
#include "core/client/call.h"

#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

#include "core/base/unique_fd.h"
#include "core/wire/deflated_reply.h"
#include "tests/testing.h"

using bpfd::DeflateBody;
using bpfd::ParseRet;
using bpfd::ProtocolClient;

using bpfd::NowMs;

namespace {

// A peer that answers each line L with "x: ret=L" and "second", framed; `exit` ends it with 3.
constexpr const char* kEchoPeer =
    "printf 'STARTED_BPFD\\n'; "
    "while IFS= read -r l; do "
    "  if [ \"$l\" = exit ]; then exit 3; fi; "
    "  printf 'START_BPFD_OUTPUT\\nx: ret=%s\\nsecond\\nEND_BPFD_OUTPUT\\n' \"$l\"; "
    "done; exit 4";

// Shell printing one framed reply: the ret line `first`, then the shell word `data` if given.
std::string Framed(const std::string& first, const std::string& data = "") {
  if (data.empty()) return "printf 'START_BPFD_OUTPUT\\n" + first + "\\nEND_BPFD_OUTPUT\\n'; ";
  return "printf 'START_BPFD_OUTPUT\\n" + first + "\\n%s\\nEND_BPFD_OUTPUT\\n' \"" + data + "\"; ";
}

int SpawnSh(ProtocolClient* c, const std::string& script, bpfd::SpawnOptions opts = {}) {
  return c->Spawn({"/bin/sh", "-c", script}, opts);
}

}  // namespace

TEST(ParseRetClientRule) {
  int64_t v = 99;
  EXPECT_EQ(ParseRet("bpf_create_map: ret=3", &v), 0);
  EXPECT_EQ(v, 3);
  EXPECT_EQ(ParseRet("bpf_lookup_elem: ret=-2", &v), 0);
  EXPECT_EQ(v, -2);
  EXPECT_EQ(ParseRet("bpf_attach_tracepoint: ret=", &v), -ENOENT);  // no digits: no match
  EXPECT_EQ(ParseRet("AAAAAAAAAAA=", &v), -ENOENT);                 // data line
  EXPECT_EQ(ParseRet("", &v), -ENOENT);
  EXPECT_EQ(ParseRet("ret=-x ret=7", &v), 0);  // the regex searches on to the next match
  EXPECT_EQ(v, 7);
  EXPECT_EQ(ParseRet("ret=12abc", &v), 0);
  EXPECT_EQ(v, 12);
  EXPECT_EQ(ParseRet("GET_KSYM_NAME: ret=0", &v), 0);
  EXPECT_EQ(v, 0);
  EXPECT_EQ(ParseRet("x: ret=9223372036854775807", &v), 0);
  EXPECT_EQ(v, INT64_MAX);
  EXPECT_EQ(ParseRet("x: ret=-9223372036854775808", &v), 0);
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_EQ(ParseRet("x: ret=9223372036854775808", &v), -ERANGE);
}

TEST(SpawnFailureIsReported) {
  ProtocolClient c;
  EXPECT_EQ(c.Spawn({"/nonexistent/bpfd-client-test"}), -ENOENT);
  EXPECT_EQ(c.pid(), -1);
  EXPECT_EQ(c.Spawn({}), -EINVAL);
  EXPECT_EQ(c.Close(), -ECHILD);
}

TEST(BannerSkipsNoise) {
  ProtocolClient c;
  EXPECT_EQ(SpawnSh(&c, "printf 'motd\\r\\nSTARTED_BPFD\\r\\n'; cat >/dev/null"), 0);
  EXPECT(c.pid() > 0);
  EXPECT_EQ(c.WaitBanner(5000), 0);
  EXPECT_EQ(c.Close(5000), 0);  // cat sees EOF
  EXPECT_EQ(c.pid(), -1);
}

TEST(ReplyFramingAndExit) {
  ProtocolClient c;
  EXPECT_EQ(SpawnSh(&c, kEchoPeer), 0);
  EXPECT_EQ(c.WaitBanner(5000), 0);
  std::vector<std::string> lines;
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(c.Call(std::to_string(i), &lines, 5000), 0);
    EXPECT_EQ(lines.size(), 2u);
    int64_t v = -1;
    if (!lines.empty()) EXPECT_EQ(ParseRet(lines[0], &v), 0);
    EXPECT_EQ(v, i);
    if (lines.size() == 2) EXPECT_EQ(lines[1], "second");
  }
  EXPECT_EQ(c.buffered(), 0u);
  // Lines that get no reply are refused instead of waiting for one.
  EXPECT_EQ(c.Call("", &lines, 100), -EINVAL);
  EXPECT_EQ(c.Call("\r", &lines, 100), -EINVAL);
  EXPECT_EQ(c.Call("exit", &lines, 100), -EINVAL);
  EXPECT_EQ(c.Call("a\nb", &lines, 100), -EINVAL);
  EXPECT_EQ(c.Close(5000), 3);  // the peer saw "exit"
}

TEST(EmptyReplyAndCrLf) {
  ProtocolClient c;
  EXPECT_EQ(SpawnSh(&c,
                    "printf 'STARTED_BPFD\\n'; read -r l; "
                    "printf 'START_BPFD_OUTPUT\\nEND_BPFD_OUTPUT\\n'; read -r l; "
                    "printf 'START_BPFD_OUTPUT\\r\\na\\r\\n\\r\\nEND_BPFD_OUTPUT\\r\\n'; "
                    "cat >/dev/null"),
            0);
  EXPECT_EQ(c.WaitBanner(5000), 0);
  std::vector<std::string> lines = {"stale"};
  EXPECT_EQ(c.Call("PERF_READER_POLL 0 0", &lines, 5000), 0);
  EXPECT(lines.empty());
  EXPECT_EQ(c.Call("X", &lines, 5000), 0);
  EXPECT_EQ(lines.size(), 2u);
  if (lines.size() == 2) {
    EXPECT_EQ(lines[0], "a");
    EXPECT_EQ(lines[1], "");
  }
  EXPECT_EQ(c.Close(5000), 0);
}

TEST(MultiMegabyteReply) {
  ProtocolClient c;
  // ~4.5 MB: 500 000 lines of "abcdefgh" plus a 1 MB line.
  EXPECT_EQ(SpawnSh(&c,
                    "printf 'STARTED_BPFD\\n'; read -r l; printf 'START_BPFD_OUTPUT\\n'; "
                    "yes abcdefgh | head -n 500000; head -c 1048576 /dev/zero | tr '\\0' x; "
                    "printf '\\nEND_BPFD_OUTPUT\\n'; cat >/dev/null"),
            0);
  EXPECT_EQ(c.WaitBanner(5000), 0);
  size_t n = 0, bad = 0, longest = 0;
  int64_t t0 = NowMs();
  EXPECT_EQ(c.CallEach(
                "BIG",
                [&](std::string_view l) {
                  if (n < 500000 && l != "abcdefgh") ++bad;
                  longest = std::max(longest, l.size());
                  ++n;
                  return 0;
                },
                20000),
            0);
  EXPECT_EQ(n, 500001u);
  EXPECT_EQ(bad, 0u);
  EXPECT_EQ(longest, 1048576u);
  EXPECT(NowMs() - t0 < 10000);
  EXPECT_EQ(c.Close(5000), 0);
}

TEST(SilentPeerTimesOut) {
  ProtocolClient c;
  EXPECT_EQ(SpawnSh(&c, "exec sleep 30"), 0);
  int64_t t0 = NowMs();
  EXPECT_EQ(c.WaitBanner(200), -ETIMEDOUT);
  std::vector<std::string> lines;
  EXPECT_EQ(c.Call("BPF_GET_FIRST_KEY 3 8 40 1", &lines, 200), -ETIMEDOUT);
  int64_t elapsed = NowMs() - t0;
  EXPECT(elapsed >= 350 && elapsed < 3000);
  t0 = NowMs();
  EXPECT_EQ(c.Close(300), -ETIMEDOUT);  // it ignores exit and EOF: killed
  EXPECT(NowMs() - t0 < 3000);
  EXPECT_EQ(c.pid(), -1);
  EXPECT(!c.terminated());
}

// A peer whose input someone else still holds ends on SIGTERM (a daemon cleans up then), not
// on SIGKILL.
TEST(CloseSendsSigtermAfterTheLinger) {
  ProtocolClient c;
  EXPECT_EQ(SpawnSh(&c, "trap 'exit 4' TERM; while :; do sleep 0.05; done"), 0);
  int64_t t0 = NowMs();
  EXPECT_EQ(c.Close(10000, 200), 4);
  EXPECT(c.terminated());
  EXPECT(NowMs() - t0 >= 200 && NowMs() - t0 < 5000);
}

TEST(ResyncAfterTimeout) {
  ProtocolClient c;
  EXPECT_EQ(SpawnSh(&c,
                    "printf 'STARTED_BPFD\\n'; read -r l; sleep 1; "
                    "printf 'START_BPFD_OUTPUT\\nlate\\nEND_BPFD_OUTPUT\\n'; read -r l; "
                    "printf 'START_BPFD_OUTPUT\\nfresh\\nEND_BPFD_OUTPUT\\n'; cat >/dev/null"),
            0);
  EXPECT_EQ(c.WaitBanner(5000), 0);
  std::vector<std::string> lines;
  EXPECT_EQ(c.Call("A", &lines, 100), -ETIMEDOUT);
  EXPECT_EQ(c.Call("B", &lines, 5000), 0);  // the late reply to A is skipped
  EXPECT_EQ(lines.size(), 1u);
  if (!lines.empty()) EXPECT_EQ(lines[0], "fresh");
  EXPECT_EQ(c.Close(5000), 0);
}

// Posted commands are answered in order; the next call skips their replies, and a long run
// of posts never leaves more than kMaxPosted replies unread (the peer never blocks on them).
// The failures among them are kept.
TEST(PostedRepliesAreSkipped) {
  ProtocolClient c;
  EXPECT_EQ(SpawnSh(&c, kEchoPeer), 0);
  EXPECT_EQ(c.WaitBanner(5000), 0);
  // 5000 posts and their replies (~1 MB each way) would fill both pipes, and block the peer
  // and us, if no reply were read in between.
  const std::string pad(200, 'p');
  int failed = 0;
  for (int i = 0; i < 5000; ++i) failed += c.Post(pad + std::to_string(i), 2000) != 0;
  EXPECT_EQ(failed, 0);
  std::vector<std::string> lines;
  EXPECT_EQ(c.Call("7", &lines, 5000), 0);
  EXPECT(lines.size() == 2 && lines[0] == "x: ret=7");
  EXPECT_EQ(c.buffered(), 0u);
  EXPECT(c.TakeSkippedFailures().empty());  // "x: ret=ppp…": not a number
  // Skipped replies that report a failure are kept for the caller: only their ret lines.
  for (const char* ret : {"-9", "5", "-22 (not this)", "0"}) EXPECT_EQ(c.Post(ret, 2000), 0);
  EXPECT_EQ(c.Call("1", &lines, 5000), 0);
  std::vector<std::string> failed_lines = c.TakeSkippedFailures();
  EXPECT(failed_lines == (std::vector<std::string>{"x: ret=-9", "x: ret=-22 (not this)"}));
  EXPECT(c.TakeSkippedFailures().empty());
  EXPECT_EQ(c.Post("", 100), -EINVAL);
  EXPECT_EQ(c.Post("exit", 100), -EINVAL);
  EXPECT_EQ(c.Close(5000), 3);
}

// A call after a post does not wait for the posted reply before it sends its own line: this
// peer answers neither until it has read both (over a link, waiting would cost the round trip
// that posting saves).
TEST(CallAfterPostSendsAtOnce) {
  ProtocolClient c;
  EXPECT_EQ(SpawnSh(&c, "printf 'STARTED_BPFD\\n'; read -r p; read -r l; " + Framed("p: ret=0") +
                            Framed("x: ret=5", "$l") + "cat >/dev/null"),
            0);
  EXPECT_EQ(c.WaitBanner(3000), 0);
  EXPECT_EQ(c.Post("POSTED", 1000), 0);
  std::vector<std::string> lines;
  EXPECT_EQ(c.Call("NOW", &lines, 2000), 0);
  EXPECT(lines == (std::vector<std::string>{"x: ret=5", "NOW"}));
  c.Close(2000);
}

// Deflated replies (after COMPRESS deflate) reach the caller as the lines they hold, counted
// as the bytes that crossed; a posted one's failure is read inside it; without set_inflate the
// line is handed over as it is.
TEST(DeflatedRepliesAreInflated) {
  std::string body = "file_read: ret=4000\n" + std::string(4000, 'A') + "\n", big, closed;
  EXPECT_EQ(DeflateBody(body, &big), 0);
  EXPECT_EQ(DeflateBody("sys_ioctl: ret=-22\n" + std::string(600, 'x') + "\n", &closed), 0);
  auto reply = [](const std::string& line) {
    return "printf 'START_BPFD_OUTPUT\\n%s\\nEND_BPFD_OUTPUT\\n' '" +
           line.substr(0, line.size() - 1) + "'; ";
  };
  const std::string peer = "printf 'STARTED_BPFD\\n'; read -r l; " + reply(big) + "read -r l; " +
                           reply(closed) + "read -r l; " + reply(big) + "cat >/dev/null";
  for (bool inflate : {true, false}) {
    ProtocolClient c;
    c.set_inflate(inflate);
    EXPECT_EQ(SpawnSh(&c, peer), 0);
    EXPECT_EQ(c.WaitBanner(5000), 0);
    std::vector<std::string> lines;
    EXPECT_EQ(c.Call("FILE_READ x", &lines, 5000), 0);
    if (inflate) {
      EXPECT(lines.size() == 2 && lines[0] == "file_read: ret=4000" && lines[1].size() == 4000);
    } else {
      EXPECT(lines.size() == 1 && lines[0] + "\n" == big);
    }
    EXPECT_EQ(c.reply_bytes(), big.size());  // what crossed, not the 4 kB it stands for
    EXPECT_EQ(c.Post("SYS_IOCTL 1 2 3", 2000), 0);
    EXPECT_EQ(c.Call("FILE_READ x", &lines, 5000), 0);
    std::vector<std::string> failed = c.TakeSkippedFailures();
    EXPECT(inflate ? failed == std::vector<std::string>{"sys_ioctl: ret=-22"} : failed.empty());
    c.Close(2000);
  }
}

// A batch (call.h) is written at once and its replies read in order: this peer reads all three
// lines before it answers any, so a client that waited for the first reply would time out. A posted
// command's reply before the batch is skipped; too many bytes or an unanswered line is refused.
TEST(BatchSendsEveryLineBeforeReading) {
  ProtocolClient c;
  EXPECT_EQ(SpawnSh(&c, "printf 'STARTED_BPFD\\n'; read -r p; " + Framed("posted: ret=-1") +
                            "read -r a; read -r b; read -r d; for l in \"$a\" \"$b\" \"$d\"; do " +
                            Framed("x: ret=0", "$l") + "done; read -r e; " + Framed("last: ret=9") +
                            "cat >/dev/null"),
            0);
  EXPECT_EQ(c.WaitBanner(5000), 0);
  EXPECT_EQ(c.Post("P", 2000), 0);
  std::vector<bpfd::Result<bpfd::CallReply>> replies = bpfd::CallBatch(c, {"A", "BB", "C"});
  EXPECT_EQ(replies.size(), 3u);
  if (replies.size() == 3 && replies[1].ok() && replies[2].ok()) {
    EXPECT(replies[1]->ret == 0 && replies[1]->data == std::vector<std::string>{"BB"});
    EXPECT(replies[2]->ret == 0 && replies[2]->data == std::vector<std::string>{"C"});
    EXPECT_EQ(replies[1]->bytes, 12u);  // "x: ret=0\n" + "BB\n"
  } else {
    EXPECT(false);
  }
  EXPECT(c.TakeSkippedFailures() == std::vector<std::string>{"posted: ret=-1"});
  replies = bpfd::CallBatch(c, {"A", "exit"});
  EXPECT(replies.size() == 2 && replies[0].err() == -EINVAL && replies[1].err() == -EINVAL);
  replies = bpfd::CallBatch(c, {std::string(ProtocolClient::kMaxAskedBytes, 'a')});
  EXPECT(replies.size() == 1 && replies[0].err() == -E2BIG);
  std::vector<std::string> lines;
  EXPECT_EQ(c.Call("E", &lines, 3000), 0);
  EXPECT(lines == std::vector<std::string>{"last: ret=9"});
  c.Close(2000);
}

// Asks are answered in order after the posted replies before them; this peer reads the asked
// line before it prints its banner, as a daemon's start overlaps the line's trip.
TEST(AskBeforeTheBannerAnswerAfter) {
  ProtocolClient c;
  EXPECT_EQ(SpawnSh(&c,
                    "read -r p; read -r a; read -r b; printf 'STARTED_BPFD\\n'; "
                    "for l in \"$p\" \"$a\" \"$b\"; do " +
                        Framed("x: ret=1", "$l") + "done; while read -r l; do " +
                        Framed("y: ret=2", "$l") + "done"),
            0);
  std::vector<std::string> lines;
  EXPECT_EQ(c.Answer(&lines, 100), -ENOMSG);
  EXPECT_EQ(c.Post("POSTED", 2000), 0);
  EXPECT_EQ(c.Ask("FIRST", 2000), 0);
  EXPECT_EQ(c.Ask("SECOND", 2000), 0);
  EXPECT_EQ(c.Post("LATE", 2000), -EBUSY);  // its reply would come before the answers
  EXPECT_EQ(c.WaitBanner(3000), 0);
  EXPECT_EQ(c.Answer(&lines, 3000), 0);
  EXPECT(lines == (std::vector<std::string>{"x: ret=1", "FIRST"}));
  EXPECT_EQ(c.Answer(&lines, 3000), 0);
  EXPECT(lines == (std::vector<std::string>{"x: ret=1", "SECOND"}));
  EXPECT_EQ(c.Answer(&lines, 100), -ENOMSG);
  // An ask left unanswered is skipped by the next call.
  EXPECT_EQ(c.Ask("DROPPED", 2000), 0);
  EXPECT_EQ(c.Call("CALL", &lines, 3000), 0);
  EXPECT(lines == (std::vector<std::string>{"y: ret=2", "CALL"}));
  EXPECT_EQ(c.Post("P2", 2000), 0);
  c.Close(2000);
}

TEST(CallbackCanStopACall) {
  ProtocolClient c;
  EXPECT_EQ(SpawnSh(&c, kEchoPeer), 0);
  EXPECT_EQ(c.WaitBanner(5000), 0);
  EXPECT_EQ(c.CallEach(
                "1", [](std::string_view) { return -ECANCELED; }, 5000),
            -ECANCELED);
  std::vector<std::string> lines;
  EXPECT_EQ(c.Call("2", &lines, 5000), 0);
  EXPECT_EQ(lines.size(), 2u);
  if (!lines.empty()) EXPECT_EQ(lines[0], "x: ret=2");
  EXPECT_EQ(c.Close(5000), 3);
}

TEST(PeerDeathIsAnError) {
  ProtocolClient c;
  EXPECT_EQ(SpawnSh(&c, "printf 'STARTED_BPFD\\n'; exit 7"), 0);
  EXPECT_EQ(c.WaitBanner(5000), 0);
  EXPECT_EQ(c.WaitBanner(5000), -ECONNRESET);  // it closed its stdout: it is gone
  // Nobody reads our writes any more: -EPIPE, and SIGPIPE does not kill the test.
  int r = 0;
  for (int i = 0; i < 100 && r == 0; ++i) {  // its stdin closes when the process exits
    r = c.Send("BPF_LOOKUP_ELEM 3 AAAAAAAAAAA= 8 40", 1000);
    if (r == 0) usleep(10000);
  }
  EXPECT_EQ(r, -EPIPE);
  std::vector<std::string> lines;
  r = c.Call("BPF_LOOKUP_ELEM 3 AAAAAAAAAAA= 8 40", &lines, 1000);
  EXPECT(r == -EPIPE || r == -ECONNRESET);
  EXPECT_EQ(c.Close(5000), 7);
}

TEST(PeerDiesMidReply) {
  ProtocolClient c;
  EXPECT_EQ(SpawnSh(&c,
                    "printf 'STARTED_BPFD\\n'; read -r l; "
                    "printf 'START_BPFD_OUTPUT\\npartial\\n'; kill -9 $$"),
            0);
  EXPECT_EQ(c.WaitBanner(5000), 0);
  std::vector<std::string> lines;
  int64_t t0 = NowMs();
  EXPECT_EQ(c.Call("X", &lines, 5000), -ECONNRESET);
  EXPECT(NowMs() - t0 < 4000);
  EXPECT_EQ(c.Close(5000), 128 + SIGKILL);
}

TEST(StderrRedirect) {
  int p[2];
  EXPECT_EQ(pipe2(p, O_CLOEXEC), 0);
  bpfd::UniqueFd r(p[0]), w(p[1]);
  ProtocolClient c;
  bpfd::SpawnOptions opts;
  opts.stderr_fd = w.get();
  EXPECT_EQ(SpawnSh(&c, "printf 'oops' >&2; printf 'STARTED_BPFD\\n'; cat >/dev/null", opts), 0);
  w.reset();
  EXPECT_EQ(c.WaitBanner(5000), 0);
  EXPECT_EQ(c.Close(5000), 0);
  char buf[16] = {};
  EXPECT_EQ(read(r.get(), buf, sizeof(buf) - 1), 4);
  EXPECT_EQ(std::string(buf), "oops");
}

TEST_MAIN()
