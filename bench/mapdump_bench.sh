#!/usr/bin/env bash
# bench/mapdump_bench.sh BPFD [ENTRIES] — a hash map (8-byte keys, 40-byte values, ENTRIES
# entries, default 100000) dumped as JSON by `bpfd mapdump -j id ID` and by Debian's
# `bpftool map dump -j id ID`, same run, same map, output to /dev/null; best and median of 3
# runs each, wall clock and CPU time. Also checks both dumps hold the same entries. Needs root and bpftool.
set -euo pipefail
bin="$(realpath "${1:?usage: bench/mapdump_bench.sh path/to/bpfd [ENTRIES]}")"
n="${2:-100000}"
command -v bpftool >/dev/null || { echo "mapdump_bench: needs bpftool (apt-get install bpftool)" >&2; exit 1; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
tmp="$(mktemp -d)"
pin="/sys/fs/bpf/md_bench_$$"
trap 'rm -f "$pin"; rm -rf "$tmp"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -srm); date: $(date -u '+%F %H:%M') UTC"
bpftool map create "$pin" type hash key 8 value 40 entries "$n" name md_bench
python3 - "$pin" "$n" >"$tmp/fill" <<'PY'
import sys
pin, n = sys.argv[1], int(sys.argv[2])
for k in range(n):
    key = " ".join(str(b) for b in k.to_bytes(8, "little"))
    val = " ".join(str((k + i) & 0xff) for i in range(40))
    print(f"map update pinned {pin} key {key} value {val}")
PY
bpftool batch file "$tmp/fill" >/dev/null
id="$(bpftool map show pinned "$pin" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"

# Same entries both ways (and a sanity check that the map is full).
"$bin" mapdump -j id "$id" >"$tmp/ours.json"
bpftool map dump -j id "$id" >"$tmp/bpftool.json"
python3 - "$tmp/ours.json" "$tmp/bpftool.json" "$n" <<'PY'
import json, sys
o, b = (json.load(open(p)) for p in sys.argv[1:3])
key = lambda l: sorted((tuple(e["key"]), tuple(e["value"])) for e in l)
assert len(o) == int(sys.argv[3]), len(o)
assert key(o) == key(b), "bpfd mapdump and bpftool disagree"
print(f"entries: {len(o)}, both dumps identical")
PY

# Wall clock is at the mercy of other work on the machine; CPU time (user+sys) is not.
time3() {  # prints "best_wall median_wall best_cpu median_cpu" seconds of 3 runs of "$@"
  local walls=() cpus=()
  for _ in 1 2 3; do
    /usr/bin/time -o "$tmp/t" -f "%e %U %S" "$@" >/dev/null
    read -r e u s <"$tmp/t"
    walls+=("$e"); cpus+=("$(awk "BEGIN{print $u + $s}")")
  done
  local w c
  w=$(printf '%s\n' "${walls[@]}" | sort -g | awk 'NR==1{b=$1} NR==2{m=$1} END{printf "%.3f %.3f", b, m}')
  c=$(printf '%s\n' "${cpus[@]}" | sort -g | awk 'NR==1{b=$1} NR==2{m=$1} END{printf "%.3f %.3f", b, m}')
  echo "$w $c"
}
read -r ob om oc ocm < <(time3 "$bin" mapdump -j id "$id")
read -r bb bm bc bcm < <(time3 bpftool map dump -j id "$id")
read -r hb hm hc hcm < <(time3 "$bin" mapdump id "$id")
echo "bpfd mapdump -j id ID:      wall best ${ob} s median ${om} s; cpu best ${oc} s median ${ocm} s"
echo "bpftool map dump -j id ID:  wall best ${bb} s median ${bm} s; cpu best ${bc} s median ${bcm} s"
echo "ratio bpfd/bpftool: wall best $(awk "BEGIN{printf \"%.2f\", $ob / $bb}")x, median $(awk "BEGIN{printf \"%.2f\", $om / $bm}")x; cpu median $(awk "BEGIN{printf \"%.2f\", $ocm / $bcm}")x"
echo "bpfd mapdump id ID (hex lines): wall best ${hb} s median ${hm} s; cpu median ${hcm} s"
echo "JSON size: bpfd $(stat -c %s "$tmp/ours.json") B, bpftool $(stat -c %s "$tmp/bpftool.json") B"
