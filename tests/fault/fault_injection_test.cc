// The fault-injection suite on this kernel (fault_cases.h): every case against the bpfd under
// test. Root outside Bazel's sandbox with bpf() and tracefs; every case SKIPs, with the reason,
// elsewhere (under qemu-user bpf() is ENOSYS).
// Usage: fault_injection_test BPFD [CASE…]
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "tests/fault/fault_cases.h"
#include "tests/testing.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fault_injection_test BPFD [CASE...]\n");
    return 2;
  }
  char* real = realpath(argv[1], nullptr);
  const std::string bpfd = real ? real : argv[1];
  free(real);
  const char* tmp = getenv("TEST_TMPDIR");
  std::string scratch = std::string(tmp ? tmp : "/tmp") + "/fault.XXXXXX";
  if (!mkdtemp(scratch.data())) return 2;
  bpfd::fault::FaultEnv env;
  env.bpfd = bpfd;
  env.uprobe_target = bpfd;  // unstripped in test builds (--strip=never)
  env.scratch = scratch;
  std::vector<std::string> names = bpfd::fault::CaseNames();
  if (argc > 2) names.assign(argv + 2, argv + argc);
  for (const std::string& n : names) {
    ::bpfd::testing::Registry().push_back(
        {n.c_str(), [env, n] {
           bpfd::fault::CaseResult r = bpfd::fault::RunCase(env, n);
           std::printf("%s %s: %s\n", r.outcome == bpfd::fault::Outcome::kSkip ? "SKIP" : "---",
                       n.c_str(), r.detail.c_str());
           if (r.outcome == bpfd::fault::Outcome::kSkip) ::bpfd::testing::Current().skipped = true;
           EXPECT(r.outcome != bpfd::fault::Outcome::kFail);
         }});
  }
  int rc = ::bpfd::testing::RunAll();
  std::string rm = "rm -rf '" + scratch + "'";
  (void)!system(rm.c_str());
  return rc;
}
