#!/bin/bash
# Issue 15: Debian's bpftrace on this host through `bpfd remote --remote unix:<guest socket>`
# against a qemu-system guest (run_guest.sh) with kprobes: the tutorial's one-liners
# (tests/lib/bpftrace_lib.sh) print their "Attaching N probes..." line and their maps,
# histograms, symbolized stacks and printf lines from the guest's activity (init's "exec"
# load). Reads of pt_regs (retval, argN) are compiled for this host's x86_64 layout: on an
# x86_64 guest they run; on another machine they must be refused with bpfd-remote's one line,
# never print wrong numbers. Nothing may be left in the guest afterwards.
# Usage: bpftrace_remote_guest_test.sh ARCH HOST_BPFD LIBBPFD_REMOTE GUEST_BPFD GUEST_INIT
set -u
for f in sh_testing bpftrace_lib guest_suite; do source "$(dirname "$0")/../lib/$f.sh"; done  # runfiles or tree
usage="usage: bpftrace_remote_guest_test.sh ARCH HOST_BPFD LIBBPFD_REMOTE GUEST_BPFD GUEST_INIT"
arch=${1:?$usage} host=$(realpath "${2:?$usage}") so=$(realpath "${3:?$usage}")

if [[ -z ${GUEST_SOCK:-} ]]; then  # on the host: boot, then run this script inside
  why=""
  [[ $EUID == 0 ]] || why="needs root (bpftrace refuses to start as a user)"
  command -v bpftrace >/dev/null || why="bpftrace missing: run tools/setup"
  guest_outer bpftrace "$why" "$arch" "$host" "$4" "$5" "$0" "$@"
fi

# --- in run_guest.sh's COMMAND: the guest is up --------------------------------------------
tmp=$(mktemp -d "${TEST_TMPDIR:-/tmp}/btg.XXXXXX")
remote=("$host" remote --lib "$so" --remote "unix:$GUEST_SOCK" --)
machine=$("${remote[@]}" uname -m)
# load: the init's exec load (fork, open, exec), renewed when the last one (60 s at most) ends.
load_until=0
load() {
  ((SECONDS < load_until)) && return
  local r; r=$(python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(30)
s.sendall(b"exec 10 60000\n"); print(s.makefile().readline().strip())' "$GUEST_CTL")
  check "guest $arch: the init's exec load started ($r)" eval "[[ '$r' =~ ^exec\ [0-9]+$ ]]"
  load_until=$((SECONDS + 55))
}

# one NAME PROGRAM DATA: through bpfd remote, "Attaching" then DATA lines, exit 0.
one() {
  load
  local start; start=$(date +%s%N)
  bt_run "$tmp/out" 60 "${remote[@]}" bpftrace -e "$2"
  local n; n=$(grep -cE "$3" "$tmp/out") ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "--- $1 (exit $rc, ${ms} ms)"; head -8 "$tmp/out"; grep -v RLIMIT_MEMLOCK "$tmp/out.err" | head -3
  check "guest $arch: $1: 'Attaching' and $n data lines, exit $rc" \
    eval "grep -qE '^Attaching [0-9]+ probes?' '$tmp/out' && ((n > 0)) && [[ $rc == 0 ]]"
}

for c in "${BT_TRACEPOINT_CASES[@]}" "${BT_KPROBE_CASES[@]}"; do
  IFS='|' read -r name prog data <<<"$c"
  one "$name" "$prog" "$data"
done
for c in "${BT_REGS_CASES[@]}"; do
  IFS='|' read -r name prog data <<<"$c"
  if [[ $machine == "$(uname -m)" ]]; then
    one "$name" "$prog" "$data"
  else  # compiled for this host's pt_regs: refused, in one clear line, before anything ran
    load
    bt_run "$tmp/out" 60 "${remote[@]}" bpftrace -e "$prog"
    echo "--- $name on $machine (exit $rc)"; cat "$tmp/out" "$tmp/out.err" | grep -v RLIMIT_MEMLOCK | head -5
    check "guest $arch: $name: refused with bpfd-remote's line naming tracepoints/kfunc, no data, exit $rc" \
      eval "((rc != 0)) && grep -q '^bpfd-remote: refused a kprobe/uprobe program .*x86_64.*$machine.*tracepoint' '$tmp/out.err' && ! grep -qE '$data' '$tmp/out'"
  fi
done
# kfunc (fentry: BTF-typed, arch-neutral) where the target's kernel can attach it: x86_64 6.1
# can; arm64 gained the ftrace direct calls fentry needs only in 6.4.
load
bt_run "$tmp/out" 60 "${remote[@]}" bpftrace -e "kfunc:vfs_read { @[comm] = count(); } $END"
echo "--- kfunc:vfs_read (exit $rc)"; grep -v RLIMIT_MEMLOCK "$tmp/out" "$tmp/out.err" | head -4
if [[ $machine == x86_64 ]]; then
  check "guest $arch: kfunc:vfs_read (fentry, BTF from the guest) counts by comm, exit $rc" \
    eval "grep -qE '^@\\[.+\\]: [0-9]+$' '$tmp/out' && [[ $rc == 0 ]]"
else
  skip "guest $arch: kfunc:vfs_read" "this $machine kernel cannot attach fentry (exit $rc: $(grep -v RLIMIT_MEMLOCK "$tmp/out.err" | grep -m1 ERROR))"
fi
guest_nothing_left "$arch" "${remote[@]}"
rm -rf "$tmp"
finish
