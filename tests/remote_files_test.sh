#!/bin/bash
# The host library's copies of target files (preload/file_copies.h), through a real daemon
# (process transport): a file under /proc/PID/root/ is fetched once however often, and through
# however many processes' roots, it is opened; each open has its own offset; a changed file
# (even rewritten with the same size) is fetched again; a file under /proc/PID/ that is not
# below root/ is fetched at every open; a burst of stats of /proc/PID/exe (BCC's check for an
# exec before each symbol look-up) is answered from a copy at most 100 ms old. Bytes received are the library's own count
# (BPFD_REMOTE_STATS). $1 is bpfd, $2 the expected architecture.
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
head -c 3000000 /dev/urandom >"$tmp/blob"

cat >"$tmp/t.py" <<'PY'
import os, sys, hashlib
p1, p2, blob = sys.argv[1], sys.argv[2], sys.argv[3]
def via(pid): return "/proc/%s/root%s" % (pid, blob)
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
print("environ", len(whole("/proc/%s/environ" % p1)) > 0 and len(whole("/proc/%s/environ" % p1)) > 0)
PY
mkfifo "$tmp/go"
# Through a shell that forks the script (as a wrapper would): only the script makes calls.
BPFD_REMOTE_STATS=1 "$bpfd" remote --lib "$lib" --remote process -- \
  /bin/sh -c '/usr/bin/python3 "$@"; exit $?' sh "$tmp/t.py" $p1 $p2 "$tmp/blob" \
  <"$tmp/go" >"$tmp/out" 2>"$tmp/err" & py=$!; bg+=($py)
exec 3>"$tmp/go"
for _ in $(seq 100); do grep -q '^same2' "$tmp/out" && break; sleep 0.1; done
head -c 3000000 /dev/urandom >"$tmp/blob.new" && cat "$tmp/blob.new" >"$tmp/blob"  # same inode and size
echo >&3; exec 3>&-
wait $py; rc=$?
cat "$tmp/out"; tail -3 "$tmp/err"
check "the script ran through bpfd remote (exit 0)" test $rc = 0
check "a target file read through /proc/PID/root has the file's bytes" grep -qx 'same1 True' "$tmp/out"
check "two opens of it read at their own offsets" grep -qx 'offsets True' "$tmp/out"
check "through another process's root: the same bytes" grep -qx 'same2 True' "$tmp/out"
check "rewritten in place with the same size: the new bytes" grep -qx 'fresh True' "$tmp/out"
check "/proc/PID/environ (not below root/) reads" grep -qx 'environ True' "$tmp/out"
# 3 MB is 4 MB as base64; fetched twice (before and after the rewrite) is 8 MB. Without
# copies, the five opens would be 20 MB.
check "200 stats of /proc/PID/exe: the same file" grep -qx 'exe True' "$tmp/out"
trips=$(sed -n 's/^bpfd-remote: \([0-9]*\) round trips.*/\1/p' "$tmp/err" | tail -1)
check "... answered from a 100 ms copy: ${trips:-?} round trips in all (< 50; 209 if each went out)" \
  eval "[[ -n '$trips' ]] && (( trips < 50 ))"
check "one traffic line (BPFD_REMOTE_STATS), none from the shell that made no call" \
  test "$(grep -c '^bpfd-remote: [0-9]* round trips' "$tmp/err")" = 1
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$tmp/err" | tail -1)
echo "received: ${got:-?} bytes"
check "the 3 MB file crossed twice, not five times (${got:-?} bytes received < 9 000 000)" \
  eval "[[ -n '$got' ]] && (( got > 8000000 && got < 9000000 ))"
finish
