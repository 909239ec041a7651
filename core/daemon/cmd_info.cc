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
Verdict ReplyFile(CommandReply& r, const std::vector<std::string>& paths) {
  int first_err = -ENOENT;
  for (size_t i = 0; i < paths.size(); ++i) {
    std::string text;
    int ret = ReadFile(paths[i], &text);
    if (ret >= 0) {
      r.Text(text);
      return Verdict::kDone;
    }
    if (i == 0) first_err = ret;
  }
  return r.Ret(first_err);
}

Verdict ReplyList(CommandReply& r, int ret, const std::vector<std::string>& items) {
  if (ret < 0) return r.Ret(ret);
  for (const std::string& item : items) r.Line(SafeLine(item));
  return Verdict::kDone;
}

Verdict ReplySymbol(CommandReply& r, int ret, const std::string& name, uint64_t off,
                    const std::string& module) {
  r.Ret(ret);
  if (ret == 0) r.Line(SafeLine(name) + ";" + std::to_string(off) + ";" + SafeLine(module));
  return Verdict::kDone;
}

Verdict ReplyAddress(CommandReply& r, int ret, uint64_t addr) {
  r.Ret(ret);
  if (ret == 0) r.Line(std::to_string(addr));
  return Verdict::kDone;
}

// GET_KALLSYMS -> /proc/kallsyms
Verdict CmdGetKallsyms(Session& s, Args, CommandReply& r) {
  if (r.NoKernel(s)) return Verdict::kDone;
  return ReplyFile(r, {"/proc/kallsyms"});
}

// GET_KPROBES_BLACKLIST tracefs -> the kprobes blacklist (debugfs kprobes/blacklist)
Verdict CmdGetKprobesBlacklist(Session& s, Args a, CommandReply& r) {
  if (a[0].empty()) return Verdict::kBadArgs;
  if (r.NoKernel(s)) return Verdict::kDone;
  std::string given(a[0]);
  return ReplyFile(r, {given + "/../kprobes/blacklist", "/sys/kernel/debug/kprobes/blacklist"});
}

// GET_AVAIL_FILTER_FUNCS tracefs -> available_filter_functions
Verdict CmdGetAvailFilterFuncs(Session& s, Args a, CommandReply& r) {
  if (a[0].empty()) return Verdict::kBadArgs;
  if (r.NoKernel(s)) return Verdict::kDone;
  return ReplyFile(r, {ResolveTracefs(a[0]) + "/available_filter_functions"});
}

// GET_TRACE_EVENTS_CATEGORIES tracefs -> one category per line
Verdict CmdGetTraceEventsCategories(Session& s, Args a, CommandReply& r) {
  if (a[0].empty()) return Verdict::kBadArgs;
  if (r.NoKernel(s)) return Verdict::kDone;
  std::vector<std::string> cats;
  int ret = ListCategories(ResolveTracefs(a[0]), &cats);
  return ReplyList(r, ret, cats);
}

// GET_TRACE_EVENTS tracefs category -> one event name per line
Verdict CmdGetTraceEvents(Session& s, Args a, CommandReply& r) {
  if (a[0].empty() || a[1].empty()) return Verdict::kBadArgs;
  if (!IsSafePathComponent(a[1])) return r.Ret(-EINVAL);
  if (r.NoKernel(s)) return Verdict::kDone;
  std::vector<std::string> events;
  int ret = ListEvents(ResolveTracefs(a[0]), std::string(a[1]), &events);
  return ReplyList(r, ret, events);
}

// COMM_FOR_PID pid -> the process's comm
Verdict CmdCommForPid(Session& s, Args a, CommandReply& r) {
  int pid;
  if (!ParseInt(a[0], &pid)) return Verdict::kBadArgs;
  if (pid < 0) return r.Ret(-EINVAL);
  if (r.NoKernel(s)) return Verdict::kDone;
  std::string comm;
  int ret = ReadFile("/proc/" + std::to_string(pid) + "/comm", &comm);
  if (ret < 0) return r.Ret(ret);
  if (!comm.empty() && comm.back() == '\n') comm.pop_back();
  r.Line(SafeLine(comm));
  return Verdict::kDone;
}

// GET_KSYM_NAME addr -> "GET_KSYM_NAME: ret=<r>" then "name;offset;module"
Verdict CmdGetKsymName(Session& s, Args a, CommandReply& r) {
  uint64_t addr;
  if (!ParseUint64(a[0], &addr)) return Verdict::kBadArgs;
  if (r.NoKernel(s)) return Verdict::kDone;
  std::string name, module;
  uint64_t off = 0;
  int ret = s.ksyms().Resolve(addr, &name, &off, &module);
  return ReplySymbol(r, ret, name, off, module);
}

// GET_KSYM_ADDR name -> "GET_KSYM_ADDR: ret=<r>" then the address
Verdict CmdGetKsymAddr(Session& s, Args a, CommandReply& r) {
  if (a[0].empty()) return Verdict::kBadArgs;
  if (r.NoKernel(s)) return Verdict::kDone;
  uint64_t addr = 0;
  int ret = s.ksyms().Lookup(std::string(a[0]), &addr);
  return ReplyAddress(r, ret, addr);
}

// GET_USYM_NAME pid addr demangle -> "GET_USYM_NAME: ret=<r>" then "name;offset;module"
Verdict CmdGetUsymName(Session& s, Args a, CommandReply& r) {
  int pid;
  uint64_t addr;
  uint32_t demangle;
  if (!ParseInt(a[0], &pid) || !ParseUint64(a[1], &addr) || !ParseUint32(a[2], &demangle) ||
      demangle > 1)
    return Verdict::kBadArgs;
  if (pid < 0) return r.Ret(-EINVAL);
  if (r.NoKernel(s)) return Verdict::kDone;
  std::string name, module;
  uint64_t off = 0;
  int ret = s.usyms().Resolve(pid, addr, demangle == 1, &name, &off, &module);
  return ReplySymbol(r, ret, name, off, module);
}

// GET_USYM_ADDR pid name module -> "GET_USYM_ADDR: ret=<r>" then the address
Verdict CmdGetUsymAddr(Session& s, Args a, CommandReply& r) {
  int pid;
  if (!ParseInt(a[0], &pid) || a[1].empty()) return Verdict::kBadArgs;
  if (pid < -1) return r.Ret(-EINVAL);
  if (r.NoKernel(s)) return Verdict::kDone;
  uint64_t addr = 0;
  int ret = s.usyms().Lookup(pid, std::string(a[1]), std::string(a[2]), &addr);
  return ReplyAddress(r, ret, addr);
}

constexpr Command kInfoCommands[] = {
    {"GET_KALLSYMS", 0, "get_kallsyms", CmdGetKallsyms},
    {"GET_KPROBES_BLACKLIST", 1, "get_kprobes_blacklist", CmdGetKprobesBlacklist},
    {"GET_AVAIL_FILTER_FUNCS", 1, "get_avail_filter_funcs", CmdGetAvailFilterFuncs},
    {"GET_TRACE_EVENTS_CATEGORIES", 1, "get_trace_events_categories", CmdGetTraceEventsCategories},
    {"GET_TRACE_EVENTS", 2, "get_trace_events", CmdGetTraceEvents},
    {"COMM_FOR_PID", 1, "comm_for_pid", CmdCommForPid},
    {"GET_KSYM_NAME", 1, "GET_KSYM_NAME", CmdGetKsymName},
    {"GET_KSYM_ADDR", 1, "GET_KSYM_ADDR", CmdGetKsymAddr},
    {"GET_USYM_NAME", 3, "GET_USYM_NAME", CmdGetUsymName},
    {"GET_USYM_ADDR", 3, "GET_USYM_ADDR", CmdGetUsymAddr},
};

}  // namespace

CommandGroup InfoCommands() { return kInfoCommands; }

}  // namespace bpfd
