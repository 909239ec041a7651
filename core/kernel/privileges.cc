// Least privilege for a daemon session; see privileges.h.
#include "core/kernel/privileges.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <initializer_list>

namespace bpfd {
namespace {

constexpr uint64_t Bit(int cap) { return uint64_t{1} << cap; }

// PR_CAPBSET_READ answers -EINVAL for a capability this kernel does not have.
bool KernelHas(int cap) { return prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; }

}  // namespace

uint64_t TracingCapabilities() {
  uint64_t keep = Bit(CAP_SYS_ADMIN) | Bit(CAP_SYS_RESOURCE) | Bit(CAP_IPC_LOCK) | Bit(CAP_SYSLOG) |
                  Bit(CAP_SYS_PTRACE) | Bit(CAP_DAC_READ_SEARCH);
  for (int cap : {CAP_BPF, CAP_PERFMON})
    if (KernelHas(cap)) keep |= Bit(cap);
  return keep;
}

int RaiseMemlockLimit() {
  const struct rlimit unlimited = {RLIM_INFINITY, RLIM_INFINITY};
  if (setrlimit(RLIMIT_MEMLOCK, &unlimited) == 0) return 0;
  struct rlimit r;
  if (getrlimit(RLIMIT_MEMLOCK, &r) != 0) return -errno;
  r.rlim_cur = r.rlim_max;
  return setrlimit(RLIMIT_MEMLOCK, &r) == 0 ? 0 : -errno;
}

int DropPrivileges(bool keep_caps) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -errno;
  if (keep_caps || geteuid() != 0) return 0;
  const uint64_t keep = TracingCapabilities();
  for (int cap = 0; cap < 64 && KernelHas(cap); ++cap)
    if (!(keep & Bit(cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) return -errno;
  // Ambient capabilities exist since 4.3; an older kernel has none to clear.
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    return -errno;
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) return -errno;
  for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; ++i) {
    uint32_t k = static_cast<uint32_t>(keep >> (32 * i));
    data[i].effective &= k;
    data[i].permitted &= k;
    data[i].inheritable = 0;
  }
  if (syscall(SYS_capset, &header, data) != 0) return -errno;
  return 0;
}

}  // namespace bpfd
