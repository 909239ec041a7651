// CheckProgArch: ArchLeak (arch_check.cc) with this process's machine and the target's.
#include <sys/utsname.h>

#include <cerrno>

#include "preload/arch_check.h"
#include "preload/real.h"
#include "preload/state.h"

namespace bpfd::preload {

int CheckProgArch(const union bpf_attr& attr) {
  if (!attr.insns) return 0;
  struct utsname u {};
  if (Real().uname(&u) != 0) return 0;
  std::string why =
      ArchLeak(attr.prog_type, reinterpret_cast<const struct bpf_insn*>(attr.insns),
               attr.insn_cnt, u.machine, State::Get().Uname().machine);
  if (why.empty()) return 0;
  WarnOnce(why.substr(std::string_view("bpfd-remote: ").size()));
  return -EINVAL;
}

}  // namespace bpfd::preload
