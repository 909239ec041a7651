// BpfFeatures: what this kernel accepts, probed for real (libbpf's probe loads, sysfs/procfs
// files), as ordered "key value" pairs for the GET_BPF_FEATURES protocol command.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace bpfd {

using FeatureList = std::vector<std::pair<std::string, std::string>>;

// The cheap facts, no program loads: kernel, bpf_syscall (yes, or the -errno of a trivial
// BPF_MAP_CREATE: -38 under qemu-user), btf_vmlinux, jit_enable, unprivileged_bpf_disabled
// (the /proc value, or -errno), tracefs, kprobe_pmu, uprobe_pmu, kprobe_events,
// uprobe_events (yes/no).
void ProbeSystemFeatures(FeatureList* out);

// ProbeSystemFeatures plus, when bpf() works: ringbuf, prog_type.<name>, map_type.<name> and
// helper.<prog_type>.<helper> for the tracing program types (yes, no, or the -errno that
// kept the probe from telling).
void ProbeAllFeatures(FeatureList* out);

}  // namespace bpfd
