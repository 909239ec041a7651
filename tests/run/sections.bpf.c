/* One program per section prefix OBJ_LOAD attaches, each counting its hits in its slot of
 * `hits`: tracepoint, raw_tp, tp_btf, kprobe, kretprobe, uprobe (the guest init's tick
 * function), fentry and perf_event. Built apart from bpfd; the guests with BTF run it. */
#include "core/bpf/bpfd_bpf.h"

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 8);
  __type(key, __u32);
  __type(value, __u64);
} hits SEC(".maps");

static __always_inline int Hit(__u32 slot) {
  __u64 *v = bpf_map_lookup_elem(&hits, &slot);
  if (v) __sync_fetch_and_add(v, 1);
  return 0;
}

SEC("tracepoint/syscalls/sys_enter_read") int s_tracepoint(void *ctx) { return Hit(0); }
SEC("raw_tp/sys_enter") int s_raw_tp(void *ctx) { return Hit(1); }
SEC("tp_btf/sched_switch") int s_tp_btf(void *ctx) { return Hit(2); }
SEC("kprobe/vfs_read") int s_kprobe(void *ctx) { return Hit(3); }
SEC("kretprobe/vfs_read") int s_kretprobe(void *ctx) { return Hit(4); }
SEC("uprobe//init:bpfd_guest_tick") int s_uprobe(void *ctx) { return Hit(5); }
SEC("fentry/vfs_read") int s_fentry(void *ctx) { return Hit(6); }
SEC("perf_event/hz=99") int s_perf_event(void *ctx) { return Hit(7); }

char LICENSE[] SEC("license") = "GPL";
