#!/usr/bin/python3
# Perf-buffer delivery through BCC's Python API: a tracepoint on getppid submits one 16-byte
# sample per call of a load process (a child calling getppid flat out for SECONDS). Prints
# "emitted N received N lost N rate N/s" (emitted is counted in a kernel map). Run it directly
# (local kernel) or under `bpfd remote --remote process` (the same tool, its kernel calls
# forwarded; the load runs on this machine, so the target must be this machine's kernel).
# Usage: bcc_perf.py [SECONDS [PAGES [WAKEUP]]]: PAGES per CPU buffer (256), WAKEUP the
# buffer's wakeup_events (BCC's default 1: the reader is woken for every sample).
import os, sys, time
from bcc import BPF

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3
pages = int(sys.argv[2]) if len(sys.argv) > 2 else 256
wakeup = int(sys.argv[3]) if len(sys.argv) > 3 else 1

go_r, go_w = os.pipe()
load = os.fork()
if load == 0:
    os.read(go_r, 1)
    end = time.monotonic() + seconds
    getppid = os.getppid
    while time.monotonic() < end:
        for _ in range(1000):
            getppid()
    os._exit(0)

b = BPF(text=r"""
BPF_PERF_OUTPUT(events);
BPF_ARRAY(emitted, u64, 1);
struct sample { u64 ts; u32 pid; u32 n; };
TRACEPOINT_PROBE(syscalls, sys_enter_getppid) {
    u32 tgid = bpf_get_current_pid_tgid() >> 32;
    if (tgid != %d && tgid != %d) return 0;
    struct sample s = {bpf_ktime_get_ns(), tgid, 0};
    int zero = 0;
    u64 *c = emitted.lookup(&zero);
    if (c) __sync_fetch_and_add(c, 1);
    events.perf_submit(args, &s, sizeof(s));
    return 0;
}
""" % (load, os.getpid()))
received = 0
lost = 0
def on_event(cpu, data, size):
    global received
    received += 1
def on_lost(n):
    global lost
    lost += n
b["events"].open_perf_buffer(on_event, page_cnt=pages, lost_cb=on_lost, wakeup_events=wakeup)
start = time.monotonic()
os.write(go_w, b"x")
while True:
    b.perf_buffer_poll(100)
    pid, _ = os.waitpid(load, os.WNOHANG)
    if pid:
        break
busy = time.monotonic() - start
# A lost count is written into the ring only before the next sample that fits, and a reader
# is woken only every `wakeup` samples: emit that many from here, then drain what is left.
for _ in range(wakeup):
    os.getppid()
for _ in range(20):
    before = received
    b.perf_buffer_poll(50)
    if received == before:
        break
emitted = b["emitted"][0].value
print("emitted %d received %d lost %d rate %d/s" % (emitted, received, lost, received / busy))
sys.exit(0 if received + lost >= emitted else 1)
