// SELFTEST (no arguments): runs the bpf-selftest checks on this kernel (core/selftest/selftest.h).
// Reply: "selftest: ret=<number of FAILs>" then one line per check, in order:
// "<PASS|FAIL|SKIP> <check-name> <reason...>". Nothing the checks create outlives the reply.
#include "core/daemon/handler.h"
#include "core/selftest/selftest.h"

namespace bpfd {
namespace {

Verdict CmdSelftest(Session& s, Args args, CommandReply& r) {
  if (!args.empty()) return Verdict::kBadArgs;
  if (r.NoKernel(s)) return Verdict::kDone;
  std::vector<SelftestCheck> checks;
  int fails = RunSelftest(&checks);
  r.Ret(fails);
  for (const SelftestCheck& c : checks) r.Line(FormatSelftestLine(c));
  return Verdict::kDone;
}

constexpr Command kSelftestCommands[] = {
    {"SELFTEST", 0, "selftest", CmdSelftest},
};

}  // namespace

CommandGroup SelftestCommands() { return kSelftestCommands; }

}  // namespace bpfd
