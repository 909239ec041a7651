#!/bin/sh
# bpfd remote against local runs of Debian's BCC tools, on this machine's kernel (the
# process transport: same kernel, so outputs and timings are comparable in one run).
# Prints per tool: time to the first output line and the round trips of a whole short run
# (BPFD_REMOTE_STATS), then map iteration round trips and perf-buffer delivery.
# Usage: bench/bcc_remote.sh [RUNS]   (needs tools/setup; builds //cmd:bpfd and the library)
set -eu
cd "$(dirname "$0")/.."
runs=${1:-3}
bazel build --config=x86_64 //cmd:bpfd //cmd:libbpfd-remote.so >/dev/null 2>&1
bpfd=$PWD/bazel-bin/cmd/bpfd
hdr=$(ls -d "${BPFD_CACHE:-$HOME/.cache/bpfd}"/bcc-headers/*/ | head -1)
export BCC_KERNEL_SOURCE="${hdr%/}"
mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
it=$(mktemp -d)
trap 'rm -rf "$it"' EXIT
PY=/usr/bin/python3  # Debian's, which has the bcc module (not whatever python3 PATH finds)

# Milliseconds until the command's Nth stdout line (N=$nth, default 1; median of $runs), via
# python's monotonic clock; then Ctrl-C to its process group (for tools that run until it).
first_line() {
  python3 - "$runs" "${nth:-1}" "$@" <<'PY'
import os, signal, subprocess, sys, time
runs, nth, cmd = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
ts = []
for _ in range(runs):
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    for _ in range(nth):
        p.stdout.readline()
    ts.append(time.monotonic() - t0)
    for sig in (signal.SIGINT, signal.SIGINT, signal.SIGKILL):  # BCC may swallow one Ctrl-C
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            pass
        try:
            p.communicate(timeout=5)
            break
        except subprocess.TimeoutExpired:
            pass
    p.wait()
ts.sort()
print("%.0f" % (ts[len(ts) // 2] * 1000))
PY
}

trips() {
  BPFD_REMOTE_STATS=1 "$bpfd" remote -- "$@" 2>&1 >/dev/null | sed -n 's/^bpfd-remote: \([0-9]*\) round trips.*/\1/p'
}

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs; $(uname -r)"
printf '%-22s %9s %9s %6s %12s\n' tool local_ms remote_ms ratio round_trips
for t in "hardirqs-bpfcc 1 1" "softirqs-bpfcc 1 1" "syscount-bpfcc -d 1" "runqlat-bpfcc 1 1" \
         "tplist-bpfcc sched:sched_switch"; do
  # shellcheck disable=SC2086
  l=$(first_line $t); r=$(first_line "$bpfd" remote -- $t); n=$(trips $t)
  printf '%-22s %9s %9s %6s %12s\n' "${t%% *}" "$l" "$r" "$(echo "scale=2; $r / $l" | bc)" "$n"
done

# A uprobe tool's first event: BCC symbolizes the traced process's address, reading its
# binaries (through /proc/PID/root, from the target when remote). A thread every 10 ms.
python3 -c '
import threading, time
while True:
    t = threading.Thread(target=lambda: None); t.start(); t.join(); time.sleep(0.01)' &
load=$!
l=$(nth=2 first_line threadsnoop-bpfcc); r=$(nth=2 first_line "$bpfd" remote -- threadsnoop-bpfcc)
BPFD_REMOTE_STATS=1 setsid "$bpfd" remote -- threadsnoop-bpfcc >/dev/null 2>"$it/stats" &
tool=$!
sleep 4
for _ in 1 2 3; do kill -INT -$tool 2>/dev/null && sleep 2; done  # BCC may lose one Ctrl-C
wait $tool || true
bytes=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$it/stats")
kill $load
echo "threadsnoop, first event: local $l ms, remote $r ms (ratio $(echo "scale=2; $r / $l" | bc));" \
     "$bytes bytes received in a 4 s remote run"

cat > "$it/map_iter.py" <<'PY'
import sys
from bcc import BPF
b = BPF(text="BPF_HASH(h, u32, u64, 10000);")
t = b["h"]
for i in range(10000):
    t[t.Key(i)] = t.Leaf(i)
if sys.argv[1:] == ["iterate"]:
    assert len(t.items()) == 10000
PY
fill=$(trips $PY "$it/map_iter.py")
both=$(trips $PY "$it/map_iter.py" iterate)
echo "10 000-entry map: items() from Python took $((both - fill)) round trip(s) (fill alone: $fill)"

echo "perf buffer, 3 s of getppid load (bench/bcc_perf.py):"
echo "  local:  $($PY bench/bcc_perf.py 3)"
echo "  remote: $("$bpfd" remote -- $PY bench/bcc_perf.py 3)"
echo "  the reader woken every 16 samples (wakeup_events=16), local:  $($PY bench/bcc_perf.py 3 256 16)"
echo "  the reader woken every 16 samples (wakeup_events=16), remote: $("$bpfd" remote -- $PY bench/bcc_perf.py 3 256 16)"
echo "  1-page buffers (forced loss), local:  $($PY bench/bcc_perf.py 2 1)"
echo "  1-page buffers (forced loss), remote: $("$bpfd" remote -- $PY bench/bcc_perf.py 2 1)"
