// What this kernel can do (docs/protocol.md):
//   GET_BPF_FEATURES system|all  -> ret=<n>, then n "key value" lines
//   SELFTEST                     -> ret=<FAILs>, then "<PASS|FAIL|SKIP> <check> <reason>" per check
//   COMPRESS deflate|none        -> ret=0; later replies are deflated (wire/deflated_reply.h) or
//   not
#include <string>
#include <vector>

#include "core/daemon/handler.h"
#include "core/kernel/bpf_features.h"
#include "core/selftest/selftest.h"

namespace bpfd {
namespace {

// GET_BPF_FEATURES system|all -> "get_bpf_features: ret=<n>" then n "key value" lines
// (see bpf_features.h; "all" loads test programs and maps, all released before the reply).
Verdict CmdGetBpfFeatures(Session& s, Args a, CommandReply& r) {
  if (a[0] != "system" && a[0] != "all") return Verdict::kBadArgs;
  if (r.NoKernel(s)) return Verdict::kDone;
  FeatureList features;
  if (a[0] == "all") {
    ProbeAllFeatures(&features);
  } else {
    ProbeSystemFeatures(&features);
  }
  std::vector<std::string> lines;
  for (const auto& [key, value] : features) lines.push_back(key + " " + SafeLine(value));
  return r.RetLines(lines);
}

// SELFTEST (no arguments): runs the bpf-selftest checks on this kernel (core/selftest/selftest.h).
// Reply: "selftest: ret=<number of FAILs>" then one line per check, in order:
// "<PASS|FAIL|SKIP> <check-name> <reason...>", the last one "policy" (restricted or not).
// Nothing the checks create outlives the reply.
Verdict CmdSelftest(Session& s, Args args, CommandReply& r) {
  if (!args.empty()) return Verdict::kBadArgs;
  if (r.NoKernel(s)) return Verdict::kDone;
  std::vector<SelftestCheck> checks;
  int fails = RunSelftest(&checks);
  // Which forwarding policy this session is under: never a FAIL, the daemon chose it.
  if (s.unrestricted()) {
    checks.push_back(
        {"SKIP", "policy", "unrestricted (--unrestricted): forwarding is a root shell"});
  } else {
    checks.push_back(
        {"PASS", "policy", "restricted: forwarding limited to tracing (docs/security.md)"});
  }
  r.Ret(fails);
  for (const SelftestCheck& c : checks) r.Line(FormatSelftestLine(c));
  return Verdict::kDone;
}

// COMPRESS deflate|none -> ret=0: from the next reply on, bodies worth it are sent as one
// "~deflate <len> <base64>" line (for clients on slow links), or no longer.
Verdict CmdCompress(Session& s, Args a, CommandReply& r) {
  if (a[0] != "deflate" && a[0] != "none") return Verdict::kBadArgs;
  s.set_deflate_replies(a[0] == "deflate");
  return r.Ret(0);
}

constexpr Command kFeatureCommands[] = {
    {"GET_BPF_FEATURES", 1, "get_bpf_features", CmdGetBpfFeatures},
    {"SELFTEST", 0, "selftest", CmdSelftest},
    {"COMPRESS", 1, "compress", CmdCompress},
};

}  // namespace

CommandGroup FeatureCommands() { return kFeatureCommands; }

}  // namespace bpfd
