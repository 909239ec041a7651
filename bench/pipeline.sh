#!/usr/bin/env bash
# bench/pipeline.sh [--limit BIN] BPFD [BPFD2] [REPEATS]: the daemon's pipelined throughput —
# one input of N BPF_UPDATE_ELEM then N BPF_LOOKUP_ELEM lines (N = 100 000, one hash map)
# piped into `BPFD` (and `BPFD2`: a build before a change, or another daemon such as BPFd 2017
# built from its public source outside this tree), and the same bpf() calls made in-process
# (BIN, default bazel-bin/bench/pipeline_limit: the limit), interleaved run by run. Prints each
# one's min / median / max wall time and µs per command, the ratios of the medians, and whether
# the two daemons' outputs are byte-identical. As root (bpf()). ≈ 2 s per run.
set -euo pipefail
usage="usage: bench/pipeline.sh [--limit BIN] BPFD [BPFD2] [REPEATS]"
limit=$(dirname "$0")/../bazel-bin/bench/pipeline_limit
[[ ${1:-} == --limit ]] && { limit=${2:?$usage}; shift 2; }
a=$(realpath "${1:?$usage}")
b=${2:+$(realpath "$2")}
repeats=${3:-10}
n=100000
[[ -x $limit ]] || { echo "pipeline: no limit binary $limit: bazel build --config=x86_64 //bench:pipeline_limit" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$n" >"$tmp/in" <<'PY'
import base64, struct, sys
n = int(sys.argv[1])
b64 = lambda b: base64.b64encode(b).decode()
print("BPF_CREATE_MAP 1 pipe 4 8 %d 0" % n)
for i in range(n):
    print("BPF_UPDATE_ELEM 3 %s 4 %s 8 0" % (b64(struct.pack("<I", i)), b64(struct.pack("<Q", i * 7))))
for i in range(n):
    print("BPF_LOOKUP_ELEM 3 %s 4 8" % b64(struct.pack("<I", i)))
print("exit")
PY
bins=("$a")
[[ -n $b ]] && bins+=("$b")
for ((r = 0; r < repeats; r++)); do
  echo "limit $("$limit" "$n")" >>"$tmp/times"
  for i in "${!bins[@]}"; do
    s=$(date +%s%N)
    "${bins[$i]}" <"$tmp/in" >"$tmp/out$i"
    e=$(date +%s%N)
    echo "$i $(((e - s) / 1000000))" >>"$tmp/times"
  done
done
# stats KEY NAME: "NAME: min / median / max" line; the median is left in $tmp/median.KEY.
stats() {
  sort -n <(awk -v k="$1" '$1 == k {print $2}' "$tmp/times") | awk -v name="$2" -v cmds=$((2 * n)) '
    {t[NR] = $1} END {
      med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
      printf "%s: %d runs, min %d ms, median %d ms, max %d ms; %.2f us per command (median)\n",
             name, NR, t[1], med, t[NR], med * 1000 / cmds
      print med > "/dev/stderr" }' 2>"$tmp/median.$1"
}
stats limit "in-process libbpf (the limit)"
for i in "${!bins[@]}"; do stats "$i" "${bins[$i]}"; done
ratio() { awk -v x="$(cat "$tmp/median.$1")" -v y="$(cat "$tmp/median.$2")" 'BEGIN {printf "%.2f", x / y}'; }
echo "ratio: $(basename "$a") / limit = $(ratio 0 limit)"
grep -q 'bpf_update_elem: ret=0' "$tmp/out0" || { echo "pipeline: $a did not update the map" >&2; exit 1; }
if [[ -n $b ]]; then
  echo "ratio: $(basename "$a") / $b = $(ratio 0 1)"
  cmp -s "$tmp/out0" "$tmp/out1" && echo "outputs: byte-identical ($(wc -c <"$tmp/out0") bytes)" ||
    echo "outputs: DIFFER ($(wc -c <"$tmp/out0") and $(wc -c <"$tmp/out1") bytes)"
fi
