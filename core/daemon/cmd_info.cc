// Information commands: kallsyms, the kprobe blacklist, available_filter_functions, trace event
// listings, COMM_FOR_PID and kernel/user symbol resolution (GET_KSYM_*, GET_USYM_*).
#include <sys/stat.h>

#include <cerrno>
#include <string>
#include <vector>

#include "core/daemon/handler.h"
#include "core/kernel/ksyms.h"
#include "core/wire/tokens.h"
#include "core/kernel/tracefs.h"
#include "core/kernel/usyms.h"

namespace bpfd {
namespace {

bool IsDir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The host names the tracefs it expects (e.g. /sys/kernel/debug/tracing); if that has no
// events/ here, use (or mount) the device's own tracefs instead.
std::string ResolveTracefs(std::string_view given) {
  std::string g(given);
  if (IsDir(g + "/events")) return g;
  std::string found;
  if (FindTracefs(&found) == 0) return found;
  return g;
}

// Replies with the first readable file among `paths`, or ret=<-errno of the first>.
void ReplyFile(Reply& r, std::string_view fn, const std::vector<std::string>& paths) {
  int first_err = -ENOENT;
  for (size_t i = 0; i < paths.size(); ++i) {
    std::string text;
    int ret = ReadFile(paths[i], &text);
    if (ret >= 0) {
      r.Text(text);
      return;
    }
    if (i == 0) first_err = ret;
  }
  r.Ret(fn, first_err);
}

void ReplyList(Reply& r, std::string_view fn, int ret, const std::vector<std::string>& items) {
  if (ret < 0) {
    r.Ret(fn, ret);
    return;
  }
  for (const std::string& item : items) r.Line(SafeLine(item));
}

void ReplySymbol(Reply& r, std::string_view fn, int ret, const std::string& name, uint64_t off,
                 const std::string& module) {
  r.Ret(fn, ret);
  if (ret == 0) r.Line(SafeLine(name) + ";" + std::to_string(off) + ";" + SafeLine(module));
}

void ReplyAddress(Reply& r, std::string_view fn, int ret, uint64_t addr) {
  r.Ret(fn, ret);
  if (ret == 0) r.Line(std::to_string(addr));
}

}  // namespace

// GET_KALLSYMS -> /proc/kallsyms
int CmdGetKallsyms(Session& s, Args, Reply& r) {
  if (NoKernel(s, r, "get_kallsyms")) return 0;
  ReplyFile(r, "get_kallsyms", {"/proc/kallsyms"});
  return 0;
}

// GET_KPROBES_BLACKLIST tracefs -> the kprobes blacklist (debugfs kprobes/blacklist)
int CmdGetKprobesBlacklist(Session& s, Args a, Reply& r) {
  if (a[0].empty()) return kBadArgs;
  if (NoKernel(s, r, "get_kprobes_blacklist")) return 0;
  std::string given(a[0]);
  ReplyFile(r, "get_kprobes_blacklist",
            {given + "/../kprobes/blacklist", "/sys/kernel/debug/kprobes/blacklist"});
  return 0;
}

// GET_AVAIL_FILTER_FUNCS tracefs -> available_filter_functions
int CmdGetAvailFilterFuncs(Session& s, Args a, Reply& r) {
  if (a[0].empty()) return kBadArgs;
  if (NoKernel(s, r, "get_avail_filter_funcs")) return 0;
  ReplyFile(r, "get_avail_filter_funcs", {ResolveTracefs(a[0]) + "/available_filter_functions"});
  return 0;
}

// GET_TRACE_EVENTS_CATEGORIES tracefs -> one category per line
int CmdGetTraceEventsCategories(Session& s, Args a, Reply& r) {
  if (a[0].empty()) return kBadArgs;
  if (NoKernel(s, r, "get_trace_events_categories")) return 0;
  std::vector<std::string> cats;
  int ret = ListCategories(ResolveTracefs(a[0]), &cats);
  ReplyList(r, "get_trace_events_categories", ret, cats);
  return 0;
}

// GET_TRACE_EVENTS tracefs category -> one event name per line
int CmdGetTraceEvents(Session& s, Args a, Reply& r) {
  if (a[0].empty() || a[1].empty()) return kBadArgs;
  constexpr std::string_view fn = "get_trace_events";
  if (!IsSafePathComponent(a[1])) {
    r.Ret(fn, -EINVAL);
    return 0;
  }
  if (NoKernel(s, r, fn)) return 0;
  std::vector<std::string> events;
  int ret = ListEvents(ResolveTracefs(a[0]), std::string(a[1]), &events);
  ReplyList(r, fn, ret, events);
  return 0;
}

// COMM_FOR_PID pid -> the process's comm
int CmdCommForPid(Session& s, Args a, Reply& r) {
  int pid;
  if (!ParseInt(a[0], &pid)) return kBadArgs;
  constexpr std::string_view fn = "comm_for_pid";
  if (pid < 0) {
    r.Ret(fn, -EINVAL);
    return 0;
  }
  if (NoKernel(s, r, fn)) return 0;
  std::string comm;
  int ret = ReadFile("/proc/" + std::to_string(pid) + "/comm", &comm);
  if (ret < 0) {
    r.Ret(fn, ret);
    return 0;
  }
  if (!comm.empty() && comm.back() == '\n') comm.pop_back();
  r.Line(SafeLine(comm));
  return 0;
}

// GET_KSYM_NAME addr -> "GET_KSYM_NAME: ret=<r>" then "name;offset;module"
int CmdGetKsymName(Session& s, Args a, Reply& r) {
  uint64_t addr;
  if (!ParseUint64(a[0], &addr)) return kBadArgs;
  if (NoKernel(s, r, "GET_KSYM_NAME")) return 0;
  std::string name, module;
  uint64_t off = 0;
  int ret = s.ksyms().Resolve(addr, &name, &off, &module);
  ReplySymbol(r, "GET_KSYM_NAME", ret, name, off, module);
  return 0;
}

// GET_KSYM_ADDR name -> "GET_KSYM_ADDR: ret=<r>" then the address
int CmdGetKsymAddr(Session& s, Args a, Reply& r) {
  if (a[0].empty()) return kBadArgs;
  if (NoKernel(s, r, "GET_KSYM_ADDR")) return 0;
  uint64_t addr = 0;
  int ret = s.ksyms().Lookup(std::string(a[0]), &addr);
  ReplyAddress(r, "GET_KSYM_ADDR", ret, addr);
  return 0;
}

// GET_USYM_NAME pid addr demangle -> "GET_USYM_NAME: ret=<r>" then "name;offset;module"
int CmdGetUsymName(Session& s, Args a, Reply& r) {
  int pid;
  uint64_t addr;
  uint32_t demangle;
  if (!ParseInt(a[0], &pid) || !ParseUint64(a[1], &addr) || !ParseUint32(a[2], &demangle) ||
      demangle > 1)
    return kBadArgs;
  if (pid < 0) {
    r.Ret("GET_USYM_NAME", -EINVAL);
    return 0;
  }
  if (NoKernel(s, r, "GET_USYM_NAME")) return 0;
  std::string name, module;
  uint64_t off = 0;
  int ret = s.usyms().Resolve(pid, addr, demangle == 1, &name, &off, &module);
  ReplySymbol(r, "GET_USYM_NAME", ret, name, off, module);
  return 0;
}

// GET_USYM_ADDR pid name module -> "GET_USYM_ADDR: ret=<r>" then the address
int CmdGetUsymAddr(Session& s, Args a, Reply& r) {
  int pid;
  if (!ParseInt(a[0], &pid) || a[1].empty()) return kBadArgs;
  if (pid < -1) {
    r.Ret("GET_USYM_ADDR", -EINVAL);
    return 0;
  }
  if (NoKernel(s, r, "GET_USYM_ADDR")) return 0;
  uint64_t addr = 0;
  int ret = s.usyms().Lookup(pid, std::string(a[1]), std::string(a[2]), &addr);
  ReplyAddress(r, "GET_USYM_ADDR", ret, addr);
  return 0;
}

}  // namespace bpfd
