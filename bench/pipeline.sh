#!/usr/bin/env bash
# bench/pipeline.sh BPFD [BPFD2] [REPEATS]: the daemon's pipelined throughput — one input of
# N BPF_UPDATE_ELEM then N BPF_LOOKUP_ELEM lines (N = 100 000, one hash map) piped into
# `BPFD` (and `BPFD2`, interleaved run by run, e.g. a build before and after a change). Prints
# each binary's min / median / max wall time and µs per command, and whether the two outputs
# are byte-identical. As root (bpf()). ≈ 2 s per run.
set -euo pipefail
a=$(realpath "${1:?usage: bench/pipeline.sh BPFD [BPFD2] [REPEATS]}")
b=${2:+$(realpath "$2")}
repeats=${3:-10}
n=100000
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
  for i in "${!bins[@]}"; do
    s=$(date +%s%N)
    "${bins[$i]}" <"$tmp/in" >"$tmp/out$i"
    e=$(date +%s%N)
    echo "$i $(((e - s) / 1000000))" >>"$tmp/times"
  done
done
for i in "${!bins[@]}"; do
  sort -n <(awk -v i="$i" '$1 == i {print $2}' "$tmp/times") | awk -v name="${bins[$i]}" -v cmds=$((2 * n)) '
    {t[NR] = $1} END {
      med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
      printf "%s: %d runs, min %d ms, median %d ms, max %d ms; %.2f us per command (median)\n",
             name, NR, t[1], med, t[NR], med * 1000 / cmds }'
done
grep -q 'bpf_update_elem: ret=0' "$tmp/out0" || { echo "pipeline: $a did not update the map" >&2; exit 1; }
if [[ -n $b ]]; then
  cmp -s "$tmp/out0" "$tmp/out1" && echo "outputs: byte-identical ($(wc -c <"$tmp/out0") bytes)" ||
    echo "outputs: DIFFER"
fi
