// bpf-probes: lists what can be traced on the target (tracepoints, kprobe-able functions, a
// binary's uprobe offsets, the BPF features the kernel accepts). A protocol client: every
// fact comes from a Backend command; this file only parses arguments and formats.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cmd/mode.h"
#include "cmd/modes.h"
#include "core/base/demangle.h"
#include "core/base/glob.h"
#include "core/client/probe_listing.h"
#include "core/client/protocol_client.h"
#include "core/output/json.h"
#include "core/output/text_table.h"
#include "core/output/trace_format.h"

namespace bpfd {
namespace {

constexpr const char* kUsage =
    "Usage: bpf-probes [OPTIONS] COMMAND [ARGS]\n"
    "List what can be traced on this device.\n"
    "\n"
    "Commands:\n"
    "  tracepoints [GLOB]      trace events as category:event, one per line; GLOB is a shell\n"
    "                          pattern matched against category:event (e.g. 'sched:*')\n"
    "  kprobes [GLOB]          kernel functions a kprobe may take: available_filter_functions\n"
    "                          (or kallsyms text symbols when that is unreadable) minus the\n"
    "                          kprobes blacklist; says on stderr when kprobes cannot attach\n"
    "  uprobes BINARY [GLOB]   function symbols of an ELF file (.symtab and .dynsym) with the\n"
    "                          file offset a uprobe takes; C++ names demangled; GLOB matches the\n"
    "                          shown or the mangled name\n"
    "  features                program types, map types and helpers this kernel accepts (real\n"
    "                          test loads), BTF, JIT, unprivileged BPF, ring buffer, probe PMUs\n"
    "\n"
    "Options:\n"
    "  --format                with tracepoints: each event's id and fields (name, type,\n"
    "                          offset, size, signed) from its tracefs format file\n"
    "  -j, --json              one compact JSON document instead of tables\n"
    "  --remote SPEC           ask a remote bpfd instead of this machine's kernel\n"
    "  -h, --help              this help\n"
    "\n"
    "Exit codes: 0 ok, 1 the listing failed (e.g. bpf() not implemented here, no tracefs,\n"
    "not an ELF file), 2 usage error.\n";

// The tracefs path the v1 listing commands are given (the daemon falls back to its own).
constexpr const char* kTracefs = "/sys/kernel/debug/tracing";

int Fail(const ModeOptions& o, const std::string& msg) {
  return ReportError("bpf-probes", o.json, msg);
}

constexpr Option kFlags[] = {{"format"}};

int Usage(const ModeOptions& o, const std::string& msg) {
  return ReportError("bpf-probes", o.json, msg, kExitUsage);
}

std::string ErrnoText(long long err) { return std::strerror(static_cast<int>(-err)); }

// A v1 listing command: its data lines on success; on failure its only line is
// "<fn>: ret=<-errno>". Returns 0 or the -errno.
long long CallList(Backend& b, const std::string& line, std::string_view fn,
                   std::vector<std::string>* lines) {
  Result<CallReply> r = Call(b, line, {.listing_fn = fn});
  if (!r.ok()) return r.err();
  *lines = std::move(r->data);
  return r->ret;
}

// "key value" lines as a map (the value is the rest of the line).
std::map<std::string, std::string> KeyValues(const std::vector<std::string>& lines) {
  std::map<std::string, std::string> kv;
  for (const std::string& l : lines) {
    size_t sp = l.find(' ');
    if (sp != std::string::npos) kv[l.substr(0, sp)] = l.substr(sp + 1);
  }
  return kv;
}

void PrintJson(JsonWriter& j) { std::printf("%s\n", j.str().c_str()); }

// ---- tracepoints ----

int ListTracepoints(Backend& b, const ModeOptions& o, const std::string& glob,
                    std::vector<std::string>* out) {
  std::vector<std::string> cats;
  long long r = CallList(b, std::string("GET_TRACE_EVENTS_CATEGORIES ") + kTracefs,
                         "get_trace_events_categories", &cats);
  if (r < 0)
    return Fail(o, "cannot list trace event categories: " + ErrnoText(r) +
                       " (is tracefs mounted? mount -t tracefs nodev /sys/kernel/tracing)");
  for (const std::string& cat : cats) {
    std::vector<std::string> events;
    r = CallList(b, std::string("GET_TRACE_EVENTS ") + kTracefs + " " + cat, "get_trace_events",
                 &events);
    if (r < 0) return Fail(o, "cannot list the events of category " + cat + ": " + ErrnoText(r));
    for (const std::string& ev : events)
      if (GlobMatch(glob, cat + ":" + ev)) out->push_back(cat + ":" + ev);
  }
  return 0;
}

void FieldsJson(JsonWriter& j, const TraceFormat& f) {
  j.Key("id").Int(f.id).Key("fields").BeginArray();
  for (const TraceField& fld : f.fields) {
    j.BeginObject().Key("name").String(fld.name).Key("type").String(fld.type);
    j.Key("offset").Uint(fld.offset).Key("size").Uint(fld.size);
    j.Key("signed").Bool(fld.is_signed).Key("common").Bool(fld.common).EndObject();
  }
  j.EndArray();
}

void FieldsText(const std::string& event, const TraceFormat& f) {
  std::printf("%s (id %lld)\n", event.c_str(), static_cast<long long>(f.id));
  TextTable t;
  t.AddRow({"FIELD", "TYPE", "OFFSET", "SIZE", "SIGNED"});
  for (const TraceField& fld : f.fields)
    t.AddRow({fld.name, fld.type, std::to_string(fld.offset), std::to_string(fld.size),
              fld.is_signed ? "yes" : "no"});
  std::printf("%s", t.Render("  ").c_str());
}

int Tracepoints(Backend& b, const ModeOptions& o) {
  if (o.args.size() > 2) return Usage(o, "tracepoints takes at most one GLOB");
  std::string glob = o.args.size() > 1 ? o.args[1] : "";
  std::vector<std::string> events;
  if (int rc = ListTracepoints(b, o, glob, &events)) return rc;
  bool with_format = o.flags.count("format") > 0;
  JsonWriter j;
  j.BeginObject().Key("tracepoints").BeginArray();
  int rc = 0;
  uint64_t listed = 0;  // events whose format could not be read are reported, not listed
  std::vector<std::string> errors;  // those reports, for the JSON document
  for (const std::string& ev : events) {
    TraceFormat f;
    if (with_format) {
      size_t colon = ev.find(':');
      std::vector<std::string> lines;
      long long r = CallData(
          b, "GET_TRACE_EVENT_FORMAT " + ev.substr(0, colon) + " " + ev.substr(colon + 1), &lines);
      std::string text;
      for (const std::string& l : lines) text += l + "\n";
      if (r < 0 || ParseTraceFormat(text, &f) < 0) {
        errors.push_back("cannot read the format of " + ev +
                         (r < 0 ? ": " + ErrnoText(r) : std::string(": unparseable format file")));
        rc = ReportError("bpf-probes", false, errors.back());  // stderr; JSON: in the document
        continue;
      }
    }
    ++listed;
    if (o.json) {
      j.BeginObject().Key("name").String(ev);
      if (with_format) FieldsJson(j, f);
      j.EndObject();
    } else if (with_format) {
      FieldsText(ev, f);
    } else {
      std::printf("%s\n", ev.c_str());
    }
  }
  j.EndArray().Key("count").Uint(listed);
  if (!errors.empty()) {
    j.Key("errors").BeginArray();
    for (const std::string& e : errors) j.String(e);
    j.EndArray();
  }
  j.EndObject();
  if (o.json) PrintJson(j);
  return rc;
}

// ---- kprobes ----

// Where the candidates come from: available_filter_functions, else kallsyms text symbols.
int KernelFunctions(Backend& b, const ModeOptions& o, std::vector<KernelFunc>* funcs,
                    std::string* source, std::string* why_not_ftrace) {
  std::vector<std::string> lines;
  long long r = CallList(b, std::string("GET_AVAIL_FILTER_FUNCS ") + kTracefs,
                         "get_avail_filter_funcs", &lines);
  KernelFunc f;
  if (r == 0) {
    *source = "available_filter_functions";
    for (const std::string& l : lines)
      if (ParseFilterFunction(l, &f)) funcs->push_back(f);
    return 0;
  }
  *why_not_ftrace = ErrnoText(r);
  r = CallList(b, "GET_KALLSYMS", "get_kallsyms", &lines);
  if (r < 0)
    return Fail(o, "cannot read available_filter_functions (" + *why_not_ftrace +
                       ") nor /proc/kallsyms (" + ErrnoText(r) + ")");
  *source = "kallsyms";
  for (const std::string& l : lines)
    if (ParseKallsymsText(l, &f)) funcs->push_back(f);
  return 0;
}

int Kprobes(Backend& b, const ModeOptions& o) {
  if (o.args.size() > 2) return Usage(o, "kprobes takes at most one GLOB");
  std::string glob = o.args.size() > 1 ? o.args[1] : "";
  std::vector<KernelFunc> funcs;
  std::string source, why_not_ftrace;
  if (int rc = KernelFunctions(b, o, &funcs, &source, &why_not_ftrace)) return rc;
  std::vector<std::string> lines, blacklist;
  bool have_blacklist = CallList(b, std::string("GET_KPROBES_BLACKLIST ") + kTracefs,
                                 "get_kprobes_blacklist", &lines) == 0;
  std::string name;
  for (const std::string& l : lines)
    if (have_blacklist && ParseBlacklistEntry(l, &name)) blacklist.push_back(name);
  std::vector<std::string> feat;
  if (long long r = CallData(b, "GET_BPF_FEATURES system", &feat); r < 0)
    return Fail(o, "cannot check kprobe support: " + ErrnoText(r));
  auto kv = KeyValues(feat);
  bool attachable = kv["kprobe_pmu"] == "yes" || kv["kprobe_events"] == "yes";
  std::string from =
      source == "kallsyms"
          ? "kallsyms text symbols (available_filter_functions: " + why_not_ftrace + ")"
          : source;
  if (!attachable) {
    std::fprintf(stderr,
                 "bpf-probes: kprobes cannot attach on this kernel (no kprobe PMU, no "
                 "kprobe_events: the kernel lacks CONFIG_KPROBES or CONFIG_KPROBE_EVENTS); listing "
                 "%s anyway\n",
                 from.c_str());
  } else if (source == "kallsyms" || !have_blacklist) {
    std::fprintf(stderr, "bpf-probes: listing %s%s\n", from.c_str(),
                 have_blacklist ? ""
                                : "; the kprobes blacklist is unreadable (mount debugfs: "
                                  "mount -t debugfs none /sys/kernel/debug), so it may "
                                  "list functions a kprobe refuses");
  }
  std::vector<KernelFunc> out;
  for (KernelFunc& f : KprobeCandidates(std::move(funcs), blacklist))
    if (GlobMatch(glob, f.name)) out.push_back(std::move(f));
  if (!o.json) {
    for (const KernelFunc& f : out)
      std::printf("%s%s\n", f.name.c_str(),
                  f.module.empty() ? "" : (" [" + f.module + "]").c_str());
    return 0;
  }
  JsonWriter j;
  j.BeginObject().Key("source").String(source).Key("blacklist").Bool(have_blacklist);
  j.Key("attachable").Bool(attachable).Key("functions").BeginArray();
  for (const KernelFunc& f : out) {
    j.BeginObject().Key("name").String(f.name);
    if (!f.module.empty()) j.Key("module").String(f.module);
    j.EndObject();
  }
  j.EndArray().Key("count").Uint(out.size()).EndObject();
  PrintJson(j);
  return 0;
}

// ---- uprobes ----

int Uprobes(Backend& b, const ModeOptions& o) {
  if (o.args.size() < 2 || o.args.size() > 3) return Usage(o, "uprobes takes BINARY [GLOB]");
  const std::string& path = o.args[1];
  std::string glob = o.args.size() > 2 ? o.args[2] : "";
  if (path.empty() || path.find_first_of(" \r\n") != std::string::npos)
    return Usage(o, "the protocol cannot pass a path with spaces or newlines: '" + path + "'");
  std::vector<std::string> lines;
  long long r = CallData(b, "GET_ELF_FUNCS " + path, &lines);
  if (r == -ENOEXEC) return Fail(o, "'" + path + "' is not an ELF executable or shared object");
  if (r < 0) return Fail(o, "cannot read the symbols of '" + path + "': " + ErrnoText(r));
  std::vector<std::pair<ElfFunc, std::string>> funcs;  // with the shown name
  for (const std::string& l : lines) {
    ElfFunc f;
    if (!ParseElfFuncLine(l, &f)) return Fail(o, "unexpected reply line '" + l + "'");
    std::string shown = Demangle(f.symbol);
    if (GlobMatch(glob, shown) || GlobMatch(glob, f.symbol)) funcs.emplace_back(f, shown);
  }
  if (o.json) {
    JsonWriter j;
    j.BeginObject().Key("binary").String(path).Key("functions").BeginArray();
    for (const auto& [f, shown] : funcs) {
      j.BeginObject().Key("offset").Uint(f.offset).Key("vaddr").Uint(f.vaddr);
      j.Key("size").Uint(f.size).Key("name").String(shown).Key("symbol").String(f.symbol);
      j.EndObject();
    }
    j.EndArray().Key("count").Uint(funcs.size()).EndObject();
    PrintJson(j);
    return 0;
  }
  TextTable t;
  t.AddRow({"OFFSET", "SIZE", "NAME"});
  char hex[32];
  for (const auto& [f, shown] : funcs) {
    std::snprintf(hex, sizeof(hex), "0x%llx", static_cast<unsigned long long>(f.offset));
    t.AddRow({hex, std::to_string(f.size), shown});
  }
  std::printf("%s", t.Render().c_str());
  return 0;
}

}  // namespace

int ProbesFeatures(Backend& b, const ModeOptions& o);  // cmd/probes_features.cc

int ProbesMain(int argc, char** argv) {
  ModeOptions o;
  std::string error;
  if (ParseModeOptions(argc, argv, kFlags, &o, &error) < 0) return Usage(o, error);
  if (o.help) {
    std::printf("%s", kUsage);
    return 0;
  }
  if (o.args.empty())
    return Usage(o, "missing COMMAND (tracepoints, kprobes, uprobes or features)");
  const std::string& cmd = o.args[0];
  if (o.flags.count("format") && cmd != "tracepoints")
    return Usage(o, "--format only applies to tracepoints");
  using Fn = int (*)(Backend&, const ModeOptions&);
  const std::map<std::string, Fn> commands = {{"tracepoints", Tracepoints},
                                              {"kprobes", Kprobes},
                                              {"uprobes", Uprobes},
                                              {"features", ProbesFeatures}};
  auto it = commands.find(cmd);
  if (it == commands.end()) return Usage(o, "unknown command '" + cmd + "'");
  std::unique_ptr<Backend> backend;
  if (OpenBackend(o, &backend, &error) < 0) return Fail(o, error);
  return it->second(*backend, o);
}

}  // namespace bpfd
