/* An object calling kfuncs: bpf_task_from_pid/bpf_task_release only take and drop a
 * reference, but bpf_send_signal_task acts on a process, so the daemon's policy refuses the
 * object before the kernel sees it. */
#include "core/bpf/bpfd_bpf.h"

struct task_struct;
extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern int bpf_send_signal_task(struct task_struct *task, int sig, int type, __u64 value) __ksym;

SEC("tp_btf/sys_enter")
int signal_init(void *ctx) {
  struct task_struct *t = bpf_task_from_pid(1);
  if (!t) return 0;
  bpf_send_signal_task(t, 0, 0, 0);
  bpf_task_release(t);
  return 0;
}
char LICENSE[] SEC("license") = "GPL";
