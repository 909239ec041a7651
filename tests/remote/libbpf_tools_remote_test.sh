#!/bin/bash
# Issue 15: Debian's libbpf-tools (CO-RE binaries: BTF from /sys/kernel/btf/vmlinux, global
# data in mmapable array maps, ring/perf buffers) through `bpfd remote --remote process`.
# opensnoop and execsnoop must print events of activity made during the run (their .rodata is
# mapped: preload/map_mirror.h); softirqs reads its .bss counters after each sleep, so its
# table must show non-zero times (the mirror pulls after waits). Then nothing of theirs may be
# left on the target. $1 is bpfd, $2 the expected architecture.
set -u
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"
bpfd=$(realpath "$1") arch=$2
lib=$(dirname "$bpfd")/libbpfd-remote.so
tmp=$(mktemp -d /tmp/bpfd-lbt.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

if [[ $arch != x86_64 ]]; then
  skip "libbpf-tools through bpfd remote" "the host's libbpf-tools are x86_64 and bpf() is ENOSYS under qemu-user ($arch)"
  finish; exit
fi
if [[ $EUID != 0 ]]; then skip "libbpf-tools through bpfd remote" "needs root for bpf()"; finish; exit; fi
for t in opensnoop execsnoop softirqs; do
  [[ -x /usr/sbin/$t ]] || { skip "libbpf-tools through bpfd remote" "$t missing: run tools/setup (apt-get install libbpf-tools)"; finish; exit; }
done
[[ -r /sys/kernel/btf/vmlinux ]] || { skip "libbpf-tools through bpfd remote" "no /sys/kernel/btf/vmlinux: CO-RE tools need the kernel's BTF"; finish; exit; }
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null

progs() { bpftool prog list 2>/dev/null | grep -c '^[0-9]*:'; }
before=$(progs)
marker=$tmp/marker-$$
# remote_run NAME SECS CMD...: CMD through bpfd remote for SECS s (then SIGINT, like Ctrl-C),
# while this shell opens $marker and runs /bin/true every 200 ms; output in $tmp/NAME.
remote_run() {
  local name=$1 secs=$2; shift 2
  timeout -s INT -k 5 "$secs" "$bpfd" remote --lib "$lib" --remote process -- "$@" \
    >"$tmp/$name" 2>"$tmp/$name.err" &
  local pid=$! i
  for ((i = 0; i < secs * 5; i++)); do sleep 0.2; cat "$marker" 2>/dev/null; /bin/true; done
  wait "$pid"
}
: >"$marker"
remote_run opensnoop 6 /usr/sbin/opensnoop -n cat
check "opensnoop: header and an event for $marker (exit $?)" \
  eval "head -1 '$tmp/opensnoop' | grep -q 'PID.*COMM.*FD.*ERR.*PATH' && grep -q ' cat .*marker-$$' '$tmp/opensnoop'"
remote_run execsnoop 6 /usr/sbin/execsnoop -n true
check "execsnoop: header and an exec of /bin/true" \
  eval "head -1 '$tmp/execsnoop' | grep -q 'PCOMM.*PID.*PPID.*RET.*ARGS' && grep -q '^true .*/bin/true' '$tmp/execsnoop'"
remote_run softirqs 8 /usr/sbin/softirqs 2 1
check "softirqs: its .bss table, read after sleep, has a row with non-zero time" \
  eval "grep -q 'SOFTIRQ.*TOTAL_usecs' '$tmp/softirqs' && awk '\$1 ~ /^[a-z_]+\$/ && \$2 > 0 {ok=1} END {exit !ok}' '$tmp/softirqs'"
for t in opensnoop execsnoop softirqs; do
  grep -q "re-mmap\|failed to" "$tmp/$t.err" && { echo "--- $t stderr"; cat "$tmp/$t.err"; }
done
settled() { local i; for i in $(seq 30); do [[ $(progs) -le $before ]] && return 0; sleep 0.1; done; return 1; }
check "no program of the tools left on the target" settled
finish
