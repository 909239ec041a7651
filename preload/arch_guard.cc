// CheckProgArch: ArchLeak (arch_check.cc) with this process's machine and the target's. Its
// line goes to the stderr the tool started with: bpftrace points fd 2 at /dev/null while it
// loads programs (its StderrSilencer), which would swallow the one line that says why.
#include <fcntl.h>
#include <sys/utsname.h>

#include <cerrno>
#include <mutex>

#include "preload/arch_check.h"
#include "preload/real.h"
#include "preload/state.h"

namespace bpfd::preload {
namespace {

int saved_stderr = 2;

// At load, before the tool's main(): a close-on-exec copy of fd 2, above the usual fds.
__attribute__((constructor)) void SaveStderr() {
  if (!State::Get().active()) return;
  int fd = Real().fcntl(2, F_DUPFD_CLOEXEC, 900);
  if (fd >= 0) saved_stderr = fd;
}

}  // namespace

int CheckProgArch(const union bpf_attr& attr) {
  if (!attr.insns) return 0;
  struct utsname u {};
  if (Real().uname(&u) != 0) return 0;
  std::string why = ArchLeak(attr.prog_type, reinterpret_cast<const struct bpf_insn*>(attr.insns),
                             attr.insn_cnt, u.machine, State::Get().Uname().machine);
  if (why.empty()) return 0;
  static std::once_flag said;
  std::call_once(said, [&] {
    why += '\n';
    Real().write(saved_stderr, why.data(), why.size());
  });
  return -EINVAL;
}

}  // namespace bpfd::preload
