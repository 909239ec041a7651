/* A histogram as libbpf-tools keep them: per command, a log2 histogram of read(2) sizes in a
 * struct with a `slots` array, which bpfd run prints as bars. */
#include "core/bpf/bpfd_bpf.h"

#define MAX_SLOTS 27
struct sys_exit { struct trace_entry ent; int nr; long ret; };
struct key { char comm[16]; };
struct hist { __u32 slots[MAX_SLOTS]; };
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, struct key);
  __type(value, struct hist);
} hists SEC(".maps");

static __always_inline __u32 log2l(__u64 v) {
  __u32 r = 0;
  if (v >> 32) { v >>= 32; r += 32; }
  if (v >> 16) { v >>= 16; r += 16; }
  if (v >> 8) { v >>= 8; r += 8; }
  if (v >> 4) { v >>= 4; r += 4; }
  if (v >> 2) { v >>= 2; r += 2; }
  return r + (v >> 1);
}

SEC("tp/syscalls/sys_exit_read")
int count(struct sys_exit *ctx) {
  if (ctx->ret <= 0) return 0;
  struct key k = {};
  bpf_get_current_comm(k.comm, sizeof(k.comm));
  struct hist *h = bpf_map_lookup_elem(&hists, &k);
  if (!h) {
    struct hist zero = {};
    bpf_map_update_elem(&hists, &k, &zero, BPF_NOEXIST);
    h = bpf_map_lookup_elem(&hists, &k);
    if (!h) return 0;
  }
  __u32 slot = log2l(ctx->ret);
  if (slot >= MAX_SLOTS) slot = MAX_SLOTS - 1;
  __sync_fetch_and_add(&h->slots[slot], 1);
  return 0;
}
char LICENSE[] SEC("license") = "GPL";
