// Replays tests/fuzz/corpus/* and corpus_kernel/* through handlers_kernel_fuzz.cc: the
// handlers with kernel access, in a scratch mount namespace (scratch_ns.h), a fresh Session
// per input. Root and a working bpf() only: SKIPs with the reason otherwise (qemu-user).
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "tests/fuzz/replay.h"
#include "tests/fuzz/scratch_ns.h"
#include "tests/testing.h"

TEST(ReplayKernelHandlersCorpus) {
  auto inputs = bpfd::fuzz::ReadCorpus("corpus");
  auto kernel = bpfd::fuzz::ReadCorpus("corpus_kernel");
  EXPECT(inputs.size() >= 10u);
  EXPECT(kernel.size() >= 5u);
  inputs.insert(inputs.end(), kernel.begin(), kernel.end());
  if (geteuid() != 0) SKIP("not root: the kernel-access fuzz target needs root");
  union bpf_attr attr = {};
  if (syscall(__NR_bpf, BPF_PROG_GET_NEXT_ID, &attr, sizeof(attr)) < 0 && errno == ENOSYS)
    SKIP("bpf() is ENOSYS here (qemu-user)");
  std::string why;
  int r = bpfd::fuzz::EnterScratchNamespace(&why);
  if (r == -ENOTSUP) SKIP(why);
  if (r < 0) std::printf("scratch namespace: %s\n", why.c_str());
  EXPECT_EQ(r, 0);
  if (r < 0) return;
  setenv("BPFD_FUZZ_RESET", "1", 1);  // every input on a fresh Session
  bpfd::fuzz::Replay(inputs, bpfd::fuzz::Prefixes::kEveryLine);
}

TEST_MAIN()
