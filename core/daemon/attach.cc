// Attaching programs (docs/protocol.md). Every probe is owned by the Session and detached at
// cleanup; each attach replies ret=<the probe's perf event fd>, each detach ret=<0 or -errno>.
//   BPF_ATTACH_KPROBE prog_fd type ev_name fn_name                 (type: 0 entry, 1 return)
//   BPF_DETACH_KPROBE ev_name
//   BPF_ATTACH_UPROBE prog_fd type ev_name binary_path offset pid
//   BPF_DETACH_UPROBE ev_name
//   BPF_ATTACH_TRACEPOINT prog_fd category tpname
//   BPF_DETACH_TRACEPOINT category tpname
//   BPF_ATTACH_PERF_EVENT prog_fd ev_type ev_config sample_period sample_freq pid cpu group_fd
//   BPF_CLOSE_PERF_EVENT_FD fd   (a probe's fd, then fully detached, or a perf buffer's)
#include <cerrno>
#include <memory>
#include <string>

#include "core/daemon/handler.h"
#include "core/kernel/attached_probe.h"
#include "core/wire/tokens.h"

namespace bpfd {
namespace {

std::string KprobeKey(std::string_view ev) { return "kprobe:" + std::string(ev); }
std::string UprobeKey(std::string_view ev) { return "uprobe:" + std::string(ev); }
std::string TpKey(std::string_view cat, std::string_view tp) {
  return "tracepoint:" + std::string(cat) + ":" + std::string(tp);
}

// Parses "0" (entry) or "1" (return).
bool ParseProbeType(std::string_view s, bool* retprobe) {
  uint32_t t;
  if (!ParseUint32(s, &t) || t > 1) return false;
  *retprobe = t == 1;
  return true;
}

// Kprobes and uprobes go through the PMU or kprobe_events/uprobe_events as the session's
// probe_api says (DaemonMain sets it from --probe-api or $BPFD_PROBE_API).
ProbeOptions SessionProbeOptions(Session& s) {
  ProbeOptions opts;
  opts.api = s.probe_api();
  // Ours by name ("*_bpfd_<pid>"), and journalled in case the pid is reused before a sweep.
  opts.before_create = [&s](const std::string& file, const std::string& name) {
    s.RecordMade({JournalEntry::Type::kEvent, file, name}, /*undo_at_end=*/false);
  };
  return opts;
}

// Replies with the probe's fd after handing it to the session, or with the error.
Verdict Finish(Session& s, CommandReply& r, const std::string& key, int ret,
               std::unique_ptr<AttachedProbe> probe) {
  if (ret == 0 && (!probe || probe->fd() < 0)) ret = -EIO;
  if (ret < 0) return r.Ret(ret);
  return r.Ret(s.AddProbe(key, std::move(probe)));
}

// BPF_ATTACH_KPROBE prog_fd type ev_name fn_name
Verdict CmdAttachKprobe(Session& s, Args a, CommandReply& r) {
  int prog_fd;
  bool ret_probe;
  if (!ParseInt(a[0], &prog_fd) || !ParseProbeType(a[1], &ret_probe) || a[2].empty() ||
      a[3].empty())
    return Verdict::kBadArgs;
  if (!s.HasProg(prog_fd)) return r.Ret(-EINVAL);
  if (r.NoKernel(s)) return Verdict::kDone;
  std::unique_ptr<AttachedProbe> probe;
  int ret = AttachKprobe(prog_fd, ret_probe, std::string(a[2]), std::string(a[3]), &probe,
                         SessionProbeOptions(s));
  return Finish(s, r, KprobeKey(a[2]), ret, std::move(probe));
}

// BPF_DETACH_KPROBE ev_name
Verdict CmdDetachKprobe(Session& s, Args a, CommandReply& r) {
  if (a[0].empty()) return Verdict::kBadArgs;
  return r.Ret(s.DetachProbes(KprobeKey(a[0])));
}

// BPF_ATTACH_UPROBE prog_fd type ev_name binary_path offset pid
Verdict CmdAttachUprobe(Session& s, Args a, CommandReply& r) {
  int prog_fd, pid;
  bool ret_probe;
  uint64_t offset;
  if (!ParseInt(a[0], &prog_fd) || !ParseProbeType(a[1], &ret_probe) || a[2].empty() ||
      a[3].empty() || !ParseUint64(a[4], &offset) || !ParseInt(a[5], &pid))
    return Verdict::kBadArgs;
  if (!s.HasProg(prog_fd) || pid < -1) return r.Ret(-EINVAL);
  if (r.NoKernel(s)) return Verdict::kDone;
  std::unique_ptr<AttachedProbe> probe;
  int ret = AttachUprobe(prog_fd, ret_probe, std::string(a[2]), std::string(a[3]), offset, pid,
                         &probe, SessionProbeOptions(s));
  return Finish(s, r, UprobeKey(a[2]), ret, std::move(probe));
}

// BPF_DETACH_UPROBE ev_name
Verdict CmdDetachUprobe(Session& s, Args a, CommandReply& r) {
  if (a[0].empty()) return Verdict::kBadArgs;
  return r.Ret(s.DetachProbes(UprobeKey(a[0])));
}

// BPF_ATTACH_TRACEPOINT prog_fd category tpname
Verdict CmdAttachTracepoint(Session& s, Args a, CommandReply& r) {
  int prog_fd;
  if (!ParseInt(a[0], &prog_fd) || a[1].empty() || a[2].empty()) return Verdict::kBadArgs;
  if (!s.HasProg(prog_fd)) return r.Ret(-EINVAL);
  if (r.NoKernel(s)) return Verdict::kDone;
  std::unique_ptr<AttachedProbe> probe;
  int ret = AttachTracepoint(prog_fd, std::string(a[1]), std::string(a[2]), &probe);
  return Finish(s, r, TpKey(a[1], a[2]), ret, std::move(probe));
}

// BPF_DETACH_TRACEPOINT category tpname
Verdict CmdDetachTracepoint(Session& s, Args a, CommandReply& r) {
  if (a[0].empty() || a[1].empty()) return Verdict::kBadArgs;
  return r.Ret(s.DetachProbes(TpKey(a[0], a[1])));
}

// BPF_ATTACH_PERF_EVENT prog_fd ev_type ev_config sample_period sample_freq pid cpu group_fd
Verdict CmdAttachPerfEvent(Session& s, Args a, CommandReply& r) {
  int prog_fd, pid, cpu, group_fd;
  uint32_t type;
  uint64_t config, period, freq;
  if (!ParseInt(a[0], &prog_fd) || !ParseUint32(a[1], &type) || !ParseUint64(a[2], &config) ||
      !ParseUint64(a[3], &period) || !ParseUint64(a[4], &freq) || !ParseInt(a[5], &pid) ||
      !ParseInt(a[6], &cpu) || !ParseInt(a[7], &group_fd))
    return Verdict::kBadArgs;
  // A group leader must be one of this session's perf events.
  if (!s.HasProg(prog_fd) || pid < -1 || cpu < -1 || (group_fd != -1 && !s.HasProbeFd(group_fd))) {
    return r.Ret(-EINVAL);
  }
  if (r.NoKernel(s)) return Verdict::kDone;
  std::unique_ptr<AttachedProbe> probe;
  int ret = AttachPerfEvent(prog_fd, type, config, period, freq, pid, cpu, group_fd, &probe);
  std::string key = "perf:" + std::to_string(ret == 0 && probe ? probe->fd() : -1);
  return Finish(s, r, key, ret, std::move(probe));
}

// BPF_CLOSE_PERF_EVENT_FD fd: closes one of the session's perf event fds (a probe's, which is
// then fully detached, or a perf buffer's).
Verdict CmdClosePerfEventFd(Session& s, Args a, CommandReply& r) {
  int fd;
  if (!ParseInt(a[0], &fd)) return Verdict::kBadArgs;
  return r.Ret(s.ClosePerfEventFd(fd));
}

constexpr Command kAttachCommands[] = {
    {"BPF_ATTACH_KPROBE", 4, "bpf_attach_kprobe", CmdAttachKprobe},
    {"BPF_DETACH_KPROBE", 1, "bpf_detach_kprobe", CmdDetachKprobe},
    {"BPF_ATTACH_UPROBE", 6, "bpf_attach_uprobe", CmdAttachUprobe},
    {"BPF_DETACH_UPROBE", 1, "bpf_detach_uprobe", CmdDetachUprobe},
    {"BPF_ATTACH_TRACEPOINT", 3, "bpf_attach_tracepoint", CmdAttachTracepoint},
    {"BPF_DETACH_TRACEPOINT", 2, "bpf_detach_tracepoint", CmdDetachTracepoint},
    {"BPF_ATTACH_PERF_EVENT", 8, "bpf_attach_perf_event", CmdAttachPerfEvent},
    {"BPF_CLOSE_PERF_EVENT_FD", 1, "bpf_close_perf_event_fd", CmdClosePerfEventFd},
};

}  // namespace

CommandGroup AttachCommands() { return kAttachCommands; }

}  // namespace bpfd
