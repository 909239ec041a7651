/* Acts instead of observing: kills whoever opens a file (the policy must refuse it). */
#include "core/bpf/bpfd_bpf.h"

SEC("tp/syscalls/sys_enter_openat")
int kill_openers(void *ctx) {
  bpf_send_signal(9);
  return 0;
}
char LICENSE[] SEC("license") = "GPL";
