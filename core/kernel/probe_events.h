// What a write to kprobe_events/uprobe_events does to the dynamic events, so a session can
// remove at its end the events its client defined (FILE_WRITE). Pure text functions.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/kernel/tracefs.h"

namespace bpfd {

struct ProbeEventEdit {
  bool add;  // "p…"/"r…" define; "-:…" removes
  std::string
      group;  // as written; defaults: kprobes/uprobes for definitions, "" (any) for removals
  std::string event;  // "" when the kernel picks the name
};

// One edit per definition or removal line of `text` (several lines may come in one write);
// comments, blank lines and other commands are skipped.
std::vector<ProbeEventEdit> ParseProbeEventWrite(std::string_view text, ProbeKind kind);
// The same for dynamic_events, whose definitions also start with e, s, f or t (eprobes,
// synthetic events, fprobes, tracepoint probes); a definition without a group has group "".
std::vector<ProbeEventEdit> ParseDynamicEventWrite(std::string_view text);

// The {group, event} pairs listed in a kprobe_events/uprobe_events file ("p:GRP/EV …" lines).
std::vector<std::pair<std::string, std::string>> ListedProbeEvents(std::string_view text);

}  // namespace bpfd
