/* openat.bpf.c as older libbpf-tools write it: records through a perf event array
 * (bpf_perf_event_output), one perf buffer per CPU, instead of a ring buffer. */
#include "core/bpf/bpfd_bpf.h"

struct sys_enter_openat { struct trace_entry ent; int nr; __u64 dfd; const char *filename; __u64 flags, mode; };
struct event { __u32 pid; char comm[16]; char filename[64]; };
const struct event *unused_event __attribute__((unused));
struct {
  __uint(type, 4 /* BPF_MAP_TYPE_PERF_EVENT_ARRAY */);
  __uint(key_size, sizeof(__u32));
  __uint(value_size, sizeof(__u32));
} events SEC(".maps");

SEC("tp/syscalls/sys_enter_openat")
int handle_openat(struct sys_enter_openat *ctx) {
  struct event e = {.pid = bpf_get_current_pid_tgid() >> 32};
  bpf_get_current_comm(e.comm, sizeof(e.comm));
  bpf_probe_read_user_str(e.filename, sizeof(e.filename), ctx->filename);
  bpf_perf_event_output(ctx, &events, 0xffffffffULL /* BPF_F_CURRENT_CPU */, &e, sizeof(e));
  return 0;
}
char LICENSE[] SEC("license") = "GPL";
