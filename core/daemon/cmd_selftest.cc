// SELFTEST (no arguments): runs the bpf-selftest checks on this kernel (core/selftest/selftest.h).
// Reply: "selftest: ret=<number of FAILs>" then one line per check, in order:
// "<PASS|FAIL|SKIP> <check-name> <reason...>". Nothing the checks create outlives the reply.
#include "core/daemon/handler.h"
#include "core/selftest/selftest.h"

namespace bpfd {

int CmdSelftest(Session& s, Args args, Reply& r) {
  if (!args.empty()) return kBadArgs;
  if (NoKernel(s, r, "selftest")) return 0;
  std::vector<SelftestCheck> checks;
  int fails = RunSelftest(&checks);
  r.Ret("selftest", fails);
  for (const SelftestCheck& c : checks) r.Line(FormatSelftestLine(c));
  return 0;
}

}  // namespace bpfd
