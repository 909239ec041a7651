#!/usr/bin/python3
# A BPF ring buffer user of BCC (BPF_RINGBUF_OUTPUT, ring_buffer_poll), for
# bpf_bcc_remote_test.sh: one line per getpid() seen by the syscalls:sys_enter_getpid
# tracepoint. Exits 0 after N events (argv[1], default 5), 1 after 20 s without them.
import ctypes as ct
import sys
import time

from bcc import BPF

PROG = r"""
BPF_RINGBUF_OUTPUT(events, 8);
struct event { u32 pid; u32 nr; };
TRACEPOINT_PROBE(syscalls, sys_enter_getpid) {
    struct event e = {};
    e.pid = bpf_get_current_pid_tgid() >> 32;
    e.nr = args->__syscall_nr;
    events.ringbuf_output(&e, sizeof(e), 0);
    return 0;
}
"""


class Event(ct.Structure):
    _fields_ = [("pid", ct.c_uint32), ("nr", ct.c_uint32)]


want = int(sys.argv[1]) if len(sys.argv) > 1 else 5
b = BPF(text=PROG)
seen = 0


def on_event(ctx, data, size):
    global seen
    e = ct.cast(data, ct.POINTER(Event)).contents
    print("%-8s %-8d %d" % ("getpid", e.pid, e.nr), flush=True)
    seen += 1


b["events"].open_ring_buffer(on_event)
print("%-8s %-8s %s" % ("EVENT", "PID", "NR"), flush=True)
deadline = time.time() + 20
while seen < want and time.time() < deadline:
    b.ring_buffer_poll(timeout=200)
sys.exit(0 if seen >= want else 1)
