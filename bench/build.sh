#!/usr/bin/env bash
# bench/build.sh — build-time and size figures for docs/benchmarks.md.
#   bench/build.sh          warm rebuild after editing one core/ file (per arch) and the
#                           stripped release sizes
#   bench/build.sh --cold   additionally: a cold tools/test in a fresh clone with an empty
#                           cache (zig's libc++ builds, Bazel output base, distdir, npm)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -srm); date: $(date -u +%F)"

if [[ ${1:-} == --cold ]]; then
  tmp="$(mktemp -d)"
  git clone -q "$ROOT" "$tmp/src"
  t0=$(date +%s.%N)
  (cd "$tmp/src" && BPFD_CACHE="$tmp/cache" tools/test >"$tmp/test.log" 2>&1) || true
  t1=$(date +%s.%N)
  echo "cold tools/test (fresh clone, empty cache): $(awk "BEGIN{printf \"%.0f\", $t1 - $t0}") s; $(tail -1 "$tmp/test.log")"
  (cd "$tmp/src" && bazel shutdown >/dev/null 2>&1 || true)
  rm -rf "$tmp"
fi

tools/setup
probe=cmd/version.cc
cp "$probe" "$probe.bench-orig"
trap 'mv "$probe.bench-orig" "$probe"' EXIT
for arch in x86_64 aarch64 armv7; do
  bazel build --config="$arch" //cmd:bpfd >/dev/null 2>&1
  echo "// bench $(date +%s%N)" >>"$probe"
  t0=$(date +%s.%N)
  bazel build --config="$arch" //cmd:bpfd >/dev/null 2>&1
  t1=$(date +%s.%N)
  awk "BEGIN{printf \"warm rebuild after editing $probe ($arch): %.1f s\\n\", $t1 - $t0}"
done
mv "$probe.bench-orig" "$probe"; trap - EXIT
bazel build //:release >/dev/null 2>&1
for f in bazel-bin/release/bpfd-*; do
  n=$(stat -L -c %s "$f")
  awk "BEGIN{printf \"stripped size ${f##*/}: $n bytes (%.2f MiB)\\n\", $n / 1048576}"
done
