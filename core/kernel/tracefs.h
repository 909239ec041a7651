// Tracefs access: locate (or mount) tracefs, read/write whole files, list trace events, and
// add/remove dynamic kprobe/uprobe events. Every function returns >= 0 on success, -errno on error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/file_io.h"

namespace bpfd {

// Kind of dynamic probe event file: <tracefs>/kprobe_events or <tracefs>/uprobe_events.
enum class ProbeKind { kKprobe, kUprobe };

// Finds a mounted tracefs: the first "tracefs" entry of /proc/mounts, else /sys/kernel/tracing
// or /sys/kernel/debug/tracing if either is a tracefs (statfs magic). If none is mounted, mounts
// tracefs at /sys/kernel/tracing (needs CAP_SYS_ADMIN). On success *path is the mount point.
int FindTracefs(std::string* path);

// The tracefs a host tool names by a usual mount point (BCC: /sys/kernel/debug/tracing):
// `named` when it is a tracefs here, else this device's own (found, or mounted as FindTracefs
// does: Android mounts it only at /sys/kernel/tracing), else `named` unchanged.
std::string TracefsAt(std::string_view named);

// Trace event categories (directories under <tracefs>/events), sorted.
int ListCategories(const std::string& tracefs, std::vector<std::string>* out);

// Event names (directories under <tracefs>/events/<category>), sorted.
int ListEvents(const std::string& tracefs, const std::string& category,
               std::vector<std::string>* out);

// The numeric id of <tracefs>/events/<category>/<name>/id (>= 0), or -errno (-EINVAL for names
// that are empty, ".", ".." or contain '/').
int TracepointId(const std::string& tracefs, const std::string& category, const std::string& name);

// True when s can be one token of a kprobe_events/uprobe_events definition (a function name, a
// binary's path): not empty, and no byte the kernel splits on (isspace: ' ', \t, \n, \v, \f,
// \r) nor any other control character.
bool IsProbeToken(std::string_view s);

// Appends a probe definition such as "p:kprobes/ev do_sys_open" or "p:uprobes/ev /bin/x:0x10"
// to kprobe_events/uprobe_events: -EINVAL for one with a control character (a second line,
// a tab...), -ENOENT when the kernel lacks that file (e.g. no CONFIG_KPROBES).
int AddProbeEvent(const std::string& tracefs, ProbeKind kind, std::string_view definition);

// Removes group/event by writing "-:group/event"; -ENOENT if absent, -EBUSY while still in use.
int RemoveProbeEvent(const std::string& tracefs, ProbeKind kind, std::string_view group,
                     std::string_view event);
// RemoveProbeEvent, retried for up to ~0.4 s while the kernel reports -EBUSY (a perf event
// just closed may still hold the event).
int RemoveProbeEventRetrying(const std::string& tracefs, ProbeKind kind, const std::string& group,
                             const std::string& event);
// Writes "-:<name>" (name "group/event" or "event") to an events file (kprobe_events,
// uprobe_events, dynamic_events), retried like RemoveProbeEventRetrying. -EINVAL for a name
// with a space or control character; else the kernel's answer (-ENOENT: no such event).
int RemoveDynamicEvent(const std::string& events_file, std::string_view name);

// True when path's directory is on a tracefs (statfs magic), so path is one of its files.
bool IsTracefsFile(const std::string& path);

}  // namespace bpfd
