/* Asks libbpf to pin a map in /sys/fs/bpf, which would outlive the session. */
#include "core/bpf/bpfd_bpf.h"

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); __uint(pinning, 1 /* LIBBPF_PIN_BY_NAME */); } kept SEC(".maps");

SEC("tp/syscalls/sys_enter_openat")
int count(void *ctx) {
  __u32 k = 0;
  __u64 *v = bpf_map_lookup_elem(&kept, &k);
  if (v) __sync_fetch_and_add(v, 1);
  return 0;
}
char LICENSE[] SEC("license") = "GPL";
