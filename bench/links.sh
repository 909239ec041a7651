#!/usr/bin/env bash
# bench/links.sh [RUNS]: bpfd over emulated links (bench/linkemu in front of the daemon, as
# `--remote "cmd:linkemu --profile P -- bpfd"`; this kernel has no netem) against a local pipe
# (`--remote process`), on this machine's kernel:
#   adb  1 ms round trip, 35 Mbit/s   (adb over USB)
#   lan  5 ms, 100 Mbit/s             (ssh on a LAN)
#   wan  40 ms, 20 Mbit/s             (ssh across networks)
# Part 1, per tool through `bpfd remote`: start-up to its first output line (median of RUNS),
# round trips and bytes received, for a first run (empty host store: BPFD_REMOTE_CACHE) and a
# cached run. Part 2 (LINKS_TOOLS names it "protocol"): protocol_bench --quick through each
# link but wan: a 100 000-entry map dump (the work of `bpf-mapdump`) and perf samples per second
# delivered, flat out and paced at 100 000/s (emitted = received + lost). Over links, replies
# are deflated (COMPRESS deflate); the *-plain profiles turn that off (BPFD_DEFLATE=0).
# Needs root and tools/setup (BCC, bpftrace, kernel headers). Builds what it runs.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
bazel build --config=x86_64 //cmd:bpfd //cmd:libbpfd-remote.so //bench:linkemu //bench:protocol_bench \
  >/dev/null 2>&1 || { echo "links: build failed" >&2; exit 1; }
out=$(bazel info --config=x86_64 bazel-bin 2>/dev/null)
tmp=$(mktemp -d /tmp/bpfd-links.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cp "$out/cmd/bpfd" "$out/cmd/libbpfd-remote.so" "$out/bench/linkemu" "$out/bench/protocol_bench" "$tmp/"
bpfd=$tmp/bpfd lib=$tmp/libbpfd-remote.so
source tests/lib/bcc_headers.sh
bcc_headers "$tmp" || { echo "links: no kernel headers for BCC: run tools/setup" >&2; exit 1; }
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing
# LINKS_PROFILES / LINKS_TOOLS (space-separated names) pick rows. wan-plain is wan with
# BPFD_DEFLATE=0: replies as a daemon before COMPRESS sent them.
read -r -a PROFILES <<<"${LINKS_PROFILES:-pipe adb lan wan}"
spec() { [[ $1 == pipe ]] && echo process || echo "cmd:$tmp/linkemu --profile ${1%-plain} -- $bpfd"; }
deflate() { [[ $1 == *-plain ]] && echo 0 || echo ""; }  # BPFD_DEFLATE for profile $1

# first_line STORE CMD...: ms to CMD's first stdout line through bpfd remote (SIGINT 2 s later,
# like Ctrl-C, unless it ended), with the host store STORE; its traffic line in $tmp/stats.
first_line() {
  local store=$1; shift
  [[ -n ${BPFD_DEFLATE:-} ]] && export BPFD_DEFLATE || unset BPFD_DEFLATE
  PYTHONUNBUFFERED=1 BPFD_REMOTE_CACHE=$store BPFD_REMOTE_STATS=1 python3 - "$tmp/stats" "$@" <<'PY'
import os, signal, subprocess, sys, time
stats, cmd = sys.argv[1], sys.argv[2:]
t0 = time.monotonic()
with open(stats, "w") as err:
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, start_new_session=True)
    line = p.stdout.readline()
    ms = (time.monotonic() - t0) * 1000
    try:  # let it reach its loop (a Ctrl-C before that kills it before it prints its traffic)
        p.communicate(timeout=2)
    except subprocess.TimeoutExpired: pass
    for sig in (signal.SIGINT, signal.SIGINT, signal.SIGKILL):  # BCC may swallow one Ctrl-C
        try: os.killpg(p.pid, sig)
        except ProcessLookupError: pass
        try: p.communicate(timeout=10); break
        except subprocess.TimeoutExpired: pass
print("%.0f" % ms if line else "-1")
PY
}
# median: "MEDIAN(MIN-MAX)" of the numbers on stdin (the machine is noisy: the spread counts).
median() { sort -n | awk '{v[NR] = $1} END {printf "%s(%s-%s)\n", v[int((NR + 1) / 2)], v[1], v[NR]}'; }

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs; $(uname -r); $runs runs each"
echo
echo "Part 1: start-up to the first output line (ms, median), round trips, bytes received"
printf '%-10s %-5s %17s %6s %10s %17s %6s %10s\n' tool link first_ms trips bytes cached_ms trips bytes
# BCC's opensnoop and execsnoop, and funccount 'vfs_*', attach kprobes, which this kernel lacks:
# Debian's libbpf-tools opensnoop and execsnoop (tracepoints; stdbuf: their first line at
# once) and funccount on syscall tracepoints stand in.
TOOLS=(
  "hardirqs|hardirqs-bpfcc 1 1"
  "opensnoop|stdbuf -oL /usr/sbin/opensnoop"
  "execsnoop|stdbuf -oL /usr/sbin/execsnoop"
  "funccount|funccount-bpfcc -d 1 t:syscalls:sys_enter_open*"
  "tplist|tplist-bpfcc"
  "bpftrace|bpftrace -e tracepoint:raw_syscalls:sys_enter{@[comm]=count();}interval:s:1{exit();}"
)
set -f  # the tools' patterns (t:syscalls:sys_enter_open*) are theirs, not the shell's
for t in "${TOOLS[@]}"; do
  name=${t%%|*} cmd=${t#*|}
  [[ -n ${LINKS_TOOLS:-} && " $LINKS_TOOLS " != *" $name "* ]] && continue
  for p in "${PROFILES[@]}"; do
    BPFD_DEFLATE=$(deflate "$p")
    row=()
    for kind in first cached; do
      times=()
      for ((r = 0; r < runs; r++)); do
        store=$tmp/store-$name-$p
        [[ $kind == first ]] && rm -rf "$store"
        # shellcheck disable=SC2086
        times+=("$(first_line "$store" "$bpfd" remote --lib "$lib" --remote "$(spec $p)" -- $cmd)")
      done
      read -r trips bytes < <(sed -n 's/^bpfd-remote: \([0-9]*\) round trips, [0-9]* bytes sent, \([0-9]*\) received/\1 \2/p' "$tmp/stats")
      row+=("$(printf '%s\n' "${times[@]}" | median)" "${trips:-?}" "${bytes:-?}")
    done
    printf '%-10s %-5s %17s %6s %10s %17s %6s %10s\n' "$name" "$p" "${row[@]}"
  done
done

echo
echo "Part 2: protocol_bench --quick through each link (c: a 100 000-entry dump; d: perf samples)"
[[ -n ${LINKS_TOOLS:-} && " $LINKS_TOOLS " != *" protocol "* ]] && exit 0
for p in pipe adb adb-plain lan; do  # wan: 20 000 lookups at 40 ms each would take 13 minutes
  echo "--- $p"
  BPFD_DEFLATE=$(deflate "$p")
  [[ -n ${BPFD_DEFLATE:-} ]] && export BPFD_DEFLATE || unset BPFD_DEFLATE
  if [[ $p == pipe ]]; then "$tmp/protocol_bench" "$bpfd" --quick --paced-rate 100000
  else "$tmp/protocol_bench" "$bpfd" --quick --paced-rate 100000 --remote "$(spec $p)"; fi 2>&1 |
    grep -E '^(b\. BPF_LOOKUP_ELEM round trip \(|c\. dump  100000|d\. )'
done
