// AttachedProbe: RAII owner of the perf event fd(s) that attach one BPF program (kprobe, uprobe,
// tracepoint, perf event) plus any tracefs dynamic event it created; destruction detaches all.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/unique_fd.h"
#include "core/kernel/tracefs.h"

namespace bpfd {

enum class ProbeType { kKprobe, kUprobe, kTracepoint, kPerfEvent };

// How kprobes and uprobes are created. kAuto (BCC's and libbpf's default): the kprobe/uprobe
// PMU when /sys/bus/event_source/devices/<kprobe|uprobe> exists, else tracefs
// kprobe_events/uprobe_events. kPmu: the PMU only (-EOPNOTSUPP without it). kTracefs: always
// kprobe_events/uprobe_events (like libbpf's PROBE_ATTACH_MODE_LEGACY).
enum class ProbeApi { kAuto, kPmu, kTracefs };

// The daemon's choice as --probe-api or $BPFD_PROBE_API spell it: "auto", "pmu" or "tracefs"
// (empty: auto). -EINVAL (and *api = kAuto) for any other value.
int ParseProbeApi(std::string_view s, ProbeApi* api);

// Knobs shared by the Attach* factories. Defaults match BCC's behaviour.
struct ProbeOptions {
  std::string tracefs;  // tracefs root; empty: FindTracefs() (may mount) when tracefs is needed
  ProbeApi api = ProbeApi::kAuto;  // kprobes and uprobes only
  uint64_t fn_offset = 0;          // kprobe only: offset inside fn_name
  // Called with the events file and "group/event" just before a tracefs event is created (the
  // caller records it where a crash cannot lose it); may be empty.
  std::function<void(const std::string& events_file, const std::string& name)> before_create = {};
};

class AttachedProbe {
 public:
  ~AttachedProbe();
  AttachedProbe(const AttachedProbe&) = delete;
  AttachedProbe& operator=(const AttachedProbe&) = delete;

  // First perf event fd (what the protocol returns as ret=<fd>); -1 once detached.
  int fd() const { return fds_.empty() ? -1 : fds_.front().get(); }
  ProbeType type() const { return type_; }
  // Lookup key used by the protocol's detach commands: ev_name for kprobes/uprobes,
  // "category:tpname" for tracepoints (see TracepointKey), "" for perf events.
  const std::string& key() const { return key_; }
  // Name of the tracefs dynamic event ("group/event"), "" when attached through a PMU.
  std::string dynamic_event() const;

  // Disables and closes the perf fds, then removes the dynamic event (if any). Idempotent.
  // Returns 0 or the -errno of removing the dynamic event.
  int Detach();

 private:
  AttachedProbe(ProbeType type, std::string key) : type_(type), key_(std::move(key)) {}
  friend struct ProbeBuilder;

  ProbeType type_;
  std::string key_;
  std::vector<UniqueFd> fds_;
  // Dynamic tracefs event to remove on Detach (empty event_ = none).
  std::string tracefs_;
  ProbeKind kind_ = ProbeKind::kKprobe;
  std::string group_, event_;
};

std::string TracepointKey(const std::string& category, const std::string& tpname);

// Attaches a BPF_PROG_TYPE_KPROBE program to fn_name (+opts.fn_offset) through the kprobe PMU
// or tracefs kprobe_events ("p:kprobes/<event> fn"), as opts.api says. Returns -EOPNOTSUPP when the
// kernel has neither (CONFIG_KPROBES off), FindTracefs's error if it lacks the PMU and tracefs is
// unreachable, else the kernel's -errno (e.g. -ENOENT or -EINVAL for an unknown function).
int AttachKprobe(int prog_fd, bool retprobe, const std::string& ev_name, const std::string& fn_name,
                 std::unique_ptr<AttachedProbe>* out, const ProbeOptions& opts = {});

// Attaches a BPF_PROG_TYPE_KPROBE program at file offset `offset` of binary_path, for pid
// (-1: all processes), through the uprobe PMU or uprobe_events ("p:uprobes/<event> path:0xOFF")
// as opts.api says.
// -EOPNOTSUPP when neither exists (CONFIG_UPROBE_EVENTS off).
int AttachUprobe(int prog_fd, bool retprobe, const std::string& ev_name,
                 const std::string& binary_path, uint64_t offset, int pid,
                 std::unique_ptr<AttachedProbe>* out, const ProbeOptions& opts = {});

// Attaches a BPF_PROG_TYPE_TRACEPOINT program to events/<category>/<tpname> (pid -1, cpu 0).
int AttachTracepoint(int prog_fd, const std::string& category, const std::string& tpname,
                     std::unique_ptr<AttachedProbe>* out, const ProbeOptions& opts = {});

// Opens a sampling perf event (sample_freq > 0: frequency mode, else sample_period) and attaches
// a BPF_PROG_TYPE_PERF_EVENT program. pid == -1 && cpu == -1 means one event per online CPU.
// -EINVAL when both sample_period and sample_freq are 0.
int AttachPerfEvent(int prog_fd, uint32_t type, uint64_t config, uint64_t sample_period,
                    uint64_t sample_freq, int pid, int cpu, int group_fd,
                    std::unique_ptr<AttachedProbe>* out);

// Online CPU numbers from /sys/devices/system/cpu/online ("0-3,5").
int OnlineCpus(std::vector<int>* cpus);

}  // namespace bpfd
