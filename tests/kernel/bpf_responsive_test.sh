#!/bin/bash
# A session stays responsive whatever a command waits on (issue 14), with the real daemon ($1):
# - FILE_READ of trace_pipe, then `exit`, SIGTERM or end of input 2 s later: the daemon exits
#   with status 0 within 1 s of it;
# - the same for a FIFO with an idle writer (--unrestricted: the policy reaches no FIFO);
# - FILE_STREAM on a FILE_OPEN'd trace_pipe: a trace_marker write shows up, a timeout gives
#   -EAGAIN, a next command line ends the wait early;
# - --write-timeout 2 and a client that stops reading a big reply: the session ends within
#   ~2-3 s with one stderr line, and the map it created is gone (bpftool map show).
# trace_pipe is a tracing instance's own (instances/bpfd_resp_PID), so other readers of the
# top-level pipe neither disturb nor see this test. Needs root outside Bazel's sandbox and
# tracefs (mounted here if need be); SKIPs with the reason otherwise, and under qemu-user.
set -u
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"
daemon=$(realpath "${1:?usage: bpf_responsive_test.sh DAEMON ARCH}")
arch=${2:-$(uname -m)}
case $(uname -m) in
  "$arch"*) ;;
  *) skip responsive "the $arch binary runs under qemu-user here"; finish; exit ;;
esac
if [ "$(id -u)" != 0 ]; then skip responsive "needs root"; finish; exit; fi
tracefs=/sys/kernel/tracing
if [ ! -e $tracefs/trace_pipe ]; then mount -t tracefs nodev $tracefs 2>/dev/null; fi
if [ ! -e $tracefs/trace_pipe ]; then skip responsive "no tracefs at $tracefs"; finish; exit; fi
inst=$tracefs/instances/bpfd_resp_$$
if ! mkdir $inst 2>/dev/null; then skip responsive "cannot make a tracing instance"; finish; exit; fi
tmp=$(mktemp -d)
trap 'rmdir $inst 2>/dev/null; rm -rf "$tmp"' EXIT
b64() { printf %s "$1" | base64 -w0; }
pipe_b64=$(b64 $inst/trace_pipe)

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# start [ARGS]: the daemon as a coproc whose fds (copied: bash drops a coproc's own when it
# ends) are D[0] and D[1], its stderr in $tmp/err; 1 without its banner.
start() {
  coproc C { exec "$daemon" "$@" 2>"$tmp/err"; }
  pid=$C_PID
  local out in started
  exec {out}<&"${C[0]}" {in}>&"${C[1]}"
  exec {C[0]}<&- {C[1]}>&-
  D=("$out" "$in")
  IFS= read -r -t 10 started <&"${D[0]}" && [ "$started" = STARTED_BPFD ]
}

# ended_within MS: waits up to 10 s for the daemon; sets rc and took (ms since $t0); 0 when it
# ended within MS.
ended_within() {
  local i
  for i in $(seq 1000); do kill -0 $pid 2>/dev/null || break; sleep 0.01; done
  took=$(($(now_ms) - t0))
  if kill -0 $pid 2>/dev/null; then kill -9 $pid; fi
  rc=0
  wait $pid 2>/dev/null || rc=$?
  [ $took -le "$1" ]
}

# FILE_READ of trace_pipe, then each way a session ends, 2 s later.
for how in exit TERM EOF; do
  start || { check "$how: STARTED_BPFD" false; continue; }
  printf 'FILE_READ %s\n' "$pipe_b64" >&"${D[1]}"
  sleep 2
  t0=$(now_ms)
  case $how in
    exit) printf 'exit\n' >&"${D[1]}" ;;
    TERM) kill -TERM $pid ;;
    EOF) exec {D[1]}>&- ;;
  esac
  ended_within 1000
  ok=$?
  echo "$how after a waiting FILE_READ of trace_pipe: exit status $rc after ${took} ms"
  check "FILE_READ trace_pipe, then $how: exit 0 within 1 s" test "$ok$rc" = 00
done

# The same wait on a FIFO whose writer is idle (this shell holds it open read-write).
mkfifo "$tmp/fifo"
exec {hold}<>"$tmp/fifo"
start --unrestricted || check "fifo: STARTED_BPFD" false
printf 'FILE_READ %s\n' "$(b64 "$tmp/fifo")" >&"${D[1]}"
sleep 1
t0=$(now_ms)
printf 'exit\n' >&"${D[1]}"
read_reply
fifo_reply=$reply
ended_within 1000
ok=$?
echo "FIFO: reply '${fifo_reply%$'\n'}', exit status $rc after ${took} ms"
check "FILE_READ of an idle FIFO answers -EAGAIN when the next command comes" \
  test "$fifo_reply" = $'file_read: ret=-11\n'
check "FILE_READ of an idle FIFO, then exit: exit 0 within 1 s" test "$ok$rc" = 00
exec {hold}>&-

# FILE_STREAM on a FILE_OPEN'd trace_pipe.
start || check "stream: STARTED_BPFD" false
send "FILE_OPEN $pipe_b64 0 0"
fd=${reply#file_open: ret=}; fd=${fd%%$'\n'*}
check "FILE_OPEN trace_pipe read-only is allowed" test "${fd:0:1}" != -
t0=$(now_ms)
send "FILE_STREAM $fd 4096 300"
took=$(($(now_ms) - t0))
echo "FILE_STREAM, nothing written: '${reply%$'\n'}' after ${took} ms"
check "FILE_STREAM times out with -EAGAIN (300 ms)" \
  test "$reply" = $'file_stream: ret=-11\n' -a $took -ge 250 -a $took -lt 2000
marker="bpfd_resp_marker_$$"
(sleep 0.3; echo "$marker" >$inst/trace_marker) &
t0=$(now_ms)
send "FILE_STREAM $fd 4096 5000"
took=$(($(now_ms) - t0))
ret=${reply#file_stream: ret=}; ret=${ret%%$'\n'*}
data=$(sed -n 2p <<<"$reply" | base64 -d 2>/dev/null)
echo "FILE_STREAM, a marker written after 300 ms: ret=$ret after ${took} ms: ${data}"
check "FILE_STREAM returns the trace_marker write" test "$ret" -gt 0 -a "$took" -lt 4000
check "... with its text" grep -q "$marker" <<<"$data"
t0=$(now_ms)
printf 'FILE_STREAM %s 4096 8000\nFILE_STREAM %s 4096 0\n' "$fd" "$fd" >&"${D[1]}"
read_reply
first=$reply
read_reply
took=$(($(now_ms) - t0))
echo "FILE_STREAM with the next command already sent: '${first%$'\n'}' after ${took} ms"
check "FILE_STREAM ends early when the next command line came" \
  test "$first" = $'file_stream: ret=-11\n' -a $took -lt 1000
send "FILE_STREAM 1 4096 0"
check "FILE_STREAM on an fd the session did not open: -EBADF" \
  test "$reply" = $'file_stream: ret=-9\n'
send "FILE_STREAM $fd 0 0"
check "FILE_STREAM of 0 bytes: -EINVAL" test "$reply" = $'file_stream: ret=-22\n'
printf 'exit\n' >&"${D[1]}"
t0=$(now_ms)
ended_within 1000
check "the stream session exits 0" test "$rc" = 0

# A client that stops reading.
bpftool=$(command -v bpftool || ls /usr/sbin/bpftool /sbin/bpftool 2>/dev/null | head -1)
if [ -z "$bpftool" ] || ! "$bpftool" map list >/dev/null 2>&1; then
  skip "write timeout" "bpftool missing or bpftool map list fails here"
  finish
  exit
fi
big=$(b64 /proc/kallsyms)  # megabytes of reply
[ -r /sys/kernel/btf/vmlinux ] && big=$(b64 /sys/kernel/btf/vmlinux)
start --write-timeout 2 || check "write timeout: STARTED_BPFD" false
send "BPF_CREATE_MAP 1 rsp_$$ 4 4 1 0"
map=${reply#bpf_create_map: ret=}; map=${map%%$'\n'*}
if [ "$map" = -1 ] || [ "$map" = -38 ]; then
  skip "write timeout" "bpf() gives ${map} here"
else
  check "a map is made (bpftool sees rsp_$$)" \
    bash -c "'$bpftool' map show name rsp_$$ | grep -q ."
  t0=$(now_ms)
  printf 'FILE_READ %s\n' "$big" >&"${D[1]}"  # megabytes of reply nobody reads
  ended_within 4000
  ok=$?
  echo "client stopped reading: exit status $rc after ${took} ms; stderr: $(cat "$tmp/err")"
  check "--write-timeout 2 ends the session within 4 s, exit 0" test "$ok$rc" = 00 -a $took -ge 1500
  check "... saying so once on stderr" test "$(grep -c 'read nothing of a reply' "$tmp/err")" = 1
  check "... and its map is gone" \
    bash -c "! '$bpftool' map show name rsp_$$ 2>/dev/null | grep -q ."
fi
finish
