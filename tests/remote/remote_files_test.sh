#!/bin/bash
# The host library's copies of target files (preload/file_copies.h), through a real daemon
# (process transport): a file under /proc/PID/root/ is fetched once however often, and through
# however many processes' roots, it is opened; each open has its own offset; a changed file
# (even rewritten with the same size) is fetched again; a large one crosses only in the 64 KiB
# pieces read, stays readable after its process is gone, and is completed for mmap and stdio;
# a file under /proc/PID/ that is not below root/ (status) is fetched at every open, and environ
# is refused (the daemon's policy; below root/ only ELF files are read); a burst of stats
# of /proc/PID/exe (BCC's check for an exec before each symbol look-up) is answered from a
# copy at most 100 ms old. Bytes received are the library's own count (BPFD_REMOTE_STATS).
# $1 is bpfd, $2 the expected architecture.
set -u
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"
bpfd=$(realpath "$1") arch=$2
tmp=$(mktemp -d /tmp/bpfd-files.XXXXXX)
bg=()
cleanup() { for p in "${bg[@]}"; do kill -9 "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

if [[ $arch != x86_64 ]]; then
  skip "target file copies" "the host library is for the x86_64 host; the daemon under qemu-user ($arch) is covered by the transcripts"
  finish; exit
fi
if [[ $EUID != 0 ]]; then skip "target file copies" "reading another process's /proc/PID/root needs root"; finish; exit; fi
lib=${BPFD_REMOTE_LIB:-$(dirname "$bpfd")/libbpfd-remote.so}
check "the host library is there ($lib)" test -f "$lib"
[[ -f $lib ]] || { finish; exit; }

# Two other processes whose roots lead to the same files.
sleep 1000 & bg+=($!); p1=$!
sleep 1000 & bg+=($!); p2=$!
# The daemon's policy lets only ELF files be read below a process's root: each file starts
# with the ELF magic, the rest random.
elf() { { printf '\177ELF'; head -c $(($1 - 4)) /dev/urandom; } >"$2"; }
elf 3000000 "$tmp/blob"
elf 8000000 "$tmp/big"    # read in three 100-byte pieces
elf 1000000 "$tmp/big2"   # read after its process is gone
elf 500000 "$tmp/big3"    # mmap'ed
elf 300000 "$tmp/big4"    # read through stdio (fdopen)
elf 1000000 "$tmp/big5"   # shrinks while open

cat >"$tmp/t.py" <<'PY'
import ctypes, mmap, os, subprocess, sys
p1, p2, blob = sys.argv[1], sys.argv[2], sys.argv[3]
tmp = os.path.dirname(blob)
def via(pid, path=blob): return "/proc/%s/root%s" % (pid, path)
def whole(path):
    with open(path, "rb") as f: return f.read()
local = whole(blob)
print("same1", whole(via(p1)) == local)
a = os.open(via(p1), os.O_RDONLY); b = os.open(via(p2), os.O_RDONLY)
print("offsets", os.read(a, 100) == local[:100] and os.read(b, 100) == local[:100]
      and os.read(a, 100) == local[100:200])
os.close(a); os.close(b)
print("same2", whole(via(p2)) == local)
sys.stdout.flush(); input()  # the shell rewrites the file: same size, new content
local = whole(blob)
print("fresh", whole(via(p1)) == local)
st = [os.stat("/proc/%s/exe" % p1) for _ in range(200)]  # BCC's staleness probe, per event
print("exe", {(x.st_dev, x.st_ino) for x in st} == {(st[0].st_dev, st[0].st_ino)} and
      st[0].st_ino == os.stat("/bin/sleep").st_ino)
big = whole(tmp + "/big")
fd = os.open(via(p1, tmp + "/big"), os.O_RDONLY)
mid = len(big) // 2
print("pieces", os.read(fd, 0) == b"" and os.pread(fd, 0, 0) == b"" and os.pread(fd, 100, len(big)) == b""
      and os.pread(fd, 100, 0) == big[:100] and os.pread(fd, 100, mid) == big[mid:mid + 100]
      and os.pread(fd, 100, len(big) - 100) == big[-100:])
os.close(fd)
q = subprocess.Popen(["sleep", "1000"])
fd = os.open(via(q.pid, tmp + "/big2"), os.O_RDONLY)
first = os.read(fd, 100)
q.kill(); q.wait()
rest = os.read(fd, 10**8)
print("gone", not os.path.exists("/proc/%d" % q.pid) and first + rest == whole(tmp + "/big2"))
os.close(fd)
fd = os.open(via(p1, tmp + "/big3"), os.O_RDONLY)
print("mmap", mmap.mmap(fd, 0, prot=mmap.PROT_READ)[:] == whole(tmp + "/big3"))
os.close(fd)
libc = ctypes.CDLL(None, use_errno=True)
libc.fdopen.restype = ctypes.c_void_p
libc.fread.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t, ctypes.c_void_p]
libc.fclose.argtypes = [ctypes.c_void_p]
f = libc.fdopen(os.open(via(p1, tmp + "/big4"), os.O_RDONLY), b"r")
buf = ctypes.create_string_buffer(400000)
n = libc.fread(buf, 1, 400000, f)
print("stdio", buf.raw[:n] == whole(tmp + "/big4"))
libc.fclose(f)
fd = os.open(via(p1, tmp + "/big5"), os.O_RDONLY)
os.read(fd, 100)
os.truncate(tmp + "/big5", 100000)  # the target's file shrinks under the open copy
try:
    os.read(fd, 10**7); print("shrunk read succeeded")
except OSError as e:
    print("shrunk", e.errno == 5)
os.close(fd)
print("status", b"Pid:" in whole("/proc/%s/status" % p1) and b"Pid:" in whole("/proc/%s/status" % p1))
try:
    whole("/proc/%s/environ" % p1); print("environ read")
except OSError as e:
    print("environ", e.errno == 13)
PY
mkfifo "$tmp/go"
# Through a shell that forks the script (as a wrapper would): only the script makes calls.
BPFD_REMOTE_STATS=1 "$bpfd" remote --lib "$lib" --remote process -- \
  /bin/sh -c '/usr/bin/python3 "$@"; exit $?' sh "$tmp/t.py" $p1 $p2 "$tmp/blob" \
  <"$tmp/go" >"$tmp/out" 2>"$tmp/err" & py=$!; bg+=($py)
exec 3>"$tmp/go"
for _ in $(seq 100); do grep -q '^same2' "$tmp/out" && break; sleep 0.1; done
elf 3000000 "$tmp/blob.new" && cat "$tmp/blob.new" >"$tmp/blob"  # same inode and size
echo >&3; exec 3>&-
wait $py; rc=$?
cat "$tmp/out"; tail -3 "$tmp/err"
check "the script ran through bpfd remote (exit 0)" test $rc = 0
check "a target file read through /proc/PID/root has the file's bytes" grep -qx 'same1 True' "$tmp/out"
check "two opens of it read at their own offsets" grep -qx 'offsets True' "$tmp/out"
check "through another process's root: the same bytes" grep -qx 'same2 True' "$tmp/out"
check "rewritten in place with the same size: the new bytes" grep -qx 'fresh True' "$tmp/out"
check "/proc/PID/status (not below root/) reads" grep -qx 'status True' "$tmp/out"
check "/proc/PID/environ is refused by the daemon's policy (EACCES)" grep -qx 'environ True' "$tmp/out"
check "pieces of a large file (pread at its start, middle and end) have its bytes" grep -qx 'pieces True' "$tmp/out"
check "a file opened through a process's root reads whole after the process is gone" grep -qx 'gone True' "$tmp/out"
check "mmap of a file copied in pieces sees all of it" grep -qx 'mmap True' "$tmp/out"
check "stdio (fdopen + fread) on a file copied in pieces reads all of it" grep -qx 'stdio True' "$tmp/out"
check "a file that shrank under its copy: the read fails (EIO), never shows zeros" grep -qx 'shrunk True' "$tmp/out"
check "... with one line naming it" \
  test "$(grep -c "^bpfd-remote: cannot read /proc/$p1/root$tmp/big5 from the target" "$tmp/err")" = 1
# What must cross, as base64 (4/3): the 3 MB file twice (before and after the rewrite), the
# three 64 KiB pieces of the 8 MB one that hold the bytes read (the last one is its tail), the
# 1 MB, 500 kB and 300 kB files whole, the first piece of the one that shrinks. Fetched whole at
# each open, the 3 MB file alone would be 20 MB; the 8 MB one whole, 10.7 MB more.
want=$(( (2 * 3000000 + 2 * 65536 + 8000000 % 65536 + 1000000 + 500000 + 300000 + 65536) * 4 / 3 ))
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$tmp/err" | tail -1)
echo "received: ${got:-?} bytes, the files' share $want"
check "each file crossed once per version, the large one only in the pieces read (${got:-?} bytes received, $want + < 200 000)" \
  eval "[[ -n '$got' ]] && (( got >= want && got < want + 200000 ))"

# Tracefs's events/ as a tool walks it (tplist, funccount): one round trip for the whole tree
# (FILE_LIST_TREE), the same names as a local walk; a uprobe event the tool adds (or removes)
# shows in its next listing (listings are forgotten on a write to tracefs).
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing
cat >"$tmp/walk.py" <<'PY'
import os, sys
ev = "/sys/kernel/debug/tracing/events"
if not os.path.isdir(ev): ev = "/sys/kernel/tracing/events"
names = []
for sub in sorted(os.listdir(ev)):
    if os.path.isdir(os.path.join(ev, sub)):
        names += [sub + ":" + e for e in os.listdir(os.path.join(ev, sub))]
with open(sys.argv[1], "w") as f: f.write("\n".join(sorted(names)) + "\n")
group = "bpfdlist%d" % os.getpid()
def listed(): return group in os.listdir(ev)
before = listed()
with open(ev + "/../uprobe_events", "a") as f: f.write("p:%s/probe /bin/true:0x0\n" % group)
added = listed() and "probe" in os.listdir(os.path.join(ev, group))
with open(ev + "/../uprobe_events", "a") as f: f.write("-:%s/probe\n" % group)
print("uprobe event listed:", before, added, listed())
PY
/usr/bin/python3 "$tmp/walk.py" "$tmp/walk.local" >/dev/null 2>&1  # its uprobe part is for the remote run
BPFD_REMOTE_STATS=1 "$bpfd" remote --lib "$lib" --remote process -- /usr/bin/python3 "$tmp/walk.py" "$tmp/walk.remote" \
  >"$tmp/walk.out" 2>"$tmp/walk.err"
cat "$tmp/walk.out"; grep round "$tmp/walk.err"
trips=$(sed -n 's/^bpfd-remote: \([0-9]*\) round trips.*/\1/p' "$tmp/walk.err")
check "events/ walked through bpfd remote: the same $(wc -l <"$tmp/walk.local") event names as locally, in ${trips:-?} round trips" \
  eval "cmp -s '$tmp/walk.local' '$tmp/walk.remote' && (( ${trips:-999} < 20 ))"
check "a uprobe event the tool adds is in its next listing of events/, and gone after its removal" \
  grep -qx "uprobe event listed: False True False" "$tmp/walk.out"
finish
