#!/bin/bash
# Issue 16: start-up round trips a cached run no longer waits for through `bpfd remote`. (1)
# The start-up prefetch: a second run of the same tool sends the read-only requests the first
# made (tracefs ids and formats, CPU lists, stats) in one round trip, and reads what it read
# before; an event the tool adds after the prefetch is read live; a damaged profile is no
# profile. (2) Object creations that name none of the session's objects are made in the
# prefetch, and one the tool does not ask for is closed. (3) Updates of an array the tool
# created that the kernel cannot refuse are posted; the values land, in order, and updates that
# can fail still wait and fail for the tool; binds of the session's program and map are posted
# too. Real tracefs and bpf() through a real daemon. $1 bpfd, $2 the expected architecture.
set -u
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"
bpfd=$(realpath "$1") arch=$2
lib=$(dirname "$bpfd")/libbpfd-remote.so
tmp=$(mktemp -d /tmp/bpfd-prefetch.XXXXXX)
group=bpfdprefetch$$
trap 'echo "-:$group/probe" >>/sys/kernel/tracing/uprobe_events 2>/dev/null; rmdir /sys/kernel/tracing/instances/$group 2>/dev/null; rm -rf "$tmp"' EXIT

host_library_ready "prefetch and posted updates of bpfd remote" "$arch" "bpf(), tracefs" || exit 0

# (1) A tool that reads tracefs and sysfs at start, then adds a uprobe event and reads its id
# (which the second run's prefetch, made before the event exists, found missing).
cat >"$tmp/reads.py" <<PY
import os, sys
t = "/sys/kernel/tracing"
ev = t + "/events/syscalls/sys_enter_openat"
def read(p):
    try: return open(p).read().strip().replace("\n", "|")
    except OSError as e: return "error %d" % e.errno
out = [read(ev + "/id"), read(ev + "/format")[:80], read("/sys/devices/system/cpu/online"),
       str(os.path.isdir(t + "/events/sched"))]
def probes(line):  # open(..., "a") would seek, which tracefs refuses
    fd = os.open(t + "/uprobe_events", os.O_WRONLY | os.O_APPEND)
    os.write(fd, line.encode()); os.close(fd)
probes("p:$group/probe /bin/true:0x0\n")
out.append(read(t + "/events/$group/probe/id"))
probes("-:$group/probe\n")
print("\n".join(out))
PY
export BPFD_REMOTE_CACHE=$tmp/store
run() {  # NAME: the tool through the daemon over a link (cmd:), its traffic in NAME.err
  BPFD_REMOTE_STATS=2 "$bpfd" remote --lib "$lib" --remote "cmd:$bpfd" -- /usr/bin/python3 "$tmp/reads.py" \
    >"$tmp/$1" 2>"$tmp/$1.err"
  echo "--- $1: $(grep -E 'round trips|PREFETCH' "$tmp/$1.err" | tr '\n' ' ')"
}
trips() { awk '/round trips/ {print $2}' "$tmp/$1.err"; }
BPFD_REMOTE_CACHE=off /usr/bin/python3 "$tmp/reads.py" >"$tmp/local"
run first
run second
same() { diff <(head -n -1 "$tmp/$1") <(head -n -1 "$tmp/local") >/dev/null && [[ $(tail -1 "$tmp/$1") =~ ^[0-9]+$ ]]; }
check "the first run reads what the tool reads here, with no prefetch" \
  eval "same first && ! grep -q PREFETCH '$tmp/first.err'"
check "the second prefetches ($(grep -o 'PREFETCH ([0-9]* lines)' "$tmp/second.err")) in one round trip: $(trips second) round trips, against $(trips first)" \
  eval "grep -q 'PREFETCH ([5-9] lines)' '$tmp/second.err' && (( \$(trips second) + 3 <= \$(trips first) ))"
check "and reads the same, the event it added after the prefetch included ($(tail -1 "$tmp/second"))" \
  same second
for f in "$tmp"/store/profiles/*; do printf 'SYS_BPF 2 AAAA\n' >>"$f"; done
run damaged
check "a damaged profile is ignored: no prefetch, the same reads" \
  eval "same damaged && ! grep -q PREFETCH '$tmp/damaged.err'"

# A tool ended by SIGKILL once it waits for events (here: a read of a trace instance's
# trace_pipe) has saved its profile already.
inst=/sys/kernel/tracing/instances/$group
check "a trace instance for the test ($inst)" mkdir "$inst"
cat >"$tmp/killed.py" <<PY
import os, time
open("/sys/devices/system/cpu/online").read()
fd = os.open("$inst/trace_pipe", os.O_RDONLY | os.O_NONBLOCK)
try: os.read(fd, 4096)
except BlockingIOError: pass
print("waiting", flush=True)
time.sleep(30)
PY
before=$(ls "$tmp/store/profiles" | wc -l)
"$bpfd" remote --lib "$lib" --remote process -- /usr/bin/python3 "$tmp/killed.py" >"$tmp/killed" 2>&1 &
for _ in $(seq 100); do grep -q waiting "$tmp/killed" && break; sleep 0.1; done
pkill -KILL -f "^/usr/bin/python3 $tmp/killed.py"
wait
after=$(ls "$tmp/store/profiles" | wc -l)
check "a tool SIGKILLed while it waits for events has saved its profile (profiles: $before, then $after)" \
  eval "grep -q waiting '$tmp/killed' && [[ $after == \$(( $before + 1 )) ]]"

# (2) Object creations that name none of the session's objects (libbpf's feature probes, BCC's
# BTF): a cached run makes them in its prefetch, and the tool's identical call takes the object.
# A program load and an array create, the array then written and read; with PROBE=skip the tool
# does not load the program, and the one made ahead is closed once kPrefetchMs (5 s) passed.
cat >"$tmp/bpf.py" <<'PY'
# bpf(cmd, attr bytes): ret or -errno, through the library's syscall(2) (x86_64 numbering).
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, 128)
    r = libc.syscall(321, cmd, buf, 128)
    return r if r >= 0 else -ctypes.get_errno()
PY
cat >"$tmp/creates.py" <<PY
import ctypes, os, struct, sys, time
from bpf import bpf
def wait(name):  # the test's go-ahead (20 s at most)
    open("$tmp/" + name, "w").close()
    for _ in range(200):
        if os.path.exists("$tmp/" + name + ".go"): return
        time.sleep(0.1)
insns = ctypes.create_string_buffer(bytes([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]))
lic = ctypes.create_string_buffer(b"GPL")
skip = os.environ.get("PROBE") == "skip"
if not skip:  # BPF_PROG_LOAD: a socket filter "return 0" named for this test
    p = bpf(5, struct.pack("<IIQQIIQII16s", 1, 2, ctypes.addressof(insns), ctypes.addressof(lic),
                           0, 0, 0, 0, 0, b"pf$$"))
    print("prog", "ok" if p > 0 else p)
    os.close(p)
m = bpf(0, struct.pack("<IIII", 2, 4, 8, 1))  # an array, u32 -> u64, 1 entry
key, val = ctypes.create_string_buffer(4), ctypes.create_string_buffer(8)
val.raw = struct.pack("<Q", 42)
elem = lambda cmd: bpf(cmd, struct.pack("<IIQQQ", m, 0, ctypes.addressof(key), ctypes.addressof(val), 0))
elem(2)
val.raw = bytes(8)
print("map", elem(1), struct.unpack("<Q", val.raw)[0])
if skip:
    wait("made")
    time.sleep(5.5)
    elem(1)  # the next call after kPrefetchMs closes what was made ahead and not asked
    wait("closed")
PY
creates() {  # NAME [PROBE]: creates.py through the daemon, its traffic in NAME.err
  PROBE=${2:-} BPFD_REMOTE_STATS=2 "$bpfd" remote --lib "$lib" --remote process -- /usr/bin/python3 "$tmp/creates.py" \
    >"$tmp/$1" 2>"$tmp/$1.err"
}
bpfs() { awk '/calls: SYS_BPF$/ {print $(NF-2)}' "$tmp/$1.err"; }
creates c1
creates c2
cat "$tmp/c2"; grep -E "round trips|PREFETCH" "$tmp/c2.err"
check "a cached run takes the program and the map made in its prefetch: SYS_BPF round trips $(bpfs c2), against $(bpfs c1)" \
  eval "[[ \$(bpfs c1) == 3 && \$(bpfs c2) == 1 ]] && grep -q 'PREFETCH (2 lines)' '$tmp/c2.err'"
check "and gets the same: the program loads, the map holds what it wrote ($(tr '\n' ' ' <"$tmp/c2"))" \
  eval "[[ \$(cat '$tmp/c1') == 'prog ok'\$'\n''map 0 42' ]] && diff -q '$tmp/c1' '$tmp/c2'"
shown() { bpftool prog show name "pf$$" 2>/dev/null | grep -c "name pf$$"; }
creates c3 skip &
pid=$!
waited() { for _ in $(seq 200); do [[ -e $tmp/$1 ]] && return 0; sleep 0.1; done; return 1; }
waited made && made=$(shown)
touch "$tmp/made.go"
waited closed && closed=$(shown)
touch "$tmp/closed.go"
wait $pid
check "a program made ahead that the tool does not load exists on the target, then is closed after 5 s (programs named pf$$: ${made:-?}, then ${closed:-?})" \
  eval "[[ '${made:-}' == 1 && '${closed:-}' == 0 ]] && grep -qx 'map 0 42' '$tmp/c3'"

# (3) Array updates: five that cannot fail (posted), then ones that can (waited, failing): past
# the end, BPF_NOEXIST, a byte set past the command's fields, a frozen map.
cat >"$tmp/update.py" <<'PY'
import ctypes, struct
from bpf import bpf
key, val = ctypes.create_string_buffer(4), ctypes.create_string_buffer(8)
def elem(cmd, m, k, v=0, flags=0):
    key.raw = struct.pack("<I", k); val.raw = struct.pack("<Q", v)
    r = bpf(cmd, struct.pack("<IIQQQ", m, 0, ctypes.addressof(key), ctypes.addressof(val), flags))
    return r if cmd != 1 or r < 0 else struct.unpack("<Q", val.raw)[0]
m = bpf(0, struct.pack("<IIII", 2, 4, 8, 4))  # BPF_MAP_CREATE: array, u32 -> u64, 4 entries
posted = [elem(2, m, k, 11 * (k + 1)) for k in range(4)] + [elem(2, m, 2, 7, 2)]  # ANY, EXIST
print("posted", *posted)
print("values", *[elem(1, m, k) for k in range(4)])
print("refused", elem(2, m, 4, 1), elem(2, m, 0, 1, 1),  # E2BIG, EEXIST (NOEXIST), and
      bpf(2, struct.pack("<IIQQQQ", m, 0, ctypes.addressof(key), ctypes.addressof(val), 0, 1)))
# (EACCES: the daemon's policy refuses a field it does not know before the kernel's EINVAL)
bpf(22, struct.pack("<I", m))  # BPF_MAP_FREEZE
print("frozen", elem(2, m, 0, 1))  # EPERM
# BPF_PROG_BIND_MAP of the session's program and map, twice (posted; already bound is 0), then
# with a flag set (EINVAL, waited). The program: a socket filter "return 0".
insns = ctypes.create_string_buffer(bytes([0xb7] + [0] * 7 + [0x95] + [0] * 7))
p = bpf(5, struct.pack("<IIQQ", 1, 2, ctypes.addressof(insns), ctypes.addressof(ctypes.c_char_p(b"GPL"))))
print("bound", *[bpf(35, struct.pack("<III", p, m, f)) for f in (0, 0, 1)])
PY
BPFD_REMOTE_STATS=2 "$bpfd" remote --lib "$lib" --remote process -- /usr/bin/python3 "$tmp/update.py" \
  >"$tmp/update.out" 2>"$tmp/update.err"
rc=$?
cat "$tmp/update.out"; grep -E "round trips|SYS_BPF|failed" "$tmp/update.err"
check "five updates that cannot fail return 0 and land in order (values 11 22 7 44); exit $rc" \
  eval "[[ $rc == 0 ]] && grep -qx 'posted 0 0 0 0 0' '$tmp/update.out' && grep -qx 'values 11 22 7 44' '$tmp/update.out'"
check "past the end, BPF_NOEXIST, a stray attr byte and a frozen map still fail for the tool (E2BIG, EEXIST, EACCES, EPERM)" \
  eval "grep -qx 'refused -7 -17 -13' '$tmp/update.out' && grep -qx 'frozen -1' '$tmp/update.out'"
check "a program bound to the session's map twice returns 0 both times; with a flag set, EINVAL" \
  grep -qx 'bound 0 0 -22' "$tmp/update.out"
n=$(awk '/calls: SYS_BPF$/ {print $(NF-2)}' "$tmp/update.err")
check "the five posted updates and two binds made no round trip (SYS_BPF round trips: ${n:-0}, 12 without them); none failed later" \
  eval "[[ ${n:-0} == 12 ]] && ! grep -q 'failed a command' '$tmp/update.err'"
finish
