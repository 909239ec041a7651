/* biosnoop: each block I/O with its process, disk, sector, size and latency (issue to
 * completion). Tracepoints block_rq_issue and block_rq_complete, whose records changed
 * layout over the years (6.x added ioprio and widened rwbs): their fields are relocated by
 * CO-RE against the kernel's BTF, so one object fits 5.10, 6.1 and later. A request is
 * often issued by a kworker: the process is the one that queued its first bio
 * (block_bio_queue, in the submitter's context), as BCC's biosnoop shows. */
#include "core/bpf/bpfd_bpf.h"

struct trace_event_raw_block_rq {
  struct trace_entry ent;
  __u32 dev;
  __u64 sector;
  __u32 nr_sector;
  __u32 bytes;
  char rwbs[8];
  char comm[16];
} __attribute__((preserve_access_index));

struct trace_event_raw_block_rq_completion {
  struct trace_entry ent;
  __u32 dev;
  __u64 sector;
  __u32 nr_sector;
  int error;
  char rwbs[8];
} __attribute__((preserve_access_index));

struct trace_event_raw_block_bio {
  struct trace_entry ent;
  __u32 dev;
  __u64 sector;
} __attribute__((preserve_access_index));

struct rq_key {
  __u32 dev;
  __u32 pad;
  __u64 sector;
};

struct rq_start {
  __u64 ts;
  __u32 pid;
  char comm[16];
};

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
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, struct rq_key);
  __type(value, struct rq_start);
} starts SEC(".maps");

struct who {
  __u32 pid;
  char comm[16];
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, struct rq_key);
  __type(value, struct who);
} whos SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 1 << 18);
} events SEC(".maps");

SEC("tracepoint/block/block_bio_queue")
int on_queue(struct trace_event_raw_block_bio *ctx) {
  struct rq_key key = {.dev = ctx->dev, .sector = ctx->sector};
  struct who w = {.pid = bpf_get_current_pid_tgid() >> 32};
  bpf_get_current_comm(w.comm, sizeof(w.comm));
  bpf_map_update_elem(&whos, &key, &w, BPF_ANY);
  return 0;
}

SEC("tracepoint/block/block_rq_issue")
int on_issue(struct trace_event_raw_block_rq *ctx) {
  struct rq_key key = {.dev = ctx->dev, .sector = ctx->sector};
  struct rq_start s = {.ts = bpf_ktime_get_ns(), .pid = bpf_get_current_pid_tgid() >> 32};
  struct who *w = bpf_map_lookup_elem(&whos, &key);
  if (w) {
    s.pid = w->pid;
    __builtin_memcpy(s.comm, w->comm, sizeof(s.comm));
    bpf_map_delete_elem(&whos, &key);
  } else {
    bpf_probe_read_kernel(s.comm, sizeof(s.comm), ctx->comm);
  }
  bpf_map_update_elem(&starts, &key, &s, BPF_ANY);
  return 0;
}

SEC("tracepoint/block/block_rq_complete")
int on_complete(struct trace_event_raw_block_rq_completion *ctx) {
  struct rq_key key = {.dev = ctx->dev, .sector = ctx->sector};
  struct rq_start *s = bpf_map_lookup_elem(&starts, &key);
  if (!s) return 0;
  struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (e) {
    e->ts_ns = bpf_ktime_get_ns();
    e->delta_ns = e->ts_ns - s->ts;
    e->sector = key.sector;
    e->pid = s->pid;
    e->dev = key.dev;
    e->bytes = ctx->nr_sector * 512;
    bpf_probe_read_kernel(e->rwbs, sizeof(e->rwbs), ctx->rwbs);
    __builtin_memcpy(e->comm, s->comm, sizeof(e->comm));
    bpf_ringbuf_submit(e, 0);
  }
  bpf_map_delete_elem(&starts, &key);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
