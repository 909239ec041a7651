// Unit tests for the protocol layer without touching the kernel: the command table, argument
// parsing and validation, framing (Reply), and HandleLine's actions.
#include "core/daemon/dispatch.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "core/base/unique_fd.h"
#include "core/daemon/handler.h"
#include "tests/testing.h"

using namespace bpfd;

namespace {

// Runs one line on a kernel-less session; returns the reply body.
std::string Run(Session& s, const std::string& line, LineAction* act = nullptr) {
  Reply r;
  LineAction a = HandleLine(s, line, r);
  if (act) *act = a;
  return std::string(r.body());
}

std::string Run(const std::string& line) {
  Session s(SessionOptions{.kernel = false});
  return Run(s, line);
}

const std::string kNR = "Command not recognized\n";

}  // namespace

TEST(Actions) {
  Session s(SessionOptions{.kernel = false});
  LineAction a;
  EXPECT_EQ(Run(s, "", &a), std::string());
  EXPECT(a == LineAction::kIgnore);
  EXPECT_EQ(Run(s, "\r", &a), std::string());
  EXPECT(a == LineAction::kIgnore);
  Run(s, "exit", &a);
  EXPECT(a == LineAction::kExit);
  Run(s, "exit\r", &a);
  EXPECT(a == LineAction::kExit);
  Run(s, "exit now", &a);
  EXPECT(a == LineAction::kExit);
  EXPECT_EQ(Run(s, "exitx", &a), kNR);
  EXPECT(a == LineAction::kReply);
}

TEST(UnknownAndMalformed) {
  EXPECT_EQ(Run("HELLO"), kNR);
  EXPECT_EQ(Run("bpf_create_map 1 a 1 1 1 0"), kNR);
  EXPECT_EQ(Run(" BPF_CREATE_MAP 1 a 1 1 1 0"), kNR);
  EXPECT_EQ(Run("BPF_CREATE_MAP 1 a 1 1 1 0x0"), kNR);
  EXPECT_EQ(Run("BPF_CREATE_MAP 1 a 1  1 1 0"), kNR);
  EXPECT_EQ(Run("BPF_CREATE_MAP 1 a 1 1 1"), kNR);  // 5 args, but not all numeric
  EXPECT_EQ(Run("BPF_UPDATE_ELEM 3 AAAA 3 AAAA 3 -1"), kNR);
  EXPECT_EQ(Run("GET_KSYM_NAME 0xffff"), kNR);
  EXPECT_EQ(Run("BPF_GET_FIRST_KEY 3 4 4 2"), kNR);
  EXPECT_EQ(Run("GET_USYM_NAME 1 2 2"), kNR);
  EXPECT_EQ(Run("BPF_ATTACH_KPROBE 3 2 ev fn"), kNR);
  EXPECT_EQ(Run("PERF_READER_POLL 10 1 three"), kNR);
  EXPECT_EQ(Run(std::string("BPF_CREATE_MAP 1 a 1 1 1 0\0", 27)), kNR);
}

TEST(EveryCommandNeedsItsArguments) {
  for (const Command& c : Commands()) {
    if (c.min_args == 0) continue;
    std::string line(c.name);
    for (size_t i = 0; i + 1 < c.min_args; ++i) line += " 1";
    if (Run(line) != kNR) {
      std::printf("  %s with %zu args was accepted\n", line.c_str(), c.min_args - 1);
      EXPECT(false);
    }
  }
}

TEST(ValidLinesReachTheKernelGate) {
  // With the kernel disabled a well-formed command answers ret=-1 (EPERM) right where it would
  // have called the kernel; validation failures that need no kernel answer ret=-22.
  struct Case {
    const char* line;
    const char* reply;
  } cases[] = {
      {"BPF_CREATE_MAP 1 count 8 40 10240 0", "bpf_create_map: ret=-1\n"},
      {"BPF_CREATE_MAP 1 count 8 40 10240 0 trailing args", "bpf_create_map: ret=-1\n"},
      {"BPF_CREATE_MAP 1 8 40 10240 0", "bpf_create_map: ret=-1\n"},
      {"BPF_PROG_LOAD 1 __none__ 8 GPL 0 lQAAAAAAAAA=", "bpf_prog_load: ret=-1\n"},
      {"BPF_PROG_LOAD 1 __none__ 8 GPL 0 lQAAAAAAAA==", "bpf_prog_load: ret=-22\n"},
      {"BPF_PROG_LOAD 1 __none__ 16 GPL 0 lQAAAAAAAAA=", "bpf_prog_load: ret=-22\n"},
      {"BPF_PROG_LOAD 1 __none__ 9 GPL 0 lQAAAAAAAAA=", "bpf_prog_load: ret=-22\n"},
      {"BPF_PROG_LOAD 1 x 999999999999 GPL 0 AAAA", "bpf_prog_load: ret=-22\n"},
      {"BPF_UPDATE_ELEM 3 AAAAAA== 4 AAAAAA== 4 0", "bpf_update_elem: ret=-22\n"},
      {"BPF_LOOKUP_ELEM 3 AAAAAA== 4 4", "bpf_lookup_elem: ret=-22\n"},
      {"BPF_GET_FIRST_KEY 3 4 4 1", "bpf_get_first_key: ret=-22\n"},
      {"BPF_GET_NEXT_KEY 3 AAAAAA== 4", "bpf_get_next_key: ret=-22\n"},
      {"BPF_DELETE_ELEM 3 AAAAAA== 4", "bpf_delete_elem: ret=-22\n"},
      {"BPF_CLEAR_MAP 3 4", "bpf_clear_map: ret=-22\n"},
      {"BPF_ATTACH_KPROBE 3 0 ev fn", "bpf_attach_kprobe: ret=-22\n"},
      {"BPF_DETACH_KPROBE ev", "bpf_detach_kprobe: ret=-2\n"},
      {"BPF_ATTACH_UPROBE 3 1 ev /bin/sh 4096 -1", "bpf_attach_uprobe: ret=-22\n"},
      {"BPF_DETACH_UPROBE ev", "bpf_detach_uprobe: ret=-2\n"},
      {"BPF_ATTACH_TRACEPOINT 3 sched sched_switch", "bpf_attach_tracepoint: ret=-22\n"},
      {"BPF_DETACH_TRACEPOINT sched sched_switch", "bpf_detach_tracepoint: ret=-2\n"},
      {"BPF_ATTACH_PERF_EVENT 3 1 0 0 99 -1 0 -1", "bpf_attach_perf_event: ret=-22\n"},
      {"BPF_CLOSE_PERF_EVENT_FD 3", "bpf_close_perf_event_fd: ret=-22\n"},
      {"BPF_OPEN_PERF_BUFFER -1 0 8", "bpf_open_perf_buffer: ret=-1\n"},
      {"BPF_OPEN_PERF_BUFFER -1 0 6", "bpf_open_perf_buffer: ret=-22\n"},
      {"BPF_OPEN_PERF_BUFFER -2 0 8", "bpf_open_perf_buffer: ret=-22\n"},
      {"PERF_READER_POLL 100 0", "perf_reader_poll: ret=-1\n"},
      {"PERF_READER_POLL 100 -1", "perf_reader_poll: ret=-22\n"},
      {"PERF_READER_POLL 100 2 3", "perf_reader_poll: ret=-22\n"},
      {"PERF_READER_POLL 100 1 3 4", "perf_reader_poll: ret=-22\n"},
      {"PERF_READER_POLL 100 1 3", "perf_reader_poll: ret=-22\n"},
      {"PERF_READER_LOST", "perf_reader_lost: ret=0\n"},
      {"PERF_READER_LOST 3", "perf_reader_lost: ret=-22\n"},
      {"GET_KALLSYMS", "get_kallsyms: ret=-1\n"},
      {"GET_KPROBES_BLACKLIST /sys/kernel/tracing", "get_kprobes_blacklist: ret=-1\n"},
      {"GET_AVAIL_FILTER_FUNCS /sys/kernel/tracing", "get_avail_filter_funcs: ret=-1\n"},
      {"GET_TRACE_EVENTS_CATEGORIES /sys/kernel/tracing", "get_trace_events_categories: ret=-1\n"},
      {"GET_TRACE_EVENTS /sys/kernel/tracing sched", "get_trace_events: ret=-1\n"},
      {"GET_TRACE_EVENTS /sys/kernel/tracing ../x", "get_trace_events: ret=-22\n"},
      {"COMM_FOR_PID 1", "comm_for_pid: ret=-1\n"},
      {"COMM_FOR_PID -1", "comm_for_pid: ret=-22\n"},
      {"GET_KSYM_NAME 18446744073709551615 0", "GET_KSYM_NAME: ret=-1\n"},
      {"GET_KSYM_ADDR do_sys_open 0", "GET_KSYM_ADDR: ret=-1\n"},
      {"GET_USYM_NAME 1 4096 1", "GET_USYM_NAME: ret=-1\n"},
      {"GET_USYM_ADDR 1 main /bin/sh", "GET_USYM_ADDR: ret=-1\n"},
      {"GET_USYM_ADDR -1 main ", "GET_USYM_ADDR: ret=-1\n"},
  };
  for (const Case& c : cases) {
    std::string got = Run(c.line);
    if (got != c.reply) {
      std::printf("  %s\n    got:  %s    want: %s", c.line, got.c_str(), c.reply);
      EXPECT(false);
    }
  }
}

TEST(EveryTableEntryIsCovered) {
  // Guards against adding a command without thinking about its parsing: each needs a
  // ret_name and a handler.
  for (const Command& c : Commands()) {
    EXPECT(!c.ret_name.empty());
    EXPECT(c.handler != nullptr);
  }
  EXPECT(Commands().size() >= 29u);
}

TEST(ReplyFraming) {
  int p[2];
  EXPECT_EQ(pipe2(p, O_CLOEXEC), 0);
  UniqueFd rd(p[0]), wr(p[1]);
  Reply r;
  r.Ret("fn", -22);
  r.Line("a b");
  r.Text("x\ny");  // newline added
  r.Text("");
  EXPECT_EQ(std::string(r.body()), std::string("fn: ret=-22\na b\nx\ny\n"));
  EXPECT_EQ(r.Flush(wr.get()), 0);
  EXPECT(r.empty());
  char buf[256];
  ssize_t n = read(rd.get(), buf, sizeof(buf));
  EXPECT_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0),
            std::string("START_BPFD_OUTPUT\nfn: ret=-22\na b\nx\ny\nEND_BPFD_OUTPUT\n"));
  r.NotRecognized();
  EXPECT_EQ(std::string(r.body()), kNR);
}

TEST(TextRepliesCannotEndEarly) {
  Reply r;
  r.Text("a\tb\nEND_BPFD_OUTPUT\nSTART_BPFD_OUTPUT\nc\rd\n");
  EXPECT_EQ(std::string(r.body()), "a\tb\n?END_BPFD_OUTPUT\n?START_BPFD_OUTPUT\nc?d\n");
  // A file's text (kallsyms, the kprobe blacklist, available_filter_functions) goes the same way.
  char path[] = "/tmp/bpfd_dispatch_test_XXXXXX";
  int fd = mkstemp(path);
  EXPECT(fd >= 0);
  const std::string text = "ffff t f1\nEND_BPFD_OUTPUT\nffff t f2\n";
  EXPECT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  Reply reply;
  CommandReply cr(reply, "get_kallsyms");
  ReplyFile(cr, {path});
  unlink(path);
  EXPECT_EQ(std::string(reply.body()), "ffff t f1\n?END_BPFD_OUTPUT\nffff t f2\n");
}

TEST(ReplyEpipe) {
  signal(SIGPIPE, SIG_IGN);
  int p[2];
  EXPECT_EQ(pipe2(p, O_CLOEXEC), 0);
  UniqueFd rd(p[0]), wr(p[1]);
  rd.reset();
  Reply r;
  r.Line("lost");
  EXPECT_EQ(r.Flush(wr.get()), -EPIPE);
}

TEST(LargeReplyIsOneBuffer) {
  Reply r;
  for (int i = 0; i < 200000; ++i) r.Line("0123456789abcdef0123456789abcdef");
  EXPECT_EQ(r.body().size(), size_t{200000} * 33);
}

// Lines refused whole: too many tokens (counted before any is made), or over --max-line
// (LineReader's -E2BIG): E2BIG under the command's own reply name, else "not recognized".
TEST(LinesOverTheCaps) {
  std::string spaces(kMaxTokens, ' ');
  EXPECT_EQ(Run("RING_POLL 0" + spaces), std::string("ring_poll: ret=-7\n"));
  EXPECT_EQ(Run(spaces), kNR);
  EXPECT_EQ(Run("RING_POLL 0" + spaces.substr(2)), kNR);  // at the cap: parsed (empty rings)
  Reply r;
  EXPECT(HandleOverlongLine("SYS_BPF 1 QUFB", 70u << 20, 64u << 20, r) == LineAction::kReply);
  EXPECT_EQ(std::string(r.body()), std::string("sys_bpf: ret=-7\n"));
  HandleOverlongLine("AAAAAAAAAAAAAAAA", 70u << 20, 64u << 20, r);
  EXPECT_EQ(std::string(r.body()), kNR);
  HandleOverlongLine("exit now", 70u << 20, 64u << 20, r);  // not an exit: the line was dropped
  EXPECT_EQ(std::string(r.body()), kNR);
}

TEST_MAIN()
