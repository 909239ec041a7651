#!/bin/bash
# Issue 16: what a tool's start-up no longer waits for through `bpfd remote`, with the effect
# still there and in order. (1) PERF_EVENT_IOC_ENABLE/DISABLE/RESET are sent without waiting
# (as closes are): a BPF program on a disabled cpu-clock event counts nothing until the posted
# ENABLE, and nothing more after the posted DISABLE. (2) Access checks of tracefs paths (BCC
# makes one before each attach) are kept like tracefs listings: one round trip for five, and a
# uprobe event the tool adds or removes shows at once. (3) Over a link (any transport but a
# local process) replies come deflated (COMPRESS deflate): the kernel's BTF crosses in about
# half of its base64, and the tool reads the same bytes. Real bpf() and perf through a
# real daemon. $1 bpfd, $2 the expected architecture.
set -u
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"
bpfd=$(realpath "$1") arch=$2
lib=$(dirname "$bpfd")/libbpfd-remote.so
tmp=$(mktemp -d /tmp/bpfd-trips.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

host_library_ready "round trips of bpfd remote" "$arch" "bpf(), perf, tracefs" || exit 0
export BPFD_REMOTE_CACHE=off

# (1) A perf_event program counting cpu-clock samples into an array map, on an event opened
# disabled; the count after each step.
cat >"$tmp/enable.py" <<'PY'
import ctypes, struct, time
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def call(what, r):
    if r < 0: raise OSError(ctypes.get_errno(), what)
    return r
def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, 128)
    return call("bpf %d" % cmd, libc.syscall(321, cmd, buf, 128))
def insn(code, dst=0, src=0, off=0, imm=0): return struct.pack("<BBhi", code, dst | src << 4, off, imm)
m = bpf(0, struct.pack("<IIII", 2, 4, 8, 1))  # BPF_MAP_CREATE: array, u32 -> u64, 1 entry
code = (insn(0x62, 10, off=-4) + insn(0xbf, 2, 10) + insn(0x07, 2, imm=-4) +  # key 0 at fp-4
        insn(0x18, 1, 1, imm=m) + insn(0) + insn(0x85, imm=1) +                  # lookup
        insn(0x15, 0, off=2) + insn(0xb7, 1, imm=1) + insn(0xdb, 0, 1) +          # += 1
        insn(0xb7, 0) + insn(0x95))
insns, lic = ctypes.create_string_buffer(code), ctypes.create_string_buffer(b"GPL")
prog = bpf(5, struct.pack("<IIQQ", 7, len(code) // 8, ctypes.addressof(insns), ctypes.addressof(lic)))
# perf_event_attr: software cpu-clock every 1 ms, disabled (flags bit 0), on CPU 0.
attr = ctypes.create_string_buffer(struct.pack("<IIQQQQQ", 1, 128, 0, 1000000, 0, 0, 1), 128)
ev = call("perf_event_open", libc.syscall(298, attr, -1, 0, -1, 0))
call("SET_BPF", libc.ioctl(ev, ctypes.c_ulong(0x40042408), prog))
val = ctypes.create_string_buffer(8)
key = ctypes.create_string_buffer(4)
def count():
    bpf(1, struct.pack("<IIQQ", m, 0, ctypes.addressof(key), ctypes.addressof(val)))
    return struct.unpack("<Q", val.raw)[0]
def spin(s):  # keep CPU 0's clock ticking for this process's part too
    end = time.time() + s
    while time.time() < end: pass
spin(0.3); before = count()
call("ENABLE", libc.ioctl(ev, ctypes.c_ulong(0x2400), 0))
spin(0.3); enabled = count()
call("DISABLE", libc.ioctl(ev, ctypes.c_ulong(0x2401), 0))
stopped = count()
spin(0.3); later = count()
print("counts", before, enabled, stopped, later)
PY
BPFD_REMOTE_STATS=2 "$bpfd" remote --lib "$lib" --remote process -- /usr/bin/python3 "$tmp/enable.py" \
  >"$tmp/enable.out" 2>"$tmp/enable.err"
rc=$?
cat "$tmp/enable.out"; grep -E "round trips|SYS_IOCTL|failed|Error" "$tmp/enable.err"
read -r _ before enabled stopped later <<<"$(grep ^counts "$tmp/enable.out")"
check "a disabled event counts nothing (${before:-?}), after the posted ENABLE it counts (${enabled:-?}), after the posted DISABLE no more (${stopped:-?} then ${later:-?}); exit $rc" \
  eval "[[ $rc == 0 && ${before:-x} == 0 && ${enabled:-0} -gt 0 && ${stopped:-x} == ${later:-y} ]]"
ioctls=$(awk '/calls: SYS_IOCTL$/ {print $(NF-2)}' "$tmp/enable.err")
check "only SET_BPF waited for its reply (SYS_IOCTL round trips: ${ioctls:-0}); no posted command failed" \
  eval "[[ ${ioctls:-0} == 1 ]] && ! grep -q 'failed a command' '$tmp/enable.err'"

# (2) tracefs access checks.
cat >"$tmp/access.py" <<'PY'
import os
t = "/sys/kernel/tracing"
print("tracefs", all(os.access(t, os.F_OK) for _ in range(5)))
group = "bpfdtrips%d" % os.getpid()
ev = t + "/events/" + group + "/probe"
seen = [os.access(ev, os.F_OK)]
with open(t + "/uprobe_events", "a") as f: f.write("p:%s/probe /bin/true:0x0\n" % group)
seen.append(os.access(ev, os.F_OK))
with open(t + "/uprobe_events", "a") as f: f.write("-:%s/probe\n" % group)
seen.append(os.access(ev, os.F_OK))
print("event", *seen)
PY
BPFD_REMOTE_STATS=2 "$bpfd" remote --lib "$lib" --remote process -- /usr/bin/python3 "$tmp/access.py" \
  >"$tmp/access.out" 2>"$tmp/access.err"
cat "$tmp/access.out"; grep -E "round trips|FILE_ACCESS" "$tmp/access.err"
n=$(awk '/calls: FILE_ACCESS \/sys\/kernel\/tracing$/ {print $(NF-3)}' "$tmp/access.err")
check "five access checks of tracefs, one round trip (${n:-0})" \
  eval "grep -qx 'tracefs True' '$tmp/access.out' && [[ ${n:-0} == 1 ]]"
check "a uprobe event the tool adds is accessible at once, and not after its removal" \
  grep -qx "event False True False" "$tmp/access.out"

# (3) The kernel's BTF read through `cmd:` (a link: deflated) and through it with
# BPFD_DEFLATE=0 (as a daemon that predates COMPRESS would answer).
if [[ -r /sys/kernel/btf/vmlinux ]]; then
  btf=/sys/kernel/btf/vmlinux size=$(stat -c %s /sys/kernel/btf/vmlinux)
  want=$(sha256sum <"$btf" | cut -d' ' -f1)
  read_btf() {  # NAME [ENV...]: the tool's SHA-256 of the BTF in $tmp/NAME, its traffic in .err
    local name=$1; shift
    env "$@" BPFD_REMOTE_STATS=1 "$bpfd" remote --lib "$lib" --remote "cmd:$bpfd" -- /usr/bin/python3 -c \
      'import hashlib; print(hashlib.sha256(open("/sys/kernel/btf/vmlinux", "rb").read()).hexdigest())' \
      >"$tmp/$name" 2>"$tmp/$name.err"
    echo "--- $name: $(cat "$tmp/$name.err")"
  }
  got() { awk '/received$/ {print $(NF-1)}' "$tmp/$1.err"; }
  read_btf deflated
  read_btf plain BPFD_DEFLATE=0
  check "with BPFD_DEFLATE=0 the BTF ($size bytes) crosses as base64 ($(got plain) bytes), the same bytes read" \
    eval "[[ \$(cat $tmp/plain) == $want ]] && (( \$(got plain) > size ))"
  check "over a link it crosses deflated: $(got deflated) bytes received (under 2/3 of that), the same bytes read" \
    eval "[[ \$(cat $tmp/deflated) == $want ]] && (( \$(got deflated) * 3 < \$(got plain) * 2 ))"
else
  skip "deflated replies over a link" "no /sys/kernel/btf/vmlinux to read"
fi
finish
