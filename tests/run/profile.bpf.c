/* A perf_event program with its sampling in its section (bpfd's convention: "perf_event",
 * "perf_event/hz=N" or "perf_event/period=N"): one sample per 10 ms of each CPU's clock,
 * counted per CPU. */
#include "core/bpf/bpfd_bpf.h"

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4096);
  __type(key, __u32);
  __type(value, __u64);
} samples SEC(".maps");

SEC("perf_event/period=10000000")
int on_sample(void *ctx) {
  __u32 cpu = bpf_get_smp_processor_id();
  __u64 one = 1, *n = bpf_map_lookup_elem(&samples, &cpu);
  if (n)
    __sync_fetch_and_add(n, 1);
  else
    bpf_map_update_elem(&samples, &cpu, &one, BPF_NOEXIST);
  return 0;
}
char LICENSE[] SEC("license") = "GPL";
