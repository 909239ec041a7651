# A suite that runs on the host against a qemu-system guest (tests/guest/run_guest.sh), for
# scripts that are both the test (outside the guest) and run_guest.sh's COMMAND (inside).

# guest_outer WHAT WHY GUEST HOST_BPFD GUEST_BPFD GUEST_INIT SCRIPT ARGS...: outside the guest,
# SKIP WHAT when WHY is set, else boot GUEST and run SCRIPT ARGS... inside it (GUEST_SOCK,
# GUEST_CTL set), and record whether it passed; a guest whose kernel or qemu is not cached is
# a SKIP. Then finish and exit.
guest_outer() {
  local what=$1 why=$2 guest=$3 host=$4 gbpfd=$5 ginit=$6 script=$7 dir rc
  shift 7
  if [[ -n $why ]]; then skip "$what in the $guest guest" "$why"; finish; exit; fi
  dir=$(mktemp -d /tmp/bpfd-guest.XXXXXX)  # short: unix socket paths
  GUEST_HOST_BPFD=$host "$(dirname "$(realpath "$script")")/run_guest.sh" "$guest" \
    "$(realpath "$gbpfd")" "$(realpath "$ginit")" "$dir/g" "$(realpath "$script")" "$@"
  rc=$?
  rm -rf "$dir"
  if [[ $rc == 3 ]]; then skip "$what in the $guest guest" "kernel or qemu not cached: run tools/guest-setup"
  else check "guest $guest boots and the $what suite passes (exit $rc; see above)" test "$rc" == 0; fi
  finish; exit
}

# guest_nothing_left GUEST REMOTE...: checks that no program and no kprobe event is left in the
# guest (REMOTE... runs a command through bpfd remote). The last session's end must reach the
# guest first, and the kernel frees programs shortly after their last fd closes: 10 tries.
guest_nothing_left() {
  local guest=$1 left
  shift
  for _ in $(seq 10); do
    sleep 1
    left=$("$@" bpftool prog list 2>&1; "$@" cat /sys/kernel/tracing/kprobe_events 2>&1)
    [[ -z $left ]] && break
  done
  [[ -z $left ]] || echo "left in the guest: $left"
  check "guest $guest: no program or kprobe event left in the guest" test -z "$left"
}
