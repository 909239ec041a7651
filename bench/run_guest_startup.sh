#!/usr/bin/env bash
# bench/run_guest_startup.sh [RUNS] [GUEST...]: start-up of `bpfd run biosnoop` against its
# peers on a kernel where they can attach, in one run per guest (issue 17): the qemu-system
# x86_64 guests of tools/guest-setup (default: x86_64-5.10, where BCC's and libbpf-tools'
# biosnoop attach, and x86_64, Debian's 6.1, where they cannot). Each variant reaches the
# guest's daemon over its virtio-serial socket:
#   - bpfd run biosnoop (CO-RE, loaded by the guest daemon's libbpf);
#   - BCC's biosnoop-bpfcc through bpfd remote (compiles on the host against the guest
#     kernel's headers, which tools/guest-setup fetched);
#   - Debian's libbpf-tools biosnoop through bpfd remote.
# Start-up: ms from exec to "... attached", BCC's "TIME(s)" header or "Tracing ...";
# median(min-max) of RUNS (default 3), interleaved; bpfd remote's host store is warm after a
# first, unreported run. The guests are TCG (no KVM here): compare ratios, not milliseconds.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}; shift || true
guests=("$@"); ((${#guests[@]})) || guests=(x86_64-5.10 x86_64)
home=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
if [[ -n ${GUEST_SOCK:-} ]]; then  # inside run_guest.sh's COMMAND: the guest is up
  tmp=$(mktemp -d /tmp/bpfd-rgs.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  source bench/startup_lib.sh
  export STARTED_RE='attached|Tracing|^TIME\(s\)' PYTHONUNBUFFERED=1 BPFD_REMOTE_CACHE=$tmp/store
  export BCC_KERNEL_SOURCE="${BPFD_CACHE:-$home/.cache/bpfd}/guest/$GUEST_ID/headers"
  remote="$BPFD_BIN remote --lib $BPFD_LIB --remote unix:$GUEST_SOCK --"
  VARIANTS=(
    "bpfd run biosnoop|$BPFD_BIN run biosnoop --remote unix:$GUEST_SOCK"
    "biosnoop-bpfcc through bpfd remote|$remote biosnoop-bpfcc"
    "libbpf-tools biosnoop through bpfd remote|$remote stdbuf -oL /usr/sbin/biosnoop"
  )
  declare -A times
  for v in "${VARIANTS[@]}"; do started ${v#*|} >/dev/null; done  # warms the host store
  for ((r = 0; r < runs; r++)); do
    for v in "${VARIANTS[@]}"; do
      # shellcheck disable=SC2086  # the command lines are word lists
      times[${v%%|*}]+="$(started ${v#*|}) "
      [[ $r == 0 ]] && { echo "--- ${v%%|*}:"; grep -m2 -E 'attached|Tracing|TIME|rror|fail' "$tmp/last" | cut -c1-150; }
    done
  done
  printf '%-44s %22s\n' variant start-up_ms
  for v in "${VARIANTS[@]}"; do
    printf '%-44s %22s\n' "${v%%|*}" "$(tr ' ' '\n' <<<"${times[${v%%|*}]}" | grep . | median)"
  done
  exit 0
fi
bazel build --config=x86_64 //cmd:bpfd //cmd:libbpfd-remote.so //tests/guest:guest_bpfd_x86_64 \
  //tests/guest:guest_init_x86_64 >/dev/null 2>&1 || { echo "build failed" >&2; exit 1; }
bin=$(bazel info --config=x86_64 bazel-bin 2>/dev/null)
echo "host: $(nproc) cpus, $(uname -srm); $(date -u '+%F %T UTC'); $runs runs each, interleaved"
export BPFD_BIN=$bin/cmd/bpfd BPFD_LIB=$bin/cmd/libbpfd-remote.so GUEST_HOST_BPFD=$bin/cmd/bpfd
rc=0
for g in "${guests[@]}"; do
  dir=$(mktemp -d /tmp/bpfd-rgs.XXXXXX)  # short: unix socket paths
  echo "=== guest $g ==="
  GUEST_ID=$g tests/guest/run_guest.sh "$g" "$bin/tests/guest/guest_bpfd_x86_64/bpfd-x86_64" \
    "$bin/tests/guest/guest_init_x86_64/init-x86_64" "$dir" "$(realpath "$0")" "$runs" || rc=1
  rm -rf "$dir"
done
exit $rc
