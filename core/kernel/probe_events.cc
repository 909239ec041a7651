// Parsing of kprobe_events/uprobe_events writes and listings; see probe_events.h.
#include "core/kernel/probe_events.h"

namespace bpfd {
namespace {

// Splits "[GRP/]EVENT" (the part after ':'); group stays `def` when absent.
void SplitName(std::string_view name, std::string_view def, ProbeEventEdit* e) {
  size_t slash = name.find('/');
  e->group =
      slash == std::string_view::npos ? std::string(def) : std::string(name.substr(0, slash));
  e->event = std::string(slash == std::string_view::npos ? name : name.substr(slash + 1));
}

template <typename Fn>
void ForEachLine(std::string_view text, Fn fn) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos) continue;
    line.remove_prefix(start);
    fn(line.substr(0, line.find_first_of(" \t")));  // the command token
  }
}

// Definitions start with one of `letters`; `def` is the group of one without a group.
std::vector<ProbeEventEdit> ParseEdits(std::string_view text, std::string_view def,
                                       std::string_view letters) {
  std::vector<ProbeEventEdit> edits;
  ForEachLine(text, [&](std::string_view cmd) {
    ProbeEventEdit e;
    if (cmd[0] == '-') {
      if (cmd.size() < 3 || cmd[1] != ':') return;  // "-:" needs a name
      e.add = false;
      SplitName(cmd.substr(2), "", &e);
    } else if (letters.find(cmd[0]) != std::string_view::npos) {
      size_t i = 1;
      while (i < cmd.size() && cmd[i] >= '0' && cmd[i] <= '9') ++i;  // r<maxactive>
      if (i < cmd.size() && cmd[i] != ':') return;
      e.add = true;
      if (i < cmd.size()) {
        SplitName(cmd.substr(i + 1), def, &e);
      } else {
        e.group = std::string(def);
      }
    } else {
      return;
    }
    edits.push_back(std::move(e));
  });
  return edits;
}

}  // namespace

std::vector<ProbeEventEdit> ParseProbeEventWrite(std::string_view text, ProbeKind kind) {
  return ParseEdits(text, kind == ProbeKind::kKprobe ? "kprobes" : "uprobes", "pr");
}

std::vector<ProbeEventEdit> ParseDynamicEventWrite(std::string_view text) {
  return ParseEdits(text, "", "presft");
}

std::vector<std::pair<std::string, std::string>> ListedProbeEvents(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  ForEachLine(text, [&](std::string_view cmd) {
    size_t colon = cmd.find(':');
    if (colon == std::string_view::npos) return;
    std::string_view name = cmd.substr(colon + 1);
    size_t slash = name.find('/');
    if (slash == std::string_view::npos) return;
    out.emplace_back(name.substr(0, slash), name.substr(slash + 1));
  });
  return out;
}

}  // namespace bpfd
