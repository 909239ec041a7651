#!/usr/bin/env bash
# bench/run_startup.sh [RUNS]: `bpfd run` (issue 17) against the ways its peers reach a kernel,
# on this machine's kernel, in one run:
#   - bpfd run hardirqs (an object bpfd ships, loaded by the daemon's libbpf), in-process and
#     through a daemon over a pipe and over the adb link (bench/linkemu);
#   - BCC's hardirqs-bpfcc through bpfd remote (compiles C against kernel headers at start-up);
#   - Debian's libbpf-tools hardirqs through bpfd remote, and natively (the limit: in-process
#     libbpf, no protocol);
#   - bpfd run biosnoop (CO-RE) in-process and over a pipe, and biotop and filetop in-process
#     and over adb (BCC's and libbpf-tools' versions of these three attach kprobes, which this
#     kernel lacks).
# Start-up: ms from exec to the line that says tracing began ("Tracing ...", or bpfd run's
# "... attached"), median(min-max) of RUNS. Bytes: both directions through linkemu --stats on
# the adb profile. Then the size of what the target needs: one bpfd file against one
# libbpf-tools binary per tool (dynamically linked to libbpf, libelf and zlib).
# Needs root and tools/setup (BCC, libbpf-tools, kernel headers). Builds what it runs.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
bazel build --config=x86_64 //cmd:bpfd //cmd:bpfd_stripped //cmd:libbpfd-remote.so //bench:linkemu \
  >/dev/null 2>&1 || { echo "run_startup: build failed" >&2; exit 1; }
out=$(bazel info --config=x86_64 bazel-bin 2>/dev/null)
tmp=$(mktemp -d /tmp/bpfd-runbench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cp "$out/cmd/bpfd" "$out/cmd/libbpfd-remote.so" "$out/bench/linkemu" "$tmp/"
bpfd=$tmp/bpfd lib=$tmp/libbpfd-remote.so
source tests/lib/bcc_headers.sh
bcc_headers "$tmp" || { echo "run_startup: no kernel headers for BCC: run tools/setup" >&2; exit 1; }
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing
export BPFD_REMOTE_CACHE=$tmp/store  # bpfd remote's host store: warm after the first run

source bench/startup_lib.sh  # started, median
# The adb link in front of the daemon, as one word for the variants' word lists.
printf '#!/bin/sh\nexec %s --stats --profile adb -- %s "$@"\n' "$tmp/linkemu" "$bpfd" >"$tmp/adb-bpfd"
chmod +x "$tmp/adb-bpfd"
adb="cmd:$tmp/adb-bpfd"

VARIANTS=(
  "bpfd run hardirqs, in-process|$bpfd run hardirqs"
  "bpfd run hardirqs, pipe|$bpfd run hardirqs --remote process"
  "bpfd run hardirqs, adb|$bpfd run hardirqs --remote $adb"
  "hardirqs-bpfcc via bpfd remote, pipe|$bpfd remote --lib $lib --remote process -- hardirqs-bpfcc"
  "hardirqs-bpfcc via bpfd remote, adb|$bpfd remote --lib $lib --remote $adb -- hardirqs-bpfcc"
  "libbpf-tools hardirqs via bpfd remote, pipe|$bpfd remote --lib $lib --remote process -- stdbuf -oL /usr/sbin/hardirqs"
  "libbpf-tools hardirqs via bpfd remote, adb|$bpfd remote --lib $lib --remote $adb -- stdbuf -oL /usr/sbin/hardirqs"
  "libbpf-tools hardirqs, native (limit)|stdbuf -oL /usr/sbin/hardirqs"
  "bpfd run biosnoop, in-process|$bpfd run biosnoop"
  "bpfd run biosnoop, pipe|$bpfd run biosnoop --remote process"
  "bpfd run biotop, in-process|$bpfd run biotop"
  "bpfd run biotop, adb|$bpfd run biotop --remote $adb"
  "bpfd run filetop, in-process|$bpfd run filetop"
  "bpfd run filetop, adb|$bpfd run filetop --remote $adb"
)
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs; $(uname -r); $runs runs each, interleaved"
declare -A times bytes
for ((r = 0; r < runs; r++)); do
  for v in "${VARIANTS[@]}"; do
    name=${v%%|*} cmd=${v#*|}
    # shellcheck disable=SC2086  # the command lines are word lists
    times[$name]+="$(started $cmd) "
    b=$(grep -oE 'linkemu: [0-9]+ bytes up, [0-9]+ down' "$tmp/last" | awk '{print $2 + $5}')
    [[ -n $b ]] && bytes[$name]=$b
  done
done
printf '%-44s %22s %12s\n' variant start-up_ms adb_bytes
for v in "${VARIANTS[@]}"; do
  name=${v%%|*}
  printf '%-44s %22s %12s\n' "$name" "$(tr ' ' '\n' <<<"${times[$name]}" | grep . | median)" "${bytes[$name]:--}"
done
echo
echo "What the target needs (bytes):"
printf '  %-40s %10s\n' "bpfd, stripped, static (every tool)" "$(stat -c %s "$out/cmd/bpfd_stripped/bpfd")"
for t in hardirqs biosnoop biotop filetop; do
  printf '  %-40s %10s\n' "libbpf-tools $t (dynamic)" "$(stat -c %s /usr/sbin/$t)"
done
deps=0
for l in $(ldd /usr/sbin/hardirqs | awk '/=>/ {print $3}' | grep -E 'libbpf|libelf|libz'); do deps=$((deps + $(stat -L -c %s "$l"))); done
printf '  %-40s %10s\n' "  + its libbpf, libelf, zlib (shared)" "$deps"
