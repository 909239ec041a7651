#!/usr/bin/env bash
# bench/selftest_bench.sh [BPFD] — how long `bpfd selftest` takes on this machine: wall time
# of 5 runs (each a fresh process doing every check), median reported, for docs/benchmarks.md.
# BPFD defaults to the x86_64 build (bazel build --config=x86_64 //cmd:bpfd); needs root.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bpfd="${1:-$ROOT/bazel-out/k8-fastbuildx86_64/bin/cmd/bpfd}"
[[ -x $bpfd ]] || { echo "selftest_bench: no bpfd at $bpfd; build it: bazel build --config=x86_64 //cmd:bpfd" >&2; exit 2; }
echo "machine: $(nproc) cores, $(uname -srm); date: $(date -u '+%F %H:%M') UTC; binary: $bpfd"
times=()
for i in 1 2 3 4 5; do
  t0=$(date +%s%N)
  rc=0
  "$bpfd" selftest >/dev/null 2>&1 || rc=$?
  t1=$(date +%s%N)
  [[ $rc -eq 0 ]] || echo "run $i: bpfd selftest exited $rc (timing it anyway)" >&2
  times+=($(( (t1 - t0) / 1000 )))
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "runs (ms): $(printf '%s\n' "${times[@]}" | awk '{printf "%.1f ", $1 / 1000}')"
awk -v us="${sorted[2]}" 'BEGIN{printf "bpfd selftest, median of 5: %.1f ms\n", us/1000}'
