// RLIMIT_MEMLOCK is the target's: kernels before 5.11 charge BPF maps to the limit of the
// process that creates them, which is the daemon's session, so a tool that reads or raises it
// (BCC after EPERM, bpftrace at start, libbpf's bump) reads or raises the daemon's
// (SYS_PRLIMIT). Every other resource, and other processes' limits, stay local.
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "core/wire/rlimit_record.h"
#include "core/wire/tokens.h"
#include "preload/export.h"
#include "preload/real.h"
#include "preload/state.h"

using namespace bpfd::preload;

namespace {

bool Forwarded(int resource, pid_t pid) {
  return resource == RLIMIT_MEMLOCK && (pid == 0 || pid == getpid()) && State::Get().active();
}

// SYS_PRLIMIT MEMLOCK [cur max]: 0, or -1 with errno as the target answered.
int ForwardMemlock(const struct rlimit* set, struct rlimit* old) {
  std::string line = "SYS_PRLIMIT MEMLOCK";
  if (set) line += " " + bpfd::FormatRlimitPair(bpfd::FromRlimit(*set));
  std::vector<std::string> rest;
  int64_t ret = State::Get().Call(line, &rest);
  bpfd::RlimitPair was;
  std::vector<std::string_view> t =
      rest.empty() ? std::vector<std::string_view>() : bpfd::SplitTokens(rest[0]);
  if (ret == 0 && (t.size() != 2 || bpfd::ParseRlimitPair(t[0], t[1], &was) < 0)) ret = -EPROTO;
  if (ret < 0) {
    errno = static_cast<int>(-ret);
    return -1;
  }
  if (old) *old = bpfd::ToRlimit(was);
  return 0;
}

}  // namespace

EXPORT(int, bpfd_getrlimit, "getrlimit", int resource, struct rlimit* r) {
  if (!Forwarded(resource, 0)) return Real().prlimit(0, resource, nullptr, r);
  return ForwardMemlock(nullptr, r);
}

EXPORT(int, bpfd_getrlimit64, "getrlimit64", int resource, struct rlimit* r) {
  return bpfd_getrlimit(resource, r);
}

EXPORT(int, bpfd_setrlimit, "setrlimit", int resource, const struct rlimit* r) {
  if (!Forwarded(resource, 0)) return Real().prlimit(0, resource, r, nullptr);
  return ForwardMemlock(r, nullptr);
}

EXPORT(int, bpfd_setrlimit64, "setrlimit64", int resource, const struct rlimit* r) {
  return bpfd_setrlimit(resource, r);
}

EXPORT(int, bpfd_prlimit, "prlimit", pid_t pid, int resource, const struct rlimit* set,
       struct rlimit* old) {
  if (!Forwarded(resource, pid)) return Real().prlimit(pid, resource, set, old);
  return ForwardMemlock(set, old);
}

EXPORT(int, bpfd_prlimit64, "prlimit64", pid_t pid, int resource, const struct rlimit* set,
       struct rlimit* old) {
  return bpfd_prlimit(pid, resource, set, old);
}
