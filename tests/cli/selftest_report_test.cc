// bpf-selftest's client side and config reader, without a kernel: reply-line parsing, which
// checks decide the verdict, the summary's wording, the protocol command's argument checks,
// and KernelConfig's parsing of config text.
#include "core/client/selftest_client.h"
#include "core/daemon/dispatch.h"
#include "core/kernel/kconfig.h"
#include "tests/testing.h"

using bpfd::SelftestCheck;

namespace {

std::vector<SelftestCheck> Checks(std::initializer_list<const char*> lines) {
  std::vector<SelftestCheck> out;
  for (const char* l : lines) {
    SelftestCheck c;
    EXPECT_EQ(bpfd::ParseSelftestLine(l, &c), 0);
    out.push_back(c);
  }
  return out;
}

}  // namespace

TEST(parses_reply_lines) {
  SelftestCheck c;
  EXPECT_EQ(bpfd::ParseSelftestLine("FAIL kprobe CONFIG_KPROBES is not set: x", &c), 0);
  EXPECT_EQ(c.status, std::string("FAIL"));
  EXPECT_EQ(c.name, std::string("kprobe"));
  EXPECT_EQ(c.reason, std::string("CONFIG_KPROBES is not set: x"));
  EXPECT_EQ(bpfd::ParseSelftestLine("PASS jit", &c), 0);
  EXPECT_EQ(c.reason, std::string(""));
  EXPECT(bpfd::ParseSelftestLine("OK jit fine", &c) < 0);
  EXPECT(bpfd::ParseSelftestLine("PASS", &c) < 0);
  EXPECT(bpfd::ParseSelftestLine("PASS  x", &c) < 0);
}

TEST(required_checks_decide_and_summary_names_what_is_missing) {
  auto v = bpfd::JudgeSelftest(
      Checks({"PASS bpf-syscall ok", "PASS map-create ok", "PASS prog-load ok", "PASS tracefs ok",
              "PASS tracepoint ok", "FAIL config-KPROBES CONFIG_KPROBES is not set: no",
              "FAIL kprobe CONFIG_KPROBES is not set: no kprobe PMU; fix: rebuild",
              "PASS uprobe ok", "FAIL jit JIT disabled: slower; fix: echo 1"}));
  EXPECT(v.ok);
  EXPECT_EQ(v.summary, std::string("bpf-selftest: tracing works; unavailable here: kprobe tools "
                                   "(CONFIG_KPROBES is not set), BPF JIT (JIT disabled)"));
}

TEST(first_required_failure_explains_rather_than_its_skips) {
  auto v = bpfd::JudgeSelftest(Checks({"FAIL bpf-syscall bpf() is not implemented here (ENOSYS)",
                                       "SKIP map-create needs bpf()", "SKIP prog-load needs bpf()",
                                       "PASS tracefs ok", "SKIP tracepoint needs bpf()"}));
  EXPECT(!v.ok);
  EXPECT_EQ(v.summary, std::string("bpf-selftest: tracing does not work here: bpf-syscall: "
                                   "bpf() is not implemented here (ENOSYS)"));
  v = bpfd::JudgeSelftest(Checks({"PASS bpf-syscall ok", "PASS map-create ok", "PASS prog-load ok",
                                  "SKIP tracepoint needs tracefs", "FAIL tracefs not mounted"}));
  EXPECT(!v.ok);
  EXPECT(v.summary.find("tracefs: not mounted") != std::string::npos);
}

TEST(missing_required_checks_are_not_ok) {
  EXPECT(!bpfd::JudgeSelftest(Checks({"PASS bpf-syscall ok"})).ok);
  EXPECT(!bpfd::JudgeSelftest({}).ok);
}

TEST(check_list_knows_config_lines_and_required_set) {
  EXPECT(bpfd::FindSelftestCheck("config-KPROBES") != nullptr);
  EXPECT(bpfd::FindSelftestCheck("nonsense") == nullptr);
  int required = 0;
  for (const auto& c : bpfd::SelftestCheckList()) required += c.required;
  EXPECT_EQ(required, 5);
}

TEST(selftest_command_validates_and_honours_no_kernel) {
  bpfd::Session s(bpfd::SessionOptions{.kernel = false});
  bpfd::Reply r;
  bpfd::HandleLine(s, "SELFTEST extra", r);
  EXPECT_EQ(std::string(r.body()), std::string("Command not recognized\n"));
  bpfd::HandleLine(s, "SELFTEST", r);
  EXPECT_EQ(std::string(r.body()), std::string("selftest: ret=-1\n"));
}

TEST(kconfig_parses_set_module_and_not_set) {
  bpfd::KernelConfig k;
  EXPECT(!k.loaded());
  k.Parse(
      "# comment\nCONFIG_BPF_SYSCALL=y\nCONFIG_X=m\n# CONFIG_KPROBES is not set\n"
      "CONFIG_NAME=\"a=b\"\nCONFIG_NOEOL=42",
      "test");
  EXPECT(k.loaded());
  EXPECT_EQ(k.source(), std::string("test"));
  EXPECT(k.Enabled("BPF_SYSCALL"));
  EXPECT(k.Enabled("X"));
  EXPECT(!k.Enabled("KPROBES"));
  EXPECT_EQ(k.Value("KPROBES"), std::string(""));
  EXPECT_EQ(k.Value("NAME"), std::string("\"a=b\""));
  EXPECT_EQ(k.Value("NOEOL"), std::string("42"));
}
TEST_MAIN()
