// Forwarded system calls (docs/protocol.md "Forwarding"). Every fd they return is the session's.
//   SYS_BPF cmd attr [slot dir len data]...       -> ret, the attr, "<i> <data>" per o/x buffer
//   SYS_BPF_CACHED cmd attr [slot dir len data]... -> the same; "<i> =<digest>" for held output
//   SYS_PERF_EVENT_OPEN attr pid cpu group_fd flags [string]  -> ret=<the session's new fd>
//   SYS_IOCTL fd request arg                      -> ret (perf event ioctls only)
//   SYS_CLOSE fd                                  -> ret=<0 or -EBADF>
//   SYS_UNAME                                     -> ret=0, then the uname fields
//   SYS_PRLIMIT MEMLOCK [cur max]                 -> ret=0, then the old "cur max"
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>

#include "core/daemon/bpf_policy.h"
#include "core/daemon/handler.h"
#include "core/daemon/track.h"
#include "core/kernel/bpf_call.h"
#include "core/kernel/perf_event.h"
#include "core/wire/base64.h"
#include "core/wire/rlimit_record.h"
#include "core/wire/tokens.h"
#include "core/wire/uname_record.h"

namespace bpfd {
namespace {

constexpr size_t kMaxPerfAttr = 512;

// The session owns fd and it is not one of stdin/stdout (those are never forwarded).
bool Owned(Session& s, int64_t fd) {
  return fd >= 0 && fd <= INT32_MAX && s.FindForwardedFd(static_cast<int>(fd)) != nullptr;
}

// ret < 0 as is; else the session takes the new fd and ret is its number.
long Adopt(Session& s, long ret) {
  return ret < 0 ? ret : s.AddForwardedFd(UniqueFd(static_cast<int>(ret)));
}

// The perf ioctls SYS_IOCTL forwards, matched on type '$' and number (and direction), so the
// size bits a 32-bit host puts in PERF_EVENT_IOC_ID (a pointer) do not matter.
struct PerfIoctl {
  unsigned long request;  // the daemon's own value
  enum { kValue, kPointer, kFd, kId } arg;
};
constexpr PerfIoctl kPerfIoctls[] = {
    {PERF_EVENT_IOC_ENABLE, PerfIoctl::kValue},   {PERF_EVENT_IOC_DISABLE, PerfIoctl::kValue},
    {PERF_EVENT_IOC_RESET, PerfIoctl::kValue},    {PERF_EVENT_IOC_REFRESH, PerfIoctl::kValue},
    {PERF_EVENT_IOC_SET_OUTPUT, PerfIoctl::kFd},  {PERF_EVENT_IOC_SET_BPF, PerfIoctl::kFd},
    {PERF_EVENT_IOC_PERIOD, PerfIoctl::kPointer}, {PERF_EVENT_IOC_ID, PerfIoctl::kId},
};

const PerfIoctl* FindPerfIoctl(uint64_t request) {
  constexpr uint64_t kKey = (_IOC_DIRMASK << _IOC_DIRSHIFT) | 0xffff;  // dir, type, nr
  for (const PerfIoctl& p : kPerfIoctls)
    if ((request & kKey) == (p.request & kKey) && request >> 32 == 0) return &p;
  return nullptr;
}

// SYS_BPF cmd attr [slot dir len data]… -> "sys_bpf: ret=<n>", the attr, "<i> <data>" per o/x
// buffer. `cached` (SYS_BPF_CACHED): an 'o' buffer's data token lists the contents the host
// holds, and its line is "<i> =<digest>" when the kernel wrote one of them.
Verdict SysBpf(Session& s, Args a, CommandReply& r, bool cached) {
  int cmd;
  if (!ParseInt(a[0], &cmd)) return Verdict::kBadArgs;
  BpfCall call;
  int ret = call.Parse(a.subspan(1), cached);
  if (ret == -E2BIG)
    std::fprintf(stderr, "bpfd: SYS_BPF: buffers over %llu MiB each or %llu MiB together\n",
                 static_cast<unsigned long long>(kMaxBpfBuffer >> 20),
                 static_cast<unsigned long long>(kMaxBpfBuffers >> 20));
  if (ret < 0) return r.Ret(ret);
  if (r.NoKernel(s)) return Verdict::kDone;
  long res = TrackedBpf(s, cmd, call, [&] { return CallBpfUnderPolicy(s, cmd, call); });
  if (BpfCmdReturnsFd(cmd)) {
    res = Adopt(s, res);
    if (res >= 0 && BpfCmdOpensExisting(cmd))
      s.FindForwardedFd(static_cast<int>(res))->foreign = true;
  }
  r.Ret(res);
  call.AppendReply(r.raw());
  return Verdict::kDone;
}

Verdict CmdSysBpf(Session& s, Args a, CommandReply& r) { return SysBpf(s, a, r, false); }
Verdict CmdSysBpfCached(Session& s, Args a, CommandReply& r) { return SysBpf(s, a, r, true); }

// SYS_PERF_EVENT_OPEN attr pid cpu group_fd flags [string] -> ret = the session's new fd
Verdict CmdSysPerfEventOpen(Session& s, Args a, CommandReply& r) {
  int pid, cpu;
  int64_t group_fd;
  uint64_t flags;
  if (!ParseInt(a[1], &pid) || !ParseInt(a[2], &cpu) || !ParseInt64(a[3], &group_fd) ||
      !ParseUint64(a[4], &flags))
    return Verdict::kBadArgs;
  alignas(perf_event_attr) uint8_t attr[kMaxPerfAttr] = {};
  std::vector<uint8_t> bytes, str;
  if (DecodeData(a[0], &bytes) < 0 || bytes.size() < PERF_ATTR_SIZE_VER0 ||
      bytes.size() > kMaxPerfAttr || (a.size() > 5 && DecodeData(a[5], &str) < 0) ||
      (!str.empty() && std::memchr(str.data(), 0, str.size()) != nullptr)) {
    return r.Ret(-EINVAL);
  }
  if (group_fd != -1 && !Owned(s, group_fd)) return r.Ret(-EBADF);
  if (r.NoKernel(s)) return Verdict::kDone;
  std::memcpy(attr, bytes.data(), bytes.size());
  if (a.size() > 5) {
    str.push_back(0);
    uint64_t p = reinterpret_cast<uintptr_t>(str.data());
    std::memcpy(attr + offsetof(perf_event_attr, config1), &p, sizeof(p));
  }
  int fd = PerfEventOpen(reinterpret_cast<perf_event_attr*>(attr), pid, cpu,
                         static_cast<int>(group_fd), flags | PERF_FLAG_FD_CLOEXEC);
  return r.Ret(Adopt(s, fd));
}

// SYS_IOCTL fd request arg -> ret (PERF_EVENT_IOC_ID: then the id)
Verdict CmdSysIoctl(Session& s, Args a, CommandReply& r) {
  int64_t fd, arg;
  uint64_t request, uarg;
  if (!ParseInt64(a[0], &fd) || !ParseUint64(a[1], &request)) return Verdict::kBadArgs;
  if (ParseUint64(a[2], &uarg)) {
    arg = static_cast<int64_t>(uarg);
  } else if (!ParseInt64(a[2], &arg)) {
    return Verdict::kBadArgs;
  }
  const PerfIoctl* op = FindPerfIoctl(request);
  if (!op) return r.Ret(-ENOTTY);
  bool fd_arg_ok = op->arg != PerfIoctl::kFd || Owned(s, arg) ||
                   (arg == -1 && op->request == PERF_EVENT_IOC_SET_OUTPUT);
  if (!Owned(s, fd) || !fd_arg_ok) return r.Ret(-EBADF);
  if (op->request == PERF_EVENT_IOC_SET_BPF && !s.unrestricted()) {
    if (int p = CheckPerfSetBpf(s, static_cast<int>(arg)); p < 0) return r.Ret(p);
  }
  if (r.NoKernel(s)) return Verdict::kDone;
  uint64_t value = static_cast<uint64_t>(arg), id = 0;
  int ret;
  switch (op->arg) {
    case PerfIoctl::kPointer:
      ret = ioctl(static_cast<int>(fd), op->request, &value);
      break;
    case PerfIoctl::kId:
      ret = ioctl(static_cast<int>(fd), op->request, &id);
      break;
    default:
      ret = ioctl(static_cast<int>(fd), op->request, static_cast<unsigned long>(arg));
  }
  r.Ret(ret < 0 ? -errno : ret);
  if (op->arg == PerfIoctl::kId && ret >= 0) r.Line(std::to_string(id));
  return Verdict::kDone;
}

// SYS_CLOSE fd -> 0, or -EBADF for an fd the session does not own
Verdict CmdSysClose(Session& s, Args a, CommandReply& r) {
  int fd;
  if (!ParseInt(a[0], &fd)) return Verdict::kBadArgs;
  return r.Ret(s.CloseForwardedFd(fd));
}

// SYS_UNAME -> "sys_uname: ret=0" then "<sysname> <nodename> <release> <version> <machine>"
Verdict CmdSysUname(Session& s, Args, CommandReply& r) {
  if (r.NoKernel(s)) return Verdict::kDone;
  utsname u;
  if (uname(&u) != 0) return r.Ret(-errno);
  r.Ret(0);
  r.Line(FormatUnameLine({u.sysname, u.nodename, u.release, u.version, u.machine}));
  return Verdict::kDone;
}

// SYS_PRLIMIT MEMLOCK [cur max] -> ret=0 and the old "cur max", after setting the new ones
// when given. The session's own process limit (the listener forks one per session): kernels
// before 5.11 charge BPF maps to it, so the tool's setrlimit() must land here. Other
// resources are the host's business: "Command not recognized".
Verdict CmdSysPrlimit(Session& s, Args a, CommandReply& r) {
  if (a[0] != "MEMLOCK" || (a.size() != 1 && a.size() != 3)) return Verdict::kBadArgs;
  if (r.NoKernel(s)) return Verdict::kDone;
  RlimitPair want;
  if (a.size() == 3 && ParseRlimitPair(a[1], a[2], &want) < 0) return Verdict::kBadArgs;
  struct rlimit old, set = ToRlimit(want);
  if (prlimit(0, RLIMIT_MEMLOCK, a.size() == 3 ? &set : nullptr, &old) != 0) return r.Ret(-errno);
  r.Ret(0);
  r.Line(FormatRlimitPair(FromRlimit(old)));
  return Verdict::kDone;
}

constexpr Command kForwardSysCommands[] = {
    {"SYS_BPF", 2, "sys_bpf", CmdSysBpf},
    {"SYS_BPF_CACHED", 2, "sys_bpf_cached", CmdSysBpfCached},
    {"SYS_PERF_EVENT_OPEN", 5, "sys_perf_event_open", CmdSysPerfEventOpen},
    {"SYS_IOCTL", 3, "sys_ioctl", CmdSysIoctl},
    {"SYS_CLOSE", 1, "sys_close", CmdSysClose},
    {"SYS_UNAME", 0, "sys_uname", CmdSysUname},
    {"SYS_PRLIMIT", 1, "sys_prlimit", CmdSysPrlimit},
};

}  // namespace

CommandGroup ForwardSysCommands() { return kForwardSysCommands; }

}  // namespace bpfd
