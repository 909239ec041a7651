/* What biosnoop and biotop share: the block tracepoints' records (relocated by CO-RE: 6.x
 * added ioprio and widened rwbs, and 5.11 moved block_bio_queue and block_rq_complete into
 * event classes, renaming their records), and the two programs that note who queued each
 * request and when it was issued. Each tool adds its own block_rq_complete program, which
 * finds the request with BlockRqDone(). A request is often issued by a kworker: the process
 * is the one that queued its first bio (block_bio_queue, in the submitter's context), as
 * BCC's tools show. Programs take the 5.11+ record as their context (on a kernel without
 * BTF the daemon describes it from the event's format, whatever the version) and read the
 * 5.10 one where the kernel's BTF has only that. */
#ifndef BPFD_BLOCK_BPF_H_
#define BPFD_BLOCK_BPF_H_

#include "core/bpf/bpfd_bpf.h"

#include <bpf/bpf_core_read.h>

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

/* 5.10's records of block_rq_complete and block_bio_queue (5.11 made them classes). */
struct trace_event_raw_block_rq_complete {
  struct trace_entry ent;
  __u32 dev;
  __u64 sector;
  __u32 nr_sector;
  char rwbs[8];
} __attribute__((preserve_access_index));

struct trace_event_raw_block_bio_queue {
  struct trace_entry ent;
  __u32 dev;
  __u64 sector;
} __attribute__((preserve_access_index));

/* The fields of a completion both tools use. */
struct rq_done {
  __u32 dev;
  __u32 nr_sector;
  __u64 sector;
  char rwbs[8];
};

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
  /* Read, not loaded: clang would merge the two branches' ctx loads into one at a computed
   * offset, which the verifier refuses. */
  struct rq_key key = {};
  if (bpf_core_type_exists(struct trace_event_raw_block_bio)) {
    key.dev = BPF_CORE_READ(ctx, dev);
    key.sector = BPF_CORE_READ(ctx, sector);
  } else {
    struct trace_event_raw_block_bio_queue* old = (void*)ctx;
    key.dev = BPF_CORE_READ(old, dev);
    key.sector = BPF_CORE_READ(old, sector);
  }
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

/* The completed request (*done) and its start (copied out and forgotten): 0, or -1 when it
 * was issued before the tool started. */
static __always_inline int BlockRqDone(struct trace_event_raw_block_rq_completion* ctx,
                                       struct rq_done* done, struct rq_start* start) {
  if (bpf_core_type_exists(struct trace_event_raw_block_rq_completion)) {
    done->dev = BPF_CORE_READ(ctx, dev);  // read, not loaded: see on_queue
    done->sector = BPF_CORE_READ(ctx, sector);
    done->nr_sector = BPF_CORE_READ(ctx, nr_sector);
    bpf_probe_read_kernel(done->rwbs, sizeof(done->rwbs), ctx->rwbs);
  } else {
    struct trace_event_raw_block_rq_complete* old = (void*)ctx;
    done->dev = BPF_CORE_READ(old, dev);
    done->sector = BPF_CORE_READ(old, sector);
    done->nr_sector = BPF_CORE_READ(old, nr_sector);
    bpf_probe_read_kernel(done->rwbs, sizeof(done->rwbs), old->rwbs);
  }
  struct rq_key key = {.dev = done->dev, .sector = done->sector};
  struct rq_start* s = bpf_map_lookup_elem(&starts, &key);
  if (!s) return -1;
  *start = *s;
  bpf_map_delete_elem(&starts, &key);
  return 0;
}

#endif
