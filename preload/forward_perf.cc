#include "preload/forward_perf.h"

#include <linux/perf_event.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/wire/tokens.h"
#include "preload/state.h"

namespace bpfd::preload {
namespace {

// The target's dynamic PMU type of kprobe/uprobe (-1 if it has none), read once.
int PmuType(const char* name) {
  static int types[2] = {-2, -2};
  int& t = types[std::strcmp(name, "kprobe") == 0 ? 0 : 1];
  if (t == -2) {
    t = -1;
    std::vector<std::string> rest;
    std::string text;
    std::string path = std::string("/sys/bus/event_source/devices/") + name + "/type";
    if (State::Get().Call("FILE_READ " + Token(path), &rest) >= 0 && !rest.empty() &&
        Untoken(rest[0], &text)) {
      while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
      int v;
      if (ParseInt(text, &v)) t = v;
    }
  }
  return t;
}

}  // namespace

long ForwardPerfEventOpen(struct perf_event_attr* attr, pid_t pid, int cpu, int group_fd,
                          unsigned long flags) {
  if (!attr) return FailErrno(-EFAULT);
  State& st = State::Get();
  auto lock = st.Lock();
  size_t size = attr->size ? attr->size : PERF_ATTR_SIZE_VER0;
  if (size < PERF_ATTR_SIZE_VER0 || size > 512) return FailErrno(-E2BIG);
  std::string line = "SYS_PERF_EVENT_OPEN " + Token(attr, size) + " " + std::to_string(pid) + " " +
                     std::to_string(cpu) + " " +
                     std::to_string(group_fd >= 0 ? st.RemoteFd(group_fd) : group_fd) + " " +
                     std::to_string(flags);
  // kprobe/uprobe PMU: config1 points to the function or path.
  if (attr->config1 && (static_cast<int>(attr->type) == PmuType("kprobe") ||
                        static_cast<int>(attr->type) == PmuType("uprobe"))) {
    line += " " + Token(std::string_view(reinterpret_cast<const char*>(attr->config1)));
  }
  int64_t ret = st.Call(line, nullptr);
  if (ret < 0) return FailErrno(ret);
  Obj* obj = new Obj();
  obj->kind = Kind::kPerf;
  int fd = st.InstallRemote(obj, static_cast<int>(ret));
  return fd < 0 ? FailErrno(fd) : fd;
}

int ForwardPerfIoctl(int fd, unsigned long request, unsigned long arg) {
  State& st = State::Get();
  auto lock = st.Lock();
  Obj* obj = st.Find(fd);
  if (!obj || obj->rfd < 0) return (FailErrno(-EBADF));
  uint64_t value = arg;
  switch (request) {
    case PERF_EVENT_IOC_SET_BPF:
      value = static_cast<uint64_t>(st.RemoteFd(static_cast<int>(arg)));
      break;
    case PERF_EVENT_IOC_SET_OUTPUT:
      value = static_cast<int>(arg) < 0 ? arg
                                        : static_cast<uint64_t>(st.RemoteFd(static_cast<int>(arg)));
      break;
    case PERF_EVENT_IOC_PERIOD:
      if (!arg) return (FailErrno(-EFAULT));
      std::memcpy(&value, reinterpret_cast<const void*>(arg), sizeof value);
      break;
    case PERF_EVENT_IOC_ENABLE:
    case PERF_EVENT_IOC_DISABLE:
    case PERF_EVENT_IOC_RESET:
    case PERF_EVENT_IOC_REFRESH:
    case PERF_EVENT_IOC_ID:
      break;
    default:
      return (FailErrno(-ENOTTY));
  }
  const std::string line = "SYS_IOCTL " + std::to_string(obj->rfd) + " " + std::to_string(request) +
                           " " + std::to_string(value);
  if (request == PERF_EVENT_IOC_ENABLE || request == PERF_EVENT_IOC_DISABLE ||
      request == PERF_EVENT_IOC_RESET) {
    // No result but success on an event the session owns: sent without waiting, as closes are
    // (a round trip per event attached and detached; a failure would be said on stderr).
    st.Post(line);
    return 0;
  }
  std::vector<std::string> rest;
  int64_t ret = st.Call(line, &rest);
  if (ret < 0) return (FailErrno(ret));
  if (request == PERF_EVENT_IOC_ID && arg) {
    uint64_t id = 0;
    if (!rest.empty() && ParseUint64(rest[0], &id))
      std::memcpy(reinterpret_cast<void*>(arg), &id, sizeof id);
  }
  return static_cast<int>(ret);
}

}  // namespace bpfd::preload
