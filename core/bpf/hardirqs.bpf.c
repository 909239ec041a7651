/* hardirqs: total time spent in each hard interrupt handler, by handler name.
 * Classic tracepoints with their format's fixed layout: no BTF needed (armv7 targets). */
#include "core/bpf/bpfd_bpf.h"

struct irq_handler_entry {
  struct trace_entry ent;
  int irq;
  __u32 name; /* __data_loc char[] */
};

struct irq_handler_exit {
  struct trace_entry ent;
  int irq;
  int ret;
};

struct irq_key {
  char name[32];
};

struct irq_info {
  __u64 count;
  __u64 total_ns;
};

struct start_slot {
  __u64 ts;
  struct irq_key key;
};

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct start_slot);
} start SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 256);
  __type(key, struct irq_key);
  __type(value, struct irq_info);
} irqs SEC(".maps");

SEC("tracepoint/irq/irq_handler_entry")
int on_entry(struct irq_handler_entry *ctx) {
  __u32 zero = 0;
  struct start_slot *s = bpf_map_lookup_elem(&start, &zero);
  if (!s) return 0;
  /* The key is hashed whole: clear what a longer name left behind. */
  __builtin_memset(&s->key, 0, sizeof(s->key));
  bpf_probe_read_kernel_str(s->key.name, sizeof(s->key.name), BPFD_DATA_LOC(ctx, name));
  s->ts = bpf_ktime_get_ns();
  return 0;
}

SEC("tracepoint/irq/irq_handler_exit")
int on_exit(struct irq_handler_exit *ctx) {
  __u32 zero = 0;
  struct start_slot *s = bpf_map_lookup_elem(&start, &zero);
  if (!s || !s->ts) return 0;
  __u64 delta = bpf_ktime_get_ns() - s->ts;
  s->ts = 0;
  struct irq_info *info = bpf_map_lookup_elem(&irqs, &s->key);
  if (!info) {
    struct irq_info zero_info = {};
    bpf_map_update_elem(&irqs, &s->key, &zero_info, BPF_NOEXIST);
    info = bpf_map_lookup_elem(&irqs, &s->key);
    if (!info) return 0;
  }
  __sync_fetch_and_add(&info->count, 1);
  __sync_fetch_and_add(&info->total_ns, delta);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
