// SELFTEST (no arguments): runs the bpf-selftest checks on this kernel (core/selftest.h).
// Reply: "selftest: ret=<number of FAILs>" then one line per check, in order:
// "<PASS|FAIL|SKIP> <check-name> <reason...>". Nothing the checks create outlives the reply.
#include "core/commands.h"
#include "core/selftest.h"

namespace bpfd {

int CmdSelftest(Session& s, Args args, Reply& r) {
  if (!args.empty()) return kBadArgs;
  if (NoKernel(s, r, "selftest")) return 0;
  std::vector<SelftestCheck> checks;
  int fails = RunSelftest(&checks);
  r.Ret("selftest", fails);
  for (SelftestCheck& c : checks) {
    for (char& ch : c.reason)
      if (ch == '\n' || ch == '\r') ch = ' ';  // line-safe
    r.Line(c.status + " " + c.name + " " + c.reason);
  }
  return 0;
}

}  // namespace bpfd
