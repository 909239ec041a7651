#!/usr/bin/python3
# The BCC tutorial's hello_fields.py (bpf_trace_printk, then trace_fields() reading
# trace_pipe) for bpf_bcc_remote_test.sh, on a tracepoint instead of a kprobe (this kernel has
# no kprobes) and only for the process argv[1]. Prints N lines (argv[2], default 3), exits 0.
import sys

from bcc import BPF

pid, count = int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 3
b = BPF(text=r"""
TRACEPOINT_PROBE(raw_syscalls, sys_enter) {
    if ((bpf_get_current_pid_tgid() >> 32) != PID)
        return 0;
    bpf_trace_printk("Hello, World!\n");
    return 0;
}
""".replace("PID", str(pid)))
print("%-18s %-16s %-6s %s" % ("TIME(s)", "COMM", "PID", "MESSAGE"), flush=True)
for _ in range(count):
    (task, p, cpu, flags, ts, msg) = b.trace_fields()
    print("%-18.9f %-16s %-6d %s" % (ts, task.decode(errors="replace"), p,
                                     msg.decode(errors="replace")), flush=True)
