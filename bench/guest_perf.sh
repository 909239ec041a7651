#!/usr/bin/env bash
# bench/guest_perf.sh [GUEST...] — perf samples per second inside each qemu-system guest
# (tests/guest; run tools/guest-setup first): boots the guest and runs protocol_bench's part d
# against its daemon, the 64-byte samples emitted by a getpid() load that the guest's init
# runs (--guest-load: PID 1 calls getpid() for the duration) and read through PERF_READER_POLL
# over the virtio-serial socket. GUEST: a tools/guest-setup id (aarch64, armv7, x86_64,
# aarch64-5.10, x86_64-5.10; default: the three 6.1 guests). ~20 s each.
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
archs=("$@"); ((${#archs[@]})) || archs=(aarch64 armv7 x86_64)
targets=(//bench:protocol_bench //cmd:bpfd)
for arch in "${archs[@]}"; do targets+=("//tests/guest:guest_bpfd_${arch%%-*}" "//tests/guest:guest_init_${arch%%-*}"); done
bazel build --config=x86_64 "${targets[@]}" >/dev/null 2>&1 || { echo "bazel build failed" >&2; exit 1; }
bin=$(bazel info --config=x86_64 bazel-bin 2>/dev/null)
echo "host: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(uname -srm); $(date -u '+%F %T UTC')"
export GUEST_HOST_BPFD=$bin/cmd/bpfd
rc=0
for arch in "${archs[@]}"; do
  dir=$(mktemp -d /tmp/bpfd-gperf.XXXXXX)  # short: unix socket paths
  echo "=== guest $arch ==="
  a=${arch%%-*}  # (the binaries are per architecture, the kernels per guest)
  # shellcheck disable=SC2016  # expanded by the command run_guest.sh starts
  tests/guest/run_guest.sh "$arch" "$bin/tests/guest/guest_bpfd_$a/bpfd-$a" \
    "$bin/tests/guest/guest_init_$a/init-$a" "$dir" bash -c \
    '"$0" "$1" --quick --remote "unix:$GUEST_SOCK" --guest-load "$GUEST_CTL"' \
    "$bin/bench/protocol_bench" "$GUEST_HOST_BPFD" 2>&1 | grep -E '^(d\. |guest |protocol_bench: )'
  ((PIPESTATUS[0] == 0)) || rc=1
  rm -rf "$dir"
done
exit $rc
