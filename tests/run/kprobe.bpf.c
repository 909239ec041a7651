/* A kprobe object compiled apart from bpfd: vfs_read calls per command. No CO-RE and no
 * kernel types, so it needs no BTF: it runs on armv7's kernel too (where the kernel has
 * kprobes; this machine's has none, so only the guests run it). */
#include "core/bpf/bpfd_bpf.h"

struct key { char comm[16]; };
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, struct key);
  __type(value, __u64);
} calls SEC(".maps");

SEC("kprobe/vfs_read")
int on_vfs_read(void *ctx) {
  struct key k = {};
  bpf_get_current_comm(k.comm, sizeof(k.comm));
  __u64 one = 1, *n = BpfdLookupOrInit(&calls, &k, &one);
  if (n && n != &one) __sync_fetch_and_add(n, 1);
  return 0;
}
char LICENSE[] SEC("license") = "GPL";
