#!/bin/bash
# bpftrace (Debian's, unmodified) through `bpfd remote --remote process`: one-liners from
# bpftrace's tutorial (tests/lib/bpftrace_lib.sh) run here and through the library must print
# the same shape (the "Attaching N probes..." line, the same maps with the same kinds of rows:
# values, histogram buckets, symbolized stack frames) and exit alike; then uprobes, ustack and
# profile. kprobe cases SKIP with the reason when this kernel has no kprobes (the guests run
# them). $1 is bpfd, $2 the expected architecture; the library is beside bpfd.
set -u
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/bpftrace_lib.sh"
bpfd=$(realpath "$1") arch=$2
lib=$(dirname "$bpfd")/libbpfd-remote.so
if [[ $arch != x86_64 || $EUID != 0 ]]; then
  skip "bpftrace through bpfd remote" "needs root on x86_64 (the host's bpftrace; bpf() here), not $arch/uid $EUID"
  finish; exit
fi
command -v bpftrace >/dev/null || { skip "bpftrace through bpfd remote" "bpftrace missing: run tools/setup"; finish; exit; }
tmp=$(mktemp -d /tmp/bpfd-bt.XXXXXX)
load=""
trap '[[ -n $load ]] && kill $load; rm -rf "$tmp"' EXIT
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
# bpftrace 0.17 reads tracepoints from /sys/kernel/debug/tracing (tracefs, automounted); the
# library sends that path to the target's tracefs wherever it is mounted.
mountpoint -q /sys/kernel/debug || mount -t debugfs nodev /sys/kernel/debug 2>/dev/null
remote=("$bpfd" remote --lib "$lib" --remote process --)

# Activity for the probes, every 20 ms: an open and read (cat), getpid() from a long-lived
# process (its stacks stay symbolizable after the run).
python3 -c '
import os, subprocess, time
while True:
    os.getpid(); subprocess.run(["cat", "/etc/hostname"], stdout=subprocess.DEVNULL); time.sleep(0.02)
' & load=$!

# compare NAME PROGRAM DATA: local and remote runs print the same shape and DATA lines.
compare() {
  local name=$1 prog=$2 data=$3
  bt_run "$tmp/local" 30 bpftrace -e "$prog"; local lrc=$rc
  if ! grep -qE "$data" "$tmp/local"; then
    skip "$name" "does not run here locally (exit $lrc): $(grep -v RLIMIT_MEMLOCK "$tmp/local.err" | head -1)"
    return
  fi
  bt_run "$tmp/remote" 30 "${remote[@]}" bpftrace -e "$prog"
  local n; n=$(grep -cE "$data" "$tmp/remote")
  cat "$tmp/remote.err" >>"$tmp/all.err"
  if ! cmp -s <(bt_shape "$tmp/local") <(bt_shape "$tmp/remote") || ((n == 0)) || [[ $rc != "$lrc" ]]; then
    echo "--- local (exit $lrc)"; head -12 "$tmp/local"; echo "--- remote (exit $rc)"; head -12 "$tmp/remote"
    tail -5 "$tmp/remote.err"; diff <(bt_shape "$tmp/local") <(bt_shape "$tmp/remote")
  fi
  check "$name: remote shape = local ($(bt_shape "$tmp/local" | wc -l) kinds of lines), $n data lines, exit $lrc" \
    eval "cmp -s <(bt_shape '$tmp/local') <(bt_shape '$tmp/remote') && ((n > 0)) && [[ $rc == $lrc ]]"
}

for c in "${BT_TRACEPOINT_CASES[@]}" \
  "getpid calls (uprobe on libc)|uprobe:/lib/x86_64-linux-gnu/libc.so.6:getpid { @[comm] = count(); } $END|^@\\[.+\\]: [0-9]+$" \
  "getpid return values (uretprobe, retval, hist)|uretprobe:/lib/x86_64-linux-gnu/libc.so.6:getpid /pid == $load/ { @ = hist(retval); } $END|^\\[[0-9]+[KM]?, [0-9]+[KM]?\\) +[0-9]+ \\|@+ *\\|$" \
  "user stacks (ustack, symbolized)|uprobe:/lib/x86_64-linux-gnu/libc.so.6:getpid /pid == $load/ { @[ustack] = count(); } $END|^ +(__)?getpid\\+[0-9]+$" \
  "on-CPU processes (profile:hz:99)|profile:hz:99 { @[comm] = count(); } $END|^@\\[.+\\]: [0-9]+$"; do
  IFS='|' read -r name prog data <<<"$c"
  compare "$name" "$prog" "$data"
done
if [[ -e /sys/kernel/tracing/kprobe_events ]]; then
  for c in "${BT_KPROBE_CASES[@]}" "${BT_REGS_CASES[@]}"; do
    IFS='|' read -r name prog data <<<"$c"
    compare "$name" "$prog" "$data"
  done
else
  skip "bpftrace kprobe/kretprobe one-liners" "this kernel has no kprobes (no kprobe_events: CONFIG_KPROBES unset); the guest tests run them"
fi
# The remote runs' stderr lines: bpftrace's own, and no "bpfd-remote:" refusal on one machine.
echo "remote stderr lines:"; sort "$tmp/all.err" | uniq -c
check "no bpfd-remote refusal on the same machine" eval "! grep -q '^bpfd-remote: refused' '$tmp/all.err'"
finish
