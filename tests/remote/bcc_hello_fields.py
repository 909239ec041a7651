#!/usr/bin/python3
# The BCC tutorial's hello_fields.py (bpf_trace_printk, then trace_fields() reading
# trace_pipe), for the `bpfd remote` tests. Usage:
#   bcc_hello_fields.py tracepoint PID [N]  on raw_syscalls:sys_enter, for process PID only
#                                           (bpf_bcc_remote_test.sh: this kernel has no kprobes)
#   bcc_hello_fields.py kprobe [N]          the tutorial's own: a kprobe on the clone syscall
#                                           (bcc_remote_guest_test.sh)
# Prints the tutorial's header, then N (default 3) lines, and exits 0.
import sys

from bcc import BPF

HELLO = r"""
int hello(void *ctx) {
    bpf_trace_printk("Hello, World!\n");
    return 0;
}
"""
TRACEPOINT = r"""
TRACEPOINT_PROBE(raw_syscalls, sys_enter) {
    if ((bpf_get_current_pid_tgid() >> 32) != PID)
        return 0;
    bpf_trace_printk("Hello, World!\n");
    return 0;
}
"""

if sys.argv[1] == "kprobe":
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    b = BPF(text=HELLO)
    b.attach_kprobe(event=b.get_syscall_fnname("clone"), fn_name="hello")
else:
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    b = BPF(text=TRACEPOINT.replace("PID", str(int(sys.argv[2]))))
print("%-18s %-16s %-6s %s" % ("TIME(s)", "COMM", "PID", "MESSAGE"), flush=True)
printed = 0
while printed < count:
    try:
        (task, pid, cpu, flags, ts, msg) = b.trace_fields()
    except ValueError:
        continue
    print("%-18.9f %-16s %-6d %s" % (ts, task.decode(errors="replace"), pid,
                                     msg.decode(errors="replace")), flush=True)
    printed += 1
