/* biosnoop: each block I/O with its process, disk, sector, size and latency (issue to
 * completion), as BCC's biosnoop prints them. Tracepoints only (core/bpf/block.bpf.h), so one
 * object fits 5.10, 6.1 and later. */
#include "core/bpf/block.bpf.h"

struct event {
  __u64 ts_ns;
  __u64 delta_ns;
  __u64 sector;
  __u32 pid;
  __u32 dev;
  __u32 bytes;
  char rwbs[8];
  char comm[16];
};
const struct event *unused_event __attribute__((unused));

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 1 << 18);
} events SEC(".maps");

SEC("tracepoint/block/block_rq_complete")
int on_complete(struct trace_event_raw_block_rq_completion *ctx) {
  struct rq_done d;
  struct rq_start s;
  if (BlockRqDone(ctx, &d, &s) < 0) return 0;
  struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) return 0;
  e->ts_ns = bpf_ktime_get_ns();
  e->delta_ns = e->ts_ns - s.ts;
  e->sector = d.sector;
  e->pid = s.who.pid;
  e->dev = d.dev;
  e->bytes = d.nr_sector * 512;
  __builtin_memcpy(e->rwbs, d.rwbs, sizeof(e->rwbs));
  __builtin_memcpy(e->comm, s.who.comm, sizeof(e->comm));
  bpf_ringbuf_submit(e, 0);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
