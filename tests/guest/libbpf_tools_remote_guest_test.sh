#!/bin/bash
# Issue 15: Debian's libbpf-tools (CO-RE binaries built for x86_64) on this host through
# `bpfd remote --remote unix:<guest socket>` against an x86_64 qemu-system guest
# (run_guest.sh): BTF is read from the guest's /sys/kernel/btf/vmlinux, global data is kept in
# mapped array maps, events come through the guest's perf and ring buffers, and probes attach
# in the guest (tracepoints, tp_btf, and kprobes or fentry). Each tool must print its header
# and data of the activity the guest's init makes on request ("exec": fork, open /init, exec
# /bpfd; "disk": I/O on /dev/vda); nothing may be left in the guest afterwards.
# Usage: libbpf_tools_remote_guest_test.sh GUEST HOST_BPFD LIBBPFD_REMOTE GUEST_BPFD GUEST_INIT
set -u
for f in sh_testing bpftrace_lib guest_suite; do source "$(dirname "$0")/../lib/$f.sh"; done  # runfiles or tree
usage="usage: libbpf_tools_remote_guest_test.sh GUEST HOST_BPFD LIBBPFD_REMOTE GUEST_BPFD GUEST_INIT"
guest=${1:?$usage} host=$(realpath "${2:?$usage}") so=$(realpath "${3:?$usage}")
TOOLS=(opensnoop execsnoop biolatency biopattern hardirqs runqlat vfsstat)

if [[ -z ${GUEST_SOCK:-} ]]; then  # on the host: boot, then run this script inside
  why=""
  [[ $EUID == 0 ]] || why="needs root (libbpf-tools refuse to start as a user)"
  [[ $(uname -m) == x86_64 ]] || why="Debian's libbpf-tools here are $(uname -m), the guest is x86_64"
  for t in "${TOOLS[@]}"; do [[ -x /usr/sbin/$t ]] || why="$t missing: run tools/setup (libbpf-tools)"; done
  guest_outer libbpf-tools "$why" "$guest" "$host" "$4" "$5" "$0" "$@"
fi

# --- in run_guest.sh's COMMAND: the guest is up --------------------------------------------
tmp=$(mktemp -d "${TEST_TMPDIR:-/tmp}/lbg.XXXXXX")
remote=("$host" remote --lib "$so" --remote "unix:$GUEST_SOCK" --)
ctl() {  # one line to the init's control port ("KIND RATE MS"), checked to have started
  local r; r=$(python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(30)
s.sendall(sys.argv[2].encode() + b"\n"); print(s.makefile().readline().strip())' "$GUEST_CTL" "$1")
  check "guest $guest: the init's '$1' load started ($r)" eval "[[ '$r' =~ ^${1%% *}\ [0-9]+$ ]]"
}

# one NAME SECS HEADER DATA ARGS...: the tool through bpfd remote under the current load, SIGINT
# after SECS unless it ends first; its HEADER line (an ERE) and a DATA line, no libbpf error.
one() {
  local name=$1 secs=$2 header=$3 data=$4; shift 4
  local start; start=$(date +%s%N)
  bt_run "$tmp/$name" "$secs" "${remote[@]}" "/usr/sbin/$name" "$@"
  local ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "--- $name $* (exit $rc, ${ms} ms)"; head -6 "$tmp/$name"; grep -v RLIMIT_MEMLOCK "$tmp/$name.err" | head -4
  check "guest $guest: $name: header /$header/ and a data line /$data/" \
    eval "grep -qE '$header' '$tmp/$name' && grep -qE '$data' '$tmp/$name' && ! grep -q 'libbpf: failed' '$tmp/$name.err'"
}

ctl "exec 20 60000"
# opensnoop: the load's children (comm "init") open /init; execsnoop: they exec /bpfd.
one opensnoop 8 '^PID +COMM +FD +ERR +PATH' '^[0-9]+ +init +[0-9]+ +0 +/init$' -n init
one execsnoop 8 '^PCOMM +PID +PPID +RET +ARGS' '^bpfd +[0-9]+ +[0-9]+ +0 +/bpfd --version' -n bpfd
# runqlat (tp_btf on sched_wakeup/switch) and hardirqs: histograms and tables from their maps.
one runqlat 15 'usecs +: count +distribution' '^ +[0-9]+ -> [0-9]+ +: [1-9][0-9]* +\|\*' 1 1
one hardirqs 15 '^HARDIRQ +TOTAL_usecs' '^ *[a-z0-9_.-]+ +[1-9][0-9]*$' 1 1
# vfsstat: fentry where the kernel has it, kprobes where not; both attach in the guest.
one vfsstat 15 '^TIME +READ/s +WRITE/s' '^[0-9:]+: +[0-9]+ +[0-9]+ +[0-9]+ +[1-9][0-9]*' 1 2
ctl "disk 50 60000"
if [[ $("${remote[@]}" uname -r) == 5.* ]]; then  # 0.26's biolatency wants 5.11's block_rq_issue(rq)
  one biopattern 15 '^DISK +%RND +%SEQ +COUNT +KBYTES' '^vda +[0-9]+ +[0-9]+ +[1-9][0-9]* +[0-9]+' 1 1
else
  one biolatency 15 'usecs +: count +distribution' '^ +[0-9]+ -> [0-9]+ +: [1-9][0-9]* +\|\*' 1 1
fi

guest_nothing_left "$guest" "${remote[@]}"
rm -rf "$tmp"
finish
