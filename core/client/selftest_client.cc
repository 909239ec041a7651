#include "core/client/selftest_client.h"

#include <algorithm>
#include <cerrno>

namespace bpfd {
namespace {

constexpr SelftestCheckInfo kChecks[] = {
    {"kernel", false, "kernel release and architecture (uname)", ""},
    {"kconfig", false, "kernel config found (/proc/config.gz or /boot/config-RELEASE)", ""},
    {"config-*", false,
     "CONFIG_BPF_SYSCALL, BPF_EVENTS, PERF_EVENTS, TRACEPOINTS, FTRACE_SYSCALLS, KPROBES, "
     "UPROBES, UPROBE_EVENTS, DEBUG_INFO_BTF, IKHEADERS set",
     ""},
    {"privileges", false, "root, or CAP_SYS_ADMIN / CAP_BPF+CAP_PERFMON in CapEff", ""},
    {"bpf-syscall", true, "the bpf() system call exists and is permitted", ""},
    {"map-create", true, "an array map can be created", ""},
    {"prog-load", true, "a tracepoint program passes the verifier", ""},
    {"jit", false, "the BPF JIT is enabled (/proc/sys/net/core/bpf_jit_enable)", "BPF JIT"},
    {"btf", false, "kernel BTF at /sys/kernel/btf/vmlinux", "BTF/CO-RE tools"},
    {"tracefs", true, "tracefs is mounted (or could be mounted)", ""},
    {"tracepoint", true,
     "a program on syscalls:sys_enter_getpid sends samples back through a perf buffer", ""},
    {"kprobe", false, "a kprobe on the getpid syscall attaches and fires", "kprobe tools"},
    {"uprobe", false, "a uprobe on one of this binary's own functions attaches and fires",
     "uprobe tools"},
    {"ringbuf", false, "a BPF ring buffer map and a program using bpf_ringbuf_output load",
     "BPF ring buffer"},
    {"raw-tracepoint", false, "BPF_RAW_TRACEPOINT_OPEN on sys_enter attaches and fires",
     "raw tracepoints"},
    {"policy", false,
     "the daemon limits forwarding to tracing (SKIP: it runs --unrestricted, a root shell)", ""},
};

// The first clause of a reason ("CONFIG_KPROBES is not set (...): kprobe tools ..." gives
// "CONFIG_KPROBES is not set (...)").
std::string_view FirstClause(std::string_view reason) {
  size_t end = std::min(reason.find(": "), reason.find("; "));
  return reason.substr(0, end);
}

}  // namespace

std::span<const SelftestCheckInfo> SelftestCheckList() { return kChecks; }

const SelftestCheckInfo* FindSelftestCheck(std::string_view name) {
  if (name.substr(0, 7) == "config-") name = "config-*";
  for (const SelftestCheckInfo& c : kChecks)
    if (c.name == name) return &c;
  return nullptr;
}

SelftestVerdict JudgeSelftest(const std::vector<SelftestCheck>& checks) {
  SelftestVerdict v;
  const SelftestCheck* broken = nullptr;  // the first required check that did not pass
  int required_seen = 0;
  std::string unavailable;
  for (const SelftestCheck& c : checks) {
    const SelftestCheckInfo* info = FindSelftestCheck(c.name);
    if (!info) continue;
    if (info->required) {
      ++required_seen;
      // A FAIL explains more than the SKIPs it caused.
      if (c.status != "PASS" && (!broken || (broken->status == "SKIP" && c.status == "FAIL")))
        broken = &c;
    } else if (!info->feature.empty() && c.status != "PASS") {
      if (!unavailable.empty()) unavailable += ", ";
      unavailable += std::string(info->feature) + " (" + std::string(FirstClause(c.reason)) + ")";
    }
  }
  int required_total = 0;
  for (const SelftestCheckInfo& c : kChecks) required_total += c.required;
  if (broken) {
    v.summary = "bpf-selftest: tracing does not work here: " + broken->name + ": " + broken->reason;
  } else if (required_seen < required_total) {
    v.summary = "bpf-selftest: the daemon did not run every required check (older bpfd?)";
  } else {
    v.ok = true;
    v.summary = "bpf-selftest: tracing works";
    if (!unavailable.empty()) v.summary += "; unavailable here: " + unavailable;
  }
  return v;
}

}  // namespace bpfd
