// bpf-probes features: formats the daemon's GET_BPF_FEATURES answer (probed on the target,
// never guessed here) as sections of tables or one JSON document.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "cmd/mode.h"
#include "core/output/json.h"
#include "core/output/text_table.h"
#include "core/wire/tokens.h"

namespace bpfd {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// The facts of the "system" group, with the label the table shows.
constexpr std::pair<const char*, const char*> kSystemLabels[] = {
    {"kernel", "kernel"},
    {"bpf_syscall", "bpf() syscall"},
    {"btf_vmlinux", "BTF (/sys/kernel/btf/vmlinux)"},
    {"jit_enable", "JIT (net.core.bpf_jit_enable)"},
    {"unprivileged_bpf_disabled", "kernel.unprivileged_bpf_disabled"},
    {"tracefs", "tracefs"},
    {"kprobe_pmu", "kprobe PMU"},
    {"uprobe_pmu", "uprobe PMU"},
    {"kprobe_events", "kprobe_events"},
    {"uprobe_events", "uprobe_events"},
    {"ringbuf", "ring buffer (map type ringbuf)"},
};

// The features under "<prefix>.": (rest of key, value), in the daemon's order.
Pairs Group(const Pairs& all, const std::string& prefix) {
  Pairs out;
  for (const auto& [k, v] : all)
    if (k.rfind(prefix + ".", 0) == 0) out.emplace_back(k.substr(prefix.size() + 1), v);
  return out;
}

// A negative value is the -errno that kept the daemon from telling (file absent, libbpf cannot
// probe that type).
std::string Shown(const std::string& v) {
  int64_t n;
  if (v == "yes" || v == "no" || !ParseInt64(v, &n) || n >= 0) return v;
  return std::string("n/a (") + std::strerror(static_cast<int>(-n)) + ")";
}

void JsonValue(JsonWriter& j, const std::string& v) {
  int64_t n;
  if (v == "yes" || v == "no") {
    j.Bool(v == "yes");
  } else if (ParseInt64(v, &n)) {
    j.Int(n);
  } else {
    j.String(v);
  }
}

void JsonGroup(JsonWriter& j, const std::string& key, const Pairs& g) {
  j.Key(key).BeginObject();
  for (const auto& [k, v] : g) JsonValue(j.Key(k), v);
  j.EndObject();
}

std::string CountYes(const Pairs& g) {
  size_t yes = 0;
  for (const auto& kv : g) yes += kv.second == "yes";
  return std::to_string(yes) + " of " + std::to_string(g.size()) + " accepted";
}

void PrintGroup(const char* title, const Pairs& g) {
  std::printf("\n%s (%s):\n", title, CountYes(g).c_str());
  TextTable t;
  for (const auto& [k, v] : g) t.AddRow({k, Shown(v)});
  std::printf("%s", t.Render("  ").c_str());
}

// Helpers as one row per helper, one column per probed program type.
void PrintHelpers(const Pairs& helpers) {
  std::vector<std::string> types;
  std::map<std::string, std::map<std::string, std::string>> rows;
  std::vector<std::string> order;
  for (const auto& [k, v] : helpers) {
    size_t dot = k.find('.');
    std::string type = k.substr(0, dot), helper = k.substr(dot + 1);
    if (types.empty() || types.back() != type) types.push_back(type);
    if (!rows.count(helper)) order.push_back(helper);
    rows[helper][type] = v;
  }
  std::printf("\nHelpers (yes: a program of that type may call it):\n");
  TextTable t;
  std::vector<std::string> head = {"HELPER"};
  head.insert(head.end(), types.begin(), types.end());
  t.AddRow(head);
  for (const std::string& h : order) {
    std::vector<std::string> row = {h};
    for (const std::string& type : types) row.push_back(Shown(rows[h][type]));
    t.AddRow(row);
  }
  std::printf("%s", t.Render("  ").c_str());
}

std::string BpfUnavailable(long long err) {
  if (err == -ENOSYS)
    return "bpf() is not implemented here (ENOSYS: e.g. under qemu-user, or a kernel without "
           "CONFIG_BPF_SYSCALL); program types, map types and helpers cannot be probed";
  if (err == -EPERM)
    return "bpf() is not permitted (EPERM): run as root or with CAP_BPF; program types, map "
           "types and helpers cannot be probed";
  return std::string("bpf() fails (") + std::strerror(static_cast<int>(-err)) +
         "); program types, map types and helpers cannot be probed";
}

}  // namespace

int ProbesFeatures(Backend& b, const ModeOptions& o) {
  if (o.args.size() != 1) {
    return ReportError("bpf-probes", o.json, "features takes no arguments", kExitUsage);
  }
  std::vector<std::string> lines;
  long long r = CallData(b, "GET_BPF_FEATURES all", &lines);
  if (r < 0) {
    return ReportError(
        "bpf-probes", o.json,
        std::string("cannot probe features: ") + std::strerror(static_cast<int>(-r)));
  }
  Pairs all;
  std::map<std::string, std::string> kv;
  for (const std::string& l : lines) {
    size_t sp = l.find(' ');
    if (sp == std::string::npos) continue;
    all.emplace_back(l.substr(0, sp), l.substr(sp + 1));
    kv[all.back().first] = all.back().second;
  }
  int64_t bpf_err = 0;  // -errno of bpf() when it does not work
  bool bpf_ok = kv["bpf_syscall"] == "yes";
  if (!bpf_ok && !ParseInt64(kv["bpf_syscall"], &bpf_err)) bpf_err = -EPROTO;
  Pairs prog_types = Group(all, "prog_type"), map_types = Group(all, "map_type");
  Pairs helpers = Group(all, "helper");
  if (o.json) {
    JsonWriter j;
    j.BeginObject().Key("system").BeginObject();
    for (const auto& [key, label] : kSystemLabels)
      if (kv.count(key)) JsonValue(j.Key(key), kv[key]);
    j.EndObject();
    if (!bpf_ok) j.Key("error").String(BpfUnavailable(bpf_err));
    JsonGroup(j, "prog_types", prog_types);
    JsonGroup(j, "map_types", map_types);
    j.Key("helpers").BeginObject();
    std::map<std::string, Pairs> by_type;
    for (const auto& [k, v] : helpers) {
      size_t dot = k.find('.');
      by_type[k.substr(0, dot)].emplace_back(k.substr(dot + 1), v);
    }
    for (const auto& [type, g] : by_type) JsonGroup(j, type, g);
    j.EndObject().EndObject();
    std::printf("%s\n", j.str().c_str());
  } else {
    std::printf("System:\n");
    TextTable t;
    for (const auto& [key, label] : kSystemLabels)
      if (kv.count(key))
        t.AddRow({label, bpf_ok || key != std::string("bpf_syscall")
                             ? Shown(kv[key])
                             : "no (" + std::string(std::strerror(-bpf_err)) + ")"});
    std::printf("%s", t.Render("  ").c_str());
    if (bpf_ok) {
      PrintGroup("Program types", prog_types);
      PrintGroup("Map types", map_types);
      PrintHelpers(helpers);
    }
  }
  if (bpf_ok) return 0;
  // Under -j the document above already says it ("error"): stderr only.
  return ReportError("bpf-probes", false, BpfUnavailable(bpf_err));
}

}  // namespace bpfd
