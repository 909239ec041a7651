// ParseModeOptions and CallData: the plumbing every mode shares.
#include "cmd/mode.h"
#include "core/daemon/local_backend.h"

#include <cerrno>

#include "tests/testing.h"

using namespace bpfd;

namespace {
int Parse(std::vector<const char*> argv, ModeOptions* o, std::string* err) {
  argv.insert(argv.begin(), "bpf-x");
  argv.push_back(nullptr);  // as main's argv[argc]
  static constexpr Option kFlags[] = {{"format", 'F'}};
  return ParseModeOptions(static_cast<int>(argv.size() - 1), const_cast<char**>(argv.data()),
                          kFlags, o, err);
}
}  // namespace

TEST(common_and_mode_flags_anywhere) {
  ModeOptions o;
  std::string err;
  EXPECT_EQ(Parse({"tracepoints", "-j", "sys*", "--format", "--remote", "process"}, &o, &err), 0);
  EXPECT(o.json);
  EXPECT_EQ(o.remote, std::string("process"));
  EXPECT(o.flags.count("format") == 1);
  EXPECT_EQ(o.args.size(), size_t{2});
  EXPECT_EQ(o.args[1], std::string("sys*"));
}

TEST(double_dash_ends_options) {
  ModeOptions o;
  std::string err;
  EXPECT_EQ(Parse({"--", "-j", "--help"}, &o, &err), 0);
  EXPECT(!o.json && !o.help);
  EXPECT_EQ(o.args.size(), size_t{2});
}

TEST(errors_say_what) {
  ModeOptions o;
  std::string err;
  EXPECT_EQ(Parse({"--bogus"}, &o, &err), -EINVAL);
  EXPECT_EQ(err, std::string("unknown option '--bogus'"));
  ModeOptions o2;
  EXPECT_EQ(Parse({"--remote"}, &o2, &err), -EINVAL);
}

TEST(argv_must_end_with_null) {
  // getopt_long reads argv[argc] for an option's missing value: an array without the NULL
  // main guarantees is refused, not read past its end.
  const char* argv[] = {"bpf-x", "--remote", "x"};
  ModeOptions o;
  std::string err;
  EXPECT_EQ(ParseModeOptions(2, const_cast<char**>(argv), {}, &o, &err), -EINVAL);
}

TEST(call_data_splits_ret_and_data) {
  LocalBackend b;
  std::vector<std::string> data;
  // Works without a kernel: COMM_FOR_PID of ourselves has no ret= line, so it is a protocol
  // error for CallData; an unknown command is -EBADMSG.
  EXPECT_EQ(CallData(b, "NO_SUCH_COMMAND", &data), -EBADMSG);
  EXPECT_EQ(CallData(b, "GET_KSYM_ADDR no_such_symbol_at_all_here", &data) < 0, true);
}

TEST_MAIN()
