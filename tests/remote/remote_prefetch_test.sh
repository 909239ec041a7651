#!/bin/bash
# Issue 16: start-up round trips a cached run no longer waits for through `bpfd remote`. (1)
# The start-up prefetch: a second run of the same tool sends the read-only requests the first
# made (tracefs ids and formats, CPU lists, stats) in one round trip, and reads what it read
# before; an event the tool adds after the prefetch is read live; a damaged profile is no
# profile. (2) Updates of an array the tool created that the kernel cannot refuse are posted;
# the values land, in order, and updates that can fail still wait and fail for the tool. Real
# tracefs and bpf() through a real daemon. $1 bpfd, $2 the expected architecture.
set -u
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"
bpfd=$(realpath "$1") arch=$2
lib=$(dirname "$bpfd")/libbpfd-remote.so
tmp=$(mktemp -d /tmp/bpfd-prefetch.XXXXXX)
group=bpfdprefetch$$
trap 'echo "-:$group/probe" >>/sys/kernel/tracing/uprobe_events 2>/dev/null; rm -rf "$tmp"' EXIT

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
for f in "$tmp"/store/profiles/*; do printf 'SYS_BPF 5 AAAA\n' >>"$f"; done
run damaged
check "a damaged profile is ignored: no prefetch, the same reads" \
  eval "same damaged && ! grep -q PREFETCH '$tmp/damaged.err'"

# (2) Array updates: five that cannot fail (posted), then ones that can (waited, failing): past
# the end, BPF_NOEXIST, a byte set past the command's fields, a frozen map.
cat >"$tmp/update.py" <<'PY'
import ctypes, struct
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, 128)
    r = libc.syscall(321, cmd, buf, 128)
    return r if r >= 0 else -ctypes.get_errno()
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
PY
BPFD_REMOTE_STATS=2 "$bpfd" remote --lib "$lib" --remote process -- /usr/bin/python3 "$tmp/update.py" \
  >"$tmp/update.out" 2>"$tmp/update.err"
rc=$?
cat "$tmp/update.out"; grep -E "round trips|SYS_BPF|failed" "$tmp/update.err"
check "five updates that cannot fail return 0 and land in order (values 11 22 7 44); exit $rc" \
  eval "[[ $rc == 0 ]] && grep -qx 'posted 0 0 0 0 0' '$tmp/update.out' && grep -qx 'values 11 22 7 44' '$tmp/update.out'"
check "past the end, BPF_NOEXIST, a stray attr byte and a frozen map still fail for the tool (E2BIG, EEXIST, EACCES, EPERM)" \
  eval "grep -qx 'refused -7 -17 -13' '$tmp/update.out' && grep -qx 'frozen -1' '$tmp/update.out'"
n=$(awk '/calls: SYS_BPF$/ {print $(NF-2)}' "$tmp/update.err")
check "the five posted updates made no round trip (SYS_BPF round trips: ${n:-0}, 10 without them); none failed later" \
  eval "[[ ${n:-0} == 10 ]] && ! grep -q 'failed a command' '$tmp/update.err'"
finish
