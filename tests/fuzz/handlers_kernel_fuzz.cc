// libFuzzer target: the protocol handlers with kernel access (SessionOptions.kernel = true, the
// default policy), so FILE_*, SYS_BPF, RING_* and the v1 commands make real calls, inside a
// throw-away mount namespace (scratch_ns.h) where tracefs, debugfs, /tmp and cgroupfs are
// tmpfs and /sys/fs/bpf is a fresh bpffs. Needs root; tools/fuzz skips it otherwise.
//
// One Session serves BPFD_FUZZ_RESET inputs (default 32; 1 makes every input reproducible on
// its own), then it is destroyed with everything it made, which bounds the fds. Its input is
// at EOF, so a wait (PERF_READER_POLL, RING_POLL) returns as it does at the end of a session.
// Lines loading a program that calls a helper able to touch other processes (send_signal,
// probe_write_user, override_return, sys_bpf, kfuncs) are skipped: a fuzzed program attached
// system-wide must not signal or write into the machine's other processes.
#include <fcntl.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/line_reader.h"
#include "core/wire/base64.h"
#include "tests/fuzz/fuzz_lines.h"
#include "tests/fuzz/scratch_ns.h"

namespace {

// True if bytes hold, at any 8-byte boundary, a BPF call of a helper that reaches beyond the
// fuzzer's own process, or of a kfunc.
bool CallsDangerousHelper(const std::vector<uint8_t>& b) {
  for (size_t i = 0; i + 8 <= b.size(); i += 8) {
    if (b[i] != 0x85) continue;  // BPF_JMP | BPF_CALL
    int32_t imm = static_cast<int32_t>(b[i + 4] | b[i + 5] << 8 | b[i + 6] << 16 |
                                       static_cast<uint32_t>(b[i + 7]) << 24);
    if ((b[i + 1] >> 4) != 0) return true;  // src_reg: kfunc or pseudo call
    if (imm == 36 || imm == 58 || imm == 109 || imm == 117 || imm == 166) return true;
  }
  return false;
}

bool SafeLine(std::string_view line) {
  std::vector<uint8_t> bytes;
  while (!line.empty()) {
    size_t sp = line.find(' ');
    std::string_view tok = line.substr(0, sp);
    line.remove_prefix(sp == std::string_view::npos ? line.size() : sp + 1);
    if (tok.size() >= 8 && bpfd::Base64Decode(tok, &bytes) == 0 && CallsDangerousHelper(bytes))
      return false;
  }
  return true;
}

int ResetEvery() {
  const char* v = std::getenv("BPFD_FUZZ_RESET");
  int n = v ? std::atoi(v) : 32;
  return n > 0 ? n : 1;
}

// An input already at EOF: the session's waits end at once, as at the end of a real session.
bpfd::LineReader& EofInput() {
  static int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  static bpfd::LineReader reader(fd);
  static bool primed = (reader.ReadAvailable(), true);
  (void)primed;
  return reader;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::string why;
  if (int r = bpfd::fuzz::EnterScratchNamespace(&why); r < 0) {
    // 77: the conventional "skipped" status, which tools/fuzz reports as a SKIP with this line.
    std::fprintf(stderr, "handlers_kernel_fuzz: %s%s\n", r == -ENOTSUP ? "SKIP: " : "",
                 why.c_str());
    std::exit(r == -ENOTSUP ? 77 : 1);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<bpfd::Session> session;
  static int served = 0;
  static const int reset_every = ResetEvery();
  if (!session || served >= reset_every) {
    session.reset();  // its maps, programs, probes and fds go first
    session = std::make_unique<bpfd::Session>(bpfd::SessionOptions{.kernel = true});
    session->set_input(&EofInput());
    served = 0;
  }
  ++served;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (bpfd::fuzz::FeedLines(*session, in, SafeLine) == bpfd::LineAction::kExit)
    session.reset();  // "exit" ends a session
  return 0;
}
