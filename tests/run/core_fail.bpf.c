/* A CO-RE relocation no kernel can satisfy: a task_struct field that does not exist. */
#include "core/bpf/bpfd_bpf.h"

struct task_struct { int bpfd_no_such_field; } __attribute__((preserve_access_index));

SEC("tp/syscalls/sys_enter_openat")
int missing_field(void *ctx) {
  struct task_struct *t = (void *)bpf_get_current_task();
  int v = 0;
  bpf_probe_read_kernel(&v, sizeof(v), &t->bpfd_no_such_field);
  return v;
}
char LICENSE[] SEC("license") = "GPL";
