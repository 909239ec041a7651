/* biotop: block I/O per process and disk, totalled between the host's reads of `counts`
 * (it prints and clears them every interval), in BCC's biotop columns. Latency is from issue
 * to completion; tracepoints only (core/bpf/block.bpf.h), so it runs on 5.10, 6.1, later
 * kernels and kernels without BTF. */
#include "core/bpf/block.bpf.h"

struct info {
  __u32 pid;
  __u32 dev;    /* the kernel's dev_t: major << 20 | minor */
  char rw[4];   /* "R" or "W", BCC's D column (4: no padding in the key) */
  char comm[16];
};

struct stats {
  __u64 bytes;
  __u64 ns;  /* issue to completion, summed */
  __u64 io;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, struct info);
  __type(value, struct stats);
} counts SEC(".maps");

SEC("tracepoint/block/block_rq_complete")
int on_complete(struct trace_event_raw_block_rq_completion *ctx) {
  struct rq_done d;
  struct rq_start s;
  if (BlockRqDone(ctx, &d, &s) < 0) return 0;
  /* rwbs: an optional F (flush) then the op: W, R, D (discard), N... BCC counts writes as W
   * and everything else as R. */
  bool write = d.rwbs[0] == 'W' || (d.rwbs[0] == 'F' && d.rwbs[1] == 'W');
  struct info k;
  __builtin_memset(&k, 0, sizeof(k));
  k.pid = s.who.pid;
  k.dev = d.dev;
  k.rw[0] = write ? 'W' : 'R';
  __builtin_memcpy(k.comm, s.who.comm, sizeof(k.comm));
  struct stats zero = {};
  struct stats *v = BpfdLookupOrInit(&counts, &k, &zero);
  if (!v) return 0;
  __sync_fetch_and_add(&v->bytes, (__u64)d.nr_sector * 512);
  __sync_fetch_and_add(&v->ns, bpf_ktime_get_ns() - s.ts);
  __sync_fetch_and_add(&v->io, 1);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
