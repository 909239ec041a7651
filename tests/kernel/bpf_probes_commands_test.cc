// The bpf-probes protocol extensions on a real Session: GET_TRACE_EVENT_FORMAT,
// GET_ELF_FUNCS and GET_BPF_FEATURES validate their arguments, answer the documented formats,
// stay silent without kernel access (fuzzing) and leave no fd behind (the feature probes load
// hundreds of programs). Under qemu-user bpf() is ENOSYS: GET_BPF_FEATURES must say so.
#include <unistd.h>

#include <filesystem>
#include <string>

#include "core/daemon/handler.h"
#include "core/kernel/tracefs.h"
#include "tests/bpf_test_util.h"
#include "tests/testing.h"

using namespace bpfd;
using bpfd::testutil::Cmd;
using bpfd::testutil::Ret;

namespace {

const std::string kNR = "Command not recognized";

size_t OpenFdCount() {
  size_t n = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

std::string Value(const std::vector<std::string>& lines, const std::string& key) {
  for (const std::string& l : lines)
    if (l.rfind(key + " ", 0) == 0) return l.substr(key.size() + 1);
  return "";
}

}  // namespace

TEST(BadArgumentsAreRejected) {
  Session s;
  EXPECT_EQ(Cmd(s, "GET_BPF_FEATURES")[0], kNR);
  EXPECT_EQ(Cmd(s, "GET_BPF_FEATURES everything")[0], kNR);
  EXPECT_EQ(Cmd(s, "GET_ELF_FUNCS")[0], kNR);
  EXPECT_EQ(Cmd(s, "GET_ELF_FUNCS  ")[0], kNR);  // empty path token
  EXPECT_EQ(Cmd(s, "GET_TRACE_EVENT_FORMAT sched")[0], kNR);
  EXPECT_EQ(Ret(s, "GET_TRACE_EVENT_FORMAT .. sched_switch"), -EINVAL);
  EXPECT_EQ(Ret(s, "GET_TRACE_EVENT_FORMAT sched ../../x"), -EINVAL);
}

TEST(NoKernelSessionsAnswerEperm) {
  Session s(SessionOptions{.kernel = false});
  EXPECT_EQ(Ret(s, "GET_BPF_FEATURES all"), -EPERM);
  EXPECT_EQ(Ret(s, "GET_ELF_FUNCS /proc/self/exe"), -EPERM);
  EXPECT_EQ(Ret(s, "GET_TRACE_EVENT_FORMAT sched sched_switch"), -EPERM);
}

TEST(ElfFuncsOfThisTest) {
  Session s;
  auto lines = Cmd(s, "GET_ELF_FUNCS /proc/self/exe");
  long long n = testutil::RetOf(lines);
  EXPECT(n > 0);
  EXPECT_EQ(static_cast<long long>(lines.size()) - 1, n);
  bool found = false;
  for (size_t i = 1; i < lines.size(); ++i) found |= lines[i].find(" main") != std::string::npos;
  EXPECT(found);
  EXPECT_EQ(Ret(s, "GET_ELF_FUNCS /nonexistent/bpfd"), -ENOENT);
  EXPECT_EQ(Ret(s, "GET_ELF_FUNCS /proc/self/status"), -ENOEXEC);
}

TEST(TraceEventFormat) {
  std::string tracefs;
  if (FindTracefs(&tracefs) < 0) SKIP("no tracefs here");
  Session s;
  auto lines = Cmd(s, "GET_TRACE_EVENT_FORMAT sched sched_switch");
  if (testutil::RetOf(lines) == -ENOENT) SKIP("no sched:sched_switch event");
  EXPECT_EQ(static_cast<long long>(lines.size()) - 1, testutil::RetOf(lines));
  EXPECT(lines.size() > 2 && lines[1] == "name: sched_switch");
  bool tab_kept = false;
  for (const std::string& l : lines) tab_kept |= l.rfind("\tfield:", 0) == 0;
  EXPECT(tab_kept);
  EXPECT_EQ(Ret(s, "GET_TRACE_EVENT_FORMAT sched no_such_event_bpfd"), -ENOENT);
}

TEST(FeaturesLeaveNothingBehind) {
  Session s;
  size_t before = OpenFdCount();
  auto lines = Cmd(s, "GET_BPF_FEATURES all");
  EXPECT_EQ(OpenFdCount(), before);
  EXPECT_EQ(static_cast<long long>(lines.size()) - 1, testutil::RetOf(lines));
  std::string bpf = Value(lines, "bpf_syscall");
  if (bpf == std::to_string(-ENOSYS)) {
    EXPECT_EQ(Value(lines, "prog_type.kprobe"), "");  // nothing probed, nothing claimed
    SKIP("bpf() is ENOSYS here (qemu-user): program/map/helper probes not checked");
  }
  EXPECT_EQ(bpf, "yes");
  EXPECT_EQ(Value(lines, "map_type.hash"), "yes");
  EXPECT_EQ(Value(lines, "helper.kprobe.map_lookup_elem"), "yes");
  EXPECT_EQ(Value(lines, "helper.kprobe.sk_redirect_map"), "no");  // not for tracing programs
  EXPECT_EQ(Value(lines, "helper.tracepoint.get_current_pid_tgid"), "yes");
  EXPECT_EQ(Value(lines, "kprobe_pmu"),
            access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0 ? "yes" : "no");
  auto sys = Cmd(s, "GET_BPF_FEATURES system");
  EXPECT_EQ(Value(sys, "prog_type.kprobe"), "");  // system: no loads
  EXPECT_EQ(Value(sys, "bpf_syscall"), "yes");
}

TEST_MAIN()
