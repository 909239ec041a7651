/* A user's own CO-RE-style tool, compiled apart from bpfd: every openat(2) as a ring buffer
 * record. sys_enter_openat's record: 8-byte header, int nr, then the 64-bit args. */
#include "core/bpf/bpfd_bpf.h"

struct sys_enter_openat { struct trace_entry ent; int nr; __u64 dfd; const char *filename; __u64 flags, mode; };
struct event { __u32 pid; char comm[16]; char filename[64]; };
const struct event *unused_event __attribute__((unused)); /* puts struct event in the BTF */
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 16); } events SEC(".maps");

SEC("tp/syscalls/sys_enter_openat")
int handle_openat(struct sys_enter_openat *ctx) {
  struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) return 0;
  e->pid = bpf_get_current_pid_tgid() >> 32;
  bpf_get_current_comm(e->comm, sizeof(e->comm));
  bpf_probe_read_user_str(e->filename, sizeof(e->filename), ctx->filename);
  bpf_ringbuf_submit(e, 0);
  return 0;
}
char LICENSE[] SEC("license") = "GPL";
