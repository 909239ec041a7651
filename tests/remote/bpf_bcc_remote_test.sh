#!/bin/bash
# Acceptance of bpfd remote (issue 6): Debian's unmodified bpfcc-tools and bpftool give the
# same kind of output through `bpfd remote --remote process -- TOOL` (libbpfd-remote.so
# preloaded) as when run here directly: the same header lines, plausible non-empty data, the
# same exit status. Prints each tool's local and remote start-up time. Then: the tool
# SIGKILLed leaves no program, map, tracefs event or daemon on the target; the daemon killed
# ends the tool with a clear error within seconds. $1 is bpfd, $2 the expected architecture.
# The library: beside bpfd (//cmd:libbpfd-remote.so), or $BPFD_REMOTE_LIB.
set -u
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"
bpfd=$(realpath "$1") arch=$2
here="${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/remote"
tmp=$(mktemp -d /tmp/bpfd-bcc.XXXXXX)
bg=()
cleanup() { for p in "${bg[@]}"; do kill -9 "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
PY=/usr/bin/python3
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# --- prerequisites: each missing one is a SKIP line, never a silent pass -------------------
if [[ $arch != x86_64 ]]; then
  skip "BCC tools through bpfd remote" "the host's bpfcc-tools are x86_64 and bpf() is ENOSYS under qemu-user ($arch); the guest suite covers real $arch kernels"
  finish; exit
fi
if [[ $EUID != 0 ]]; then skip "BCC tools through bpfd remote" "needs root for bpf()"; finish; exit; fi
for t in hardirqs-bpfcc softirqs-bpfcc syscount-bpfcc runqlat-bpfcc tplist-bpfcc threadsnoop-bpfcc trace-bpfcc; do
  command -v "$t" >/dev/null || { skip "BCC tools through bpfd remote" "$t missing: run tools/setup (apt-get install bpfcc-tools python3-bpfcc)"; finish; exit; }
done
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
# tplist and BCC's tracepoint lookups read /sys/kernel/debug/tracing (tracefs, automounted).
mountpoint -q /sys/kernel/debug || mount -t debugfs nodev /sys/kernel/debug 2>/dev/null

# Kernel headers for BCC (it compiles on the host).
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/bcc_headers.sh"
bcc_headers "$tmp"
if [[ -z ${BCC_KERNEL_SOURCE:-} ]]; then
  skip "BCC tools through bpfd remote" "no kernel headers for BCC: run tools/setup (linux-headers-amd64) or set BCC_KERNEL_SOURCE"
  finish; exit
fi
echo "BCC_KERNEL_SOURCE=$BCC_KERNEL_SOURCE"

lib=${BPFD_REMOTE_LIB:-$(dirname "$bpfd")/libbpfd-remote.so}
check "the host library is there ($lib)" test -f "$lib"
[[ -f $lib ]] || { echo "build it: bazel build //cmd:libbpfd-remote.so"; finish; exit; }
export PYTHONUNBUFFERED=1  # first-line times measure the tools, not Python's stdout buffer
unset ARCH
remote=("$bpfd" remote --lib "$lib" --remote process --)

# Load for the tools to see, every 50 ms: getpid(), a thread, an fsync (block-device irqs).
$PY -c '
import os, sys, threading, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o600)
while True:
    os.getpid(); t = threading.Thread(target=lambda: None); t.start(); t.join()
    os.pwrite(fd, b"x" * 4096, 0); os.fsync(fd); time.sleep(0.05)
' "$tmp/load" & bg+=($!)
gen_pid=$!

# timed OUT PATTERN SECS CMD...: CMD's stdout in OUT (stderr in OUT.err), SIGINT after SECS
# (to its process group, like Ctrl-C); sets rc, first_ms (first line matching PATTERN, or -1),
# total_ms and ctrl_c (how many SIGINTs it took). BCC's Python tools lose a KeyboardInterrupt
# that lands inside their perf-buffer callback (ctypes prints it and polls on), locally as
# remotely; so, as a user would, Ctrl-C again every second; SIGKILL 10 s after the first.
timed() {
  local out=$1 pat=$2 secs=$3; shift 3
  : >"$out"  # before the clock: no match from an earlier run's file
  local start; start=$(now_ms)
  # timeout leads its own process group; after its first SIGINT it ignores more itself.
  timeout -s INT -k 10 "$secs" "$@" >"$out" 2>"$out.err" & local p=$!
  local again=$(( start + secs * 1000 + 1000 ))
  first_ms=-1 ctrl_c=1
  while kill -0 $p 2>/dev/null; do
    ((first_ms < 0)) && grep -qsE "$pat" "$out" && first_ms=$(( $(now_ms) - start ))
    if (( $(now_ms) > again )); then
      kill -INT -- -$p 2>/dev/null && ctrl_c=$((ctrl_c + 1)); again=$(( again + 1000 ))
    fi
    sleep 0.02
  done
  wait $p; rc=$?
  total_ms=$(( $(now_ms) - start ))
  ((first_ms < 0)) && grep -qE "$pat" "$out" && first_ms=$total_ms
}

# compare NAME HEADER DATA SECS CMD...: runs CMD here and through bpfd remote. Both must have
# the HEADER line (the same text), DATA lines after it, and the same exit status.
compare() {
  local name=$1 header=$2 data=$3 secs=$4; shift 4
  timed "$tmp/local" "$data" "$secs" "$@"
  local lrc=$rc lfirst=$first_ms ltotal=$total_ms lctrl_c=$ctrl_c
  local lh; lh=$(grep -E "$header" "$tmp/local" | head -1)
  if [[ -z $lh ]] || ! grep -qE "$data" "$tmp/local"; then
    skip "$name" "does not run here locally (exit $lrc): $(tail -1 "$tmp/local.err")"
    return
  fi
  timed "$tmp/remote" "$data" "$secs" "${remote[@]}" "$@"
  local rh; rh=$(grep -E "$header" "$tmp/remote" | head -1)
  local n; n=$(grep -cE "$data" "$tmp/remote")
  ((lctrl_c > 1 || ctrl_c > 1)) && echo "NOTE $name: it took $lctrl_c Ctrl-C locally, $ctrl_c remotely"
  echo "TIME $name: local first line ${lfirst} ms, total ${ltotal} ms; remote first line ${first_ms} ms, total ${total_ms} ms (ratio $(awk -v a="$first_ms" -v b="$lfirst" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'), bar 1.5)"
  if ! [[ $rh == "$lh" && $n -gt 0 && $rc == "$lrc" ]]; then
    echo "--- local (exit $lrc)"; head -8 "$tmp/local"; echo "--- remote (exit $rc)"; head -8 "$tmp/remote"; tail -5 "$tmp/remote.err"
  fi
  check "$name: remote = local: header '$lh', $n data lines, exit $lrc" \
    eval "[[ '$rh' == '$lh' && $n -gt 0 && $rc == $lrc ]]"
}

compare "hardirqs-bpfcc 1 1" '^HARDIRQ +TOTAL_usecs$' '^[^ ].* +[0-9]+$' 60 hardirqs-bpfcc 1 1
compare "softirqs-bpfcc 1 1" '^SOFTIRQ +TOTAL_usecs$' '^[a-z_]+ +[0-9]+$' 60 softirqs-bpfcc 1 1
compare "syscount-bpfcc -d 1" '^SYSCALL +COUNT$' '^[a-z_0-9]+ +[0-9]+$' 60 syscount-bpfcc -d 1
if [[ -r /sys/kernel/btf/vmlinux ]]; then
  compare "runqlat-bpfcc 1 1" 'usecs +: count +distribution' '^ +[0-9]+ -> [0-9]+ +: [0-9]+ +\|' 60 runqlat-bpfcc 1 1
else
  skip "runqlat-bpfcc" "no /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF): its raw tracepoints need BTF"
fi
compare "threadsnoop-bpfcc (uprobe)" '^TIME\(ms\) +PID +COMM +FUNC$' '^[0-9]+ +[0-9]+ ' 8 threadsnoop-bpfcc
# (trace's -M N does not end 0.26's trace: its exit() is swallowed in the perf callback.)
compare "trace-bpfcc on a tracepoint (perf buffer)" '^PID +TID +COMM +FUNC' 'sys_enter_getpid +[0-9]+$' 8 \
  trace-bpfcc 't:syscalls:sys_enter_getpid "%d", args->__syscall_nr'
compare "a ring buffer user (BPF_RINGBUF_OUTPUT)" '^EVENT +PID +NR$' '^getpid +[0-9]+ +[0-9]+$' 60 $PY "$here/bcc_ringbuf.py" 5
# bpf_trace_printk read back with trace_fields(): trace_pipe is streamed (FILE_STREAM), never
# read whole. Locally too it needs the top-level trace_pipe, which has one reader at a time.
compare "the tutorial's hello_fields (bpf_trace_printk, trace_fields)" '^TIME\(s\) +COMM +PID +MESSAGE$' \
  'Hello, World!$' 60 $PY "$here/bcc_hello_fields.py" tracepoint "$gen_pid" 3
# The same streaming for a tracing instance's own trace_pipe (no other reader to wait for):
# Python's open() + readline(), each line as it is written.
inst=/sys/kernel/tracing/instances/bpfd_bcc_$$
if mkdir "$inst" 2>/dev/null; then
  (for i in 1 2 3; do sleep 0.3; echo "bpfd line $i" >"$inst/trace_marker"; done) &
  timeout 20 "${remote[@]}" $PY -c 'import sys
f = open(sys.argv[1] + "/trace_pipe", "rb")
for _ in range(3): print(f.readline().decode().rstrip())' "$inst" >"$tmp/inst.out" 2>"$tmp/inst.err"
  rc=$?
  wait $!
  rmdir "$inst"
  check "readline() of an instance's trace_pipe through bpfd remote: 3 lines as written (exit $rc)" \
    eval "[[ $rc == 0 && \$(grep -c 'tracing_mark_write: bpfd line [123]$' '$tmp/inst.out') == 3 ]]"
else
  skip "readline() of an instance's trace_pipe" "cannot make a tracing instance"
fi
# tplist only reads tracefs: the same kernel gives the same lines. (Their order is the
# directory listing's: the kernel's readdir order here, FILE_LIST's sorted one remotely.)
for args in "sched:sched_s*" "-v sched:sched_switch"; do
  timed "$tmp/local" '.' 60 tplist-bpfcc $args; lrc=$rc lt=$total_ms
  timed "$tmp/remote" '.' 60 "${remote[@]}" tplist-bpfcc $args
  echo "TIME tplist-bpfcc $args: local ${lt} ms, remote ${total_ms} ms"
  cmp -s "$tmp/local" "$tmp/remote" || echo "NOTE tplist-bpfcc $args: the same lines in another order"
  check "tplist-bpfcc $args: remote lines = local ($(wc -l <"$tmp/local") lines, exit $lrc)" \
    eval "[[ -s '$tmp/local' && $rc == $lrc ]] && cmp -s <(sort '$tmp/local') <(sort '$tmp/remote')"
done
skip "biolatency-bpfcc, execsnoop-bpfcc, opensnoop-bpfcc" "kprobe tools: this kernel has no kprobes (CONFIG_KPROBES unset); they are for a guest kernel that has them"

# --- bpftool through the library: the target's programs and maps ---------------------------
if command -v bpftool >/dev/null; then
  # Something to see: a local trace (a program, perf maps) and a map with a known entry.
  trace-bpfcc 't:syscalls:sys_enter_getpid' >"$tmp/holder_trace" 2>&1 & bg+=($!)
  mkfifo "$tmp/fifo"
  "$bpfd" <"$tmp/fifo" >"$tmp/holder.out" 2>/dev/null & bg+=($!)
  exec {H}>"$tmp/fifo"
  printf 'BPF_CREATE_MAP 1 bccr%s 4 8 16 0\nBPF_UPDATE_ELEM 3 BwAAAA== 4 KgAAAAAAAAA= 8 0\n' $$ >&$H
  for _ in $(seq 600); do grep -q '^PID' "$tmp/holder_trace" && grep -q bpf_update_elem "$tmp/holder.out" && break; sleep 0.05; done
  map_id=$(bpftool map show name "bccr$$" -j 2>/dev/null | $PY -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null)
  progs() { grep -oE '^[0-9]+: [a-z_]+ +name [^ ]+' "$1" | sort; }
  bpftool prog list >"$tmp/local" 2>&1; lrc=$?
  "${remote[@]}" bpftool prog list >"$tmp/remote" 2>"$tmp/remote.err"; rc=$?
  check "bpftool prog list: the same programs remotely ($(progs "$tmp/local" | wc -l), exit $lrc)" \
    eval "[[ $rc == $lrc ]] && [[ -n \$(progs '$tmp/local') ]] && [[ \"\$(progs '$tmp/local')\" == \"\$(progs '$tmp/remote')\" ]]"
  if [[ -n $map_id ]]; then
    bpftool map dump id "$map_id" >"$tmp/local" 2>&1; lrc=$?
    "${remote[@]}" bpftool map dump id "$map_id" >"$tmp/remote" 2>"$tmp/remote.err"; rc=$?
    check "bpftool map dump id $map_id: remote = local" \
      eval "[[ $rc == $lrc && $lrc == 0 ]] && grep -q '2a 00 00 00' '$tmp/local' && cmp -s '$tmp/local' '$tmp/remote'"
  else
    skip "bpftool map dump" "the holder map was not created: $(head -c 200 "$tmp/holder.out")"
  fi
  exec {H}>&-
  for p in "${bg[@]}"; do [[ $p != "$gen_pid" ]] && kill "$p" 2>/dev/null; done
  sleep 1
else
  skip "bpftool through the library" "bpftool missing: apt-get install bpftool"
fi

# --- the tool SIGKILLed: nothing left on the target -----------------------------------------
snapshot() {  # programs, maps and tracefs probe events on the target (this machine)
  { bpftool prog list -j 2>/dev/null | $PY -c 'import json,sys; print(sorted(p["id"] for p in json.load(sys.stdin)))'
    bpftool map list -j 2>/dev/null | $PY -c 'import json,sys; print(sorted(m["id"] for m in json.load(sys.stdin)))'
    cat /sys/kernel/tracing/kprobe_events /sys/kernel/tracing/uprobe_events 2>/dev/null; } >"$1"
}
# Nothing in "after" that "before" lacks (what ended before, e.g. the holders above still being
# freed by the kernel when "before" was taken, may be gone by then).
subset() {
  $PY -c 'import ast, sys
b, a = (open(f).read().splitlines() for f in sys.argv[1:])
ids = lambda l, i: set(ast.literal_eval(l[i])) if len(l) > i and l[i].startswith("[") else set()
sys.exit(not (ids(a, 0) <= ids(b, 0) and ids(a, 1) <= ids(b, 1) and set(a[2:]) <= set(b[2:])))' "$1" "$2"
}
settled() {  # wait up to 3 s for the kernel's deferred frees
  for _ in $(seq 30); do snapshot "$tmp/after"; subset "$tmp/before" "$tmp/after" && return 0; sleep 0.1; done
  diff "$tmp/before" "$tmp/after"; return 1
}
dcmd="cmd:echo \$\$ >'$tmp/daemon.pid'; exec '$bpfd' daemon"
snapshot "$tmp/before"
rm -f "$tmp/daemon.pid"
"$bpfd" remote --lib "$lib" --remote "$dcmd" -- threadsnoop-bpfcc >"$tmp/k.out" 2>"$tmp/k.err" & rp=$!; bg+=($rp)
for _ in $(seq 600); do grep -qs '^TIME' "$tmp/k.out" && break; kill -0 $rp 2>/dev/null || break; sleep 0.05; done
snapshot "$tmp/during"
tool=$(pgrep -P $rp | grep -vx "$(cat "$tmp/daemon.pid" 2>/dev/null)" | head -1)  # not the daemon
if [[ -n $tool ]] && grep -q '^TIME' "$tmp/k.out"; then
  check "SIGKILL: the tool had created programs on the target" eval "! cmp -s '$tmp/before' '$tmp/during'"
  start=$(now_ms); kill -KILL "$tool"
  for _ in $(seq 100); do kill -0 $rp 2>/dev/null || break; sleep 0.05; done
  ms=$(( $(now_ms) - start ))
  check "SIGKILL: bpfd remote ends at once (${ms} ms), exit 137" eval "! kill -0 $rp 2>/dev/null && wait $rp; [[ \$? == 137 ]]"
  check "SIGKILL: the daemon's session is gone" eval "! kill -0 \$(cat '$tmp/daemon.pid') 2>/dev/null"
  check "SIGKILL: no program, map or kprobe/uprobe event left" settled
else
  check "SIGKILL: threadsnoop-bpfcc started remotely" false
  cat "$tmp/k.err" | tail -5
fi

# --- the daemon killed mid-run: the tool ends with a clear error, no hang ------------------
rm -f "$tmp/daemon.pid"
"$bpfd" remote --lib "$lib" --remote "$dcmd" -- trace-bpfcc 't:syscalls:sys_enter_getpid' >"$tmp/d.out" 2>"$tmp/d.err" & rp=$!; bg+=($rp)
for _ in $(seq 600); do grep -qs 'sys_enter_getpid' "$tmp/d.out" && break; kill -0 $rp 2>/dev/null || break; sleep 0.05; done
if grep -q 'sys_enter_getpid' "$tmp/d.out" && [[ -s $tmp/daemon.pid ]]; then
  start=$(now_ms); kill -KILL "$(cat "$tmp/daemon.pid")"
  for _ in $(seq 300); do kill -0 $rp 2>/dev/null || break; sleep 0.05; done
  ms=$(( $(now_ms) - start ))
  if kill -0 $rp 2>/dev/null; then
    check "daemon killed: the tool ends within 15 s (it hangs)" false
    kill -9 $(pgrep -P $rp) $rp 2>/dev/null; wait $rp 2>/dev/null
  else
    wait $rp; rc=$?
    echo "daemon killed: the tool ended after ${ms} ms, exit $rc: $(tail -1 "$tmp/d.err")"
    check "daemon killed: the tool ends within 5 s (${ms} ms), non-zero exit, an error naming the daemon/connection" \
      eval "((ms <= 5000)) && [[ $rc != 0 ]] && grep -qiE 'daemon|bpfd|connection' '$tmp/d.err'"
  fi
else
  check "daemon killed: trace-bpfcc started remotely" false
  tail -5 "$tmp/d.err"
fi
finish
