// Trace event information, for BCC and bpf-probes (docs/protocol.md). `tracefs` is the path the
// host expects; a device whose tracefs lives elsewhere answers from its own.
//   GET_KPROBES_BLACKLIST tracefs               -> the kprobes blacklist file's text
//   GET_AVAIL_FILTER_FUNCS tracefs              -> available_filter_functions' text
//   GET_TRACE_EVENTS_CATEGORIES tracefs         -> one event category per line
//   GET_TRACE_EVENTS tracefs category           -> one event name per line
//   GET_TRACE_EVENT_FORMAT category event       -> ret=<n>, then the n lines of its format file
#include <sys/stat.h>

#include <cerrno>
#include <string>
#include <vector>

#include "core/daemon/handler.h"
#include "core/kernel/tracefs.h"

namespace bpfd {
namespace {

Verdict ReplyList(CommandReply& r, int ret, const std::vector<std::string>& items) {
  if (ret < 0) return r.Ret(ret);
  for (const std::string& item : items) r.Line(SafeLine(item));
  return Verdict::kDone;
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
  return ReplyFile(r, {TracefsAt(a[0]) + "/available_filter_functions"});
}

// GET_TRACE_EVENTS_CATEGORIES tracefs -> one category per line
Verdict CmdGetTraceEventsCategories(Session& s, Args a, CommandReply& r) {
  if (a[0].empty()) return Verdict::kBadArgs;
  if (r.NoKernel(s)) return Verdict::kDone;
  std::vector<std::string> cats;
  int ret = ListCategories(TracefsAt(a[0]), &cats);
  return ReplyList(r, ret, cats);
}

// GET_TRACE_EVENTS tracefs category -> one event name per line
Verdict CmdGetTraceEvents(Session& s, Args a, CommandReply& r) {
  if (a[0].empty() || a[1].empty()) return Verdict::kBadArgs;
  if (!IsSafePathComponent(a[1])) return r.Ret(-EINVAL);
  if (r.NoKernel(s)) return Verdict::kDone;
  std::vector<std::string> events;
  int ret = ListEvents(TracefsAt(a[0]), std::string(a[1]), &events);
  return ReplyList(r, ret, events);
}

// GET_TRACE_EVENT_FORMAT category event -> "get_trace_event_format: ret=<n>" then the n lines
// of <tracefs>/events/<category>/<event>/format (tabs kept).
Verdict CmdGetTraceEventFormat(Session& s, Args a, CommandReply& r) {
  if (a[0].empty() || a[1].empty()) return Verdict::kBadArgs;
  if (!IsSafePathComponent(a[0]) || !IsSafePathComponent(a[1])) return r.Ret(-EINVAL);
  if (r.NoKernel(s)) return Verdict::kDone;
  std::string tracefs, text;
  int ret = FindTracefs(&tracefs);
  if (ret >= 0)
    ret = ReadFile(tracefs + "/events/" + std::string(a[0]) + "/" + std::string(a[1]) + "/format",
                   &text);
  if (ret < 0) return r.Ret(ret);
  std::vector<std::string> lines;
  for (size_t pos = 0; pos < text.size();) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    lines.push_back(SafeLine(std::string_view(text).substr(pos, eol - pos), true));
    pos = eol + 1;
  }
  return r.RetLines(lines);
}

constexpr Command kTracingInfoCommands[] = {
    {"GET_KPROBES_BLACKLIST", 1, "get_kprobes_blacklist", CmdGetKprobesBlacklist},
    {"GET_AVAIL_FILTER_FUNCS", 1, "get_avail_filter_funcs", CmdGetAvailFilterFuncs},
    {"GET_TRACE_EVENTS_CATEGORIES", 1, "get_trace_events_categories", CmdGetTraceEventsCategories},
    {"GET_TRACE_EVENTS", 2, "get_trace_events", CmdGetTraceEvents},
    {"GET_TRACE_EVENT_FORMAT", 2, "get_trace_event_format", CmdGetTraceEventFormat},
};

}  // namespace

CommandGroup TracingInfoCommands() { return kTracingInfoCommands; }

}  // namespace bpfd
