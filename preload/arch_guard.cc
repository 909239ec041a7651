// CheckProgArch: ArchLeak (arch_check.cc) with this process's machine and the target's, for
// tools whose programs were compiled for this host (bpftrace, libbpf-tools' embedded objects);
// BCC's Python tools compile for ARCH, which `bpfd remote` sets to the target's. Its line is a
// WarnOnce, which reaches the tool's stderr even while bpftrace silences fd 2.
#include <sys/utsname.h>

#include <cerrno>
#include <string_view>

#include "preload/arch_check.h"
#include "preload/real.h"
#include "preload/state.h"

namespace bpfd::preload {
namespace {

bool compiled_for_target = false;

// At load, before the tool's main(): whether the tool is a Python interpreter (BCC).
__attribute__((constructor)) void AtLoad() {
  if (!State::Get().active()) return;
  char exe[4096];
  ssize_t n = Real().readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return;
  std::string_view path(exe, static_cast<size_t>(n));
  compiled_for_target = path.substr(path.rfind('/') + 1).starts_with("python");
}

}  // namespace

int CheckProgArch(const union bpf_attr& attr) {
  if (!attr.insns || compiled_for_target) return 0;
  struct utsname u {};
  if (Real().uname(&u) != 0) return 0;
  std::string why = ArchLeak(attr.prog_type, reinterpret_cast<const struct bpf_insn*>(attr.insns),
                             attr.insn_cnt, u.machine, State::Get().Uname().machine);
  if (why.empty()) return 0;
  WarnOnce(why);
  return -EINVAL;
}

}  // namespace bpfd::preload
