/* What biosnoop and biotop share: the block tracepoints' records (relocated by CO-RE: 6.x
 * added ioprio and widened rwbs), and the two programs that note who queued each request
 * and when it was issued. Each tool adds its own block_rq_complete program, which finds the
 * request's start with BlockRqDone(). A request is often issued by a kworker: the process
 * is the one that queued its first bio (block_bio_queue, in the submitter's context), as
 * BCC's tools show. */
#ifndef BPFD_BLOCK_BPF_H_
#define BPFD_BLOCK_BPF_H_

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

struct who {
  __u32 pid;
  char comm[16];
};

struct rq_start {
  __u64 ts;
  struct who who;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, struct rq_key);
  __type(value, struct rq_start);
} starts SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, struct rq_key);
  __type(value, struct who);
} whos SEC(".maps");

SEC("tracepoint/block/block_bio_queue")
int on_queue(struct trace_event_raw_block_bio* ctx) {
  struct rq_key key = {.dev = ctx->dev, .sector = ctx->sector};
  struct who w = {.pid = bpf_get_current_pid_tgid() >> 32};
  bpf_get_current_comm(w.comm, sizeof(w.comm));
  bpf_map_update_elem(&whos, &key, &w, BPF_ANY);
  return 0;
}

SEC("tracepoint/block/block_rq_issue")
int on_issue(struct trace_event_raw_block_rq* ctx) {
  struct rq_key key = {.dev = ctx->dev, .sector = ctx->sector};
  struct rq_start s = {.ts = bpf_ktime_get_ns(), .who.pid = bpf_get_current_pid_tgid() >> 32};
  struct who* w = bpf_map_lookup_elem(&whos, &key);
  if (w) {
    s.who = *w;
    bpf_map_delete_elem(&whos, &key);
  } else {
    bpf_probe_read_kernel(s.who.comm, sizeof(s.who.comm), ctx->comm);
  }
  bpf_map_update_elem(&starts, &key, &s, BPF_ANY);
  return 0;
}

/* The completed request's start (copied out and forgotten), with its key; 0, or -1 when it
 * was issued before the tool started. */
static __always_inline int BlockRqDone(struct trace_event_raw_block_rq_completion* ctx,
                                       struct rq_key* key, struct rq_start* start) {
  key->dev = ctx->dev;
  key->pad = 0;
  key->sector = ctx->sector;
  struct rq_start* s = bpf_map_lookup_elem(&starts, key);
  if (!s) return -1;
  *start = *s;
  bpf_map_delete_elem(&starts, key);
  return 0;
}

#endif
