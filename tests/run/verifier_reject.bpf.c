/* Rejected by the verifier: a map value used without the NULL check. */
#include "core/bpf/bpfd_bpf.h"

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } counts SEC(".maps");

SEC("tp/syscalls/sys_enter_openat")
int unchecked(void *ctx) {
  __u32 k = 0;
  __u64 *v = bpf_map_lookup_elem(&counts, &k);
  return *v;
}
char LICENSE[] SEC("license") = "GPL";
