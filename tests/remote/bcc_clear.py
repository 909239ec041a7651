#!/usr/bin/python3
# BCC's Table.clear() on a hash map that the target keeps filling (every syscall of the
# system, the daemon's own included): prints "keys N deletes D seconds S".
import signal, sys, time
from bcc import BPF
b = BPF(text="""
BPF_HASH(counts, u32, u64, 1024);
TRACEPOINT_PROBE(raw_syscalls, sys_enter) {
    u32 nr = args->id;
    counts.increment(nr);
    return 0;
}
""")
time.sleep(1)
t = b["counts"]
n = len(list(t.keys()))
deletes = 0
orig = type(t).__delitem__
def counting(self, key):
    global deletes
    deletes += 1
    return orig(self, key)
type(t).__delitem__ = counting
signal.alarm(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
t0 = time.time()
t.clear()
print("keys %d deletes %d seconds %.2f" % (n, deletes, time.time() - t0))
