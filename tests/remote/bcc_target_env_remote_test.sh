#!/bin/bash
# Issue 15: what BCC tools learn of the target besides bpf(), through `bpfd remote` here:
# - its syscall table: BCC runs `ausyscall --dump`; the launcher puts bpfd's applet first on
#   the tool's PATH, for the target's machine, and removes it when the tool ends;
# - its tracefs when only /sys/kernel/tracing is mounted and there is no debugfs (Android 11+):
#   BCC 0.26's hard-wired /sys/kernel/debug/tracing reaches it (tplist, and syscount's
#   tracepoint format and id), where a local run fails;
# - its RLIMIT_MEMLOCK: getrlimit/setrlimit read and set the daemon's, not the host's;
# - BCC's Table.clear(), which deletes each key while iterating, on a map the target keeps
#   filling: one delete per key it had (forwarded one by one, each delete sent the kernel's
#   iteration back to the first key, which the daemon's own syscalls re-create);
# - which processes hold BPF objects (bpflist reads every /proc/PID/fd link; the daemon shows a
#   link's text only where it names an anon inode, and refuses the rest without a line).
# $1 is bpfd, $2 the expected architecture.
set -u
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/bcc_headers.sh"
bpfd=$(realpath "$1") arch=$2
lib=$(dirname "$bpfd")/libbpfd-remote.so
tmp=$(mktemp -d /tmp/bpfd-env.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

if [[ $arch != x86_64 ]]; then
  skip "BCC's view of the target through bpfd remote" "the host's bpfcc-tools are x86_64 and bpf() is ENOSYS under qemu-user ($arch)"
  finish; exit
fi
if [[ $EUID != 0 ]]; then skip "BCC's view of the target through bpfd remote" "needs root (bpf(), mount namespaces)"; finish; exit; fi
for t in tplist-bpfcc syscount-bpfcc bpflist-bpfcc unshare prlimit; do
  command -v $t >/dev/null || { skip "BCC's view of the target through bpfd remote" "$t missing: run tools/setup"; finish; exit; }
done
remote=("$bpfd" remote --lib "$lib" --remote process --)

# --- ausyscall
out=$("${remote[@]}" sh -c 'echo "$BPFD_TARGET_MACHINE"; a=$(command -v ausyscall); echo "$a"; readlink "$a"; ausyscall --dump | sed -n "1p;/\topenat$/p"')
echo "$out"
applet=$(sed -n 2p <<<"$out")
check "the tool sees BPFD_TARGET_MACHINE=$(uname -m)" test "$(sed -n 1p <<<"$out")" = "$(uname -m)"
check "ausyscall on its PATH is bpfd's applet ($applet)" test "$(sed -n 3p <<<"$out")" = "$bpfd"
check "ausyscall --dump prints the target's table" \
  test "$(sed -n '4,5p' <<<"$out")" = "$(printf 'Using x86_64 syscall table:\n257\topenat')"
check "the applet directory is gone after the tool" test ! -e "$(dirname "$applet")"

# --- tracefs only at /sys/kernel/tracing: debugfs hidden under a tmpfs in a mount namespace
no_debugfs() {
  unshare -m --propagation private bash -c '
    mount -t tmpfs none /sys/kernel/debug || exit 97
    mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing || exit 97
    exec "$@"' _ "$@"
}
nons=$(mount_ns_unavailable)
if [[ -n $nons ]]; then
  skip "BCC through bpfd remote with debugfs hidden (tplist, syscount)" "$nons"
else
  no_debugfs tplist-bpfcc >"$tmp/local.out" 2>&1; rc=$?
  check "the namespace hides debugfs: a local tplist lists nothing ($(head -c 100 "$tmp/local.out"))" \
    bash -c '[[ $1 != 97 ]] && grep -q "No such file.*/sys/kernel/debug/tracing" "$2" && ! grep -q "^sched:" "$2"' _ "$rc" "$tmp/local.out"
  no_debugfs "${remote[@]}" tplist-bpfcc >"$tmp/tplist.out" 2>"$tmp/tplist.err"; rc=$?
  check "tplist through bpfd remote lists the target's events (exit $rc, $(wc -l <"$tmp/tplist.out") events)" \
    bash -c '[[ $1 == 0 ]] && grep -qx "sched:sched_switch" "$2" && grep -qx "raw_syscalls:sys_enter" "$2"' _ "$rc" "$tmp/tplist.out"
  no_debugfs "${remote[@]}" tplist-bpfcc -v sched:sched_process_exec >"$tmp/tplist-v.out" 2>&1
  check "tplist -v reads an event's format there" grep -q "pid_t pid;" "$tmp/tplist-v.out"
  if bcc_headers "$tmp"; then
    PYTHONUNBUFFERED=1 no_debugfs "${remote[@]}" syscount-bpfcc -d 2 >"$tmp/syscount.out" 2>"$tmp/syscount.err"; rc=$?
    check "syscount's tracepoint attaches there and its table names syscalls (exit $rc)" \
      bash -c '[[ $1 == 0 ]] && grep -q "^SYSCALL  *COUNT$" "$2" && grep -qE "^(read|openat|close|futex|write|newfstatat|mmap|ioctl|bpf|poll|ppoll) +[0-9]+$" "$2"' _ "$rc" "$tmp/syscount.out"
    [[ $rc == 0 ]] || head -5 "$tmp/syscount.out" "$tmp/syscount.err"
  else
    skip "syscount without debugfs" "no kernel headers for BCC: run tools/setup (linux-headers-amd64)"
  fi
fi
for f in tplist tplist-v; do [[ -s $tmp/$f.err ]] && { echo "--- $f stderr"; head -3 "$tmp/$f.err"; }; done

# --- RLIMIT_MEMLOCK: the daemon starts at 64 KiB soft, 1 MiB hard and raises its own (to the
# hard limit, or unlimited with CAP_SYS_RESOURCE); the tool reads and sets that one.
py='import resource as r
print(*r.getrlimit(r.RLIMIT_MEMLOCK))
r.setrlimit(r.RLIMIT_MEMLOCK, (1 << 18, 1 << 20))
print(*r.getrlimit(r.RLIMIT_MEMLOCK))'
here=$(python3 -c "$py" 2>&1 | head -1)
out=$("$bpfd" remote --lib "$lib" --remote "cmd:prlimit --memlock=65536:1048576 $bpfd" -- python3 -c "$py" 2>&1)
echo "memlock here: $here; through bpfd remote: $(tr '\n' '/' <<<"$out")"
check "getrlimit(RLIMIT_MEMLOCK) is the daemon's raised limit, not the host's ($here)" \
  bash -c '[[ $1 != "$2" && ($1 == "1048576 1048576" || $1 == "-1 -1") ]]' _ "$(sed -n 1p <<<"$out")" "$here"
check "setrlimit(RLIMIT_MEMLOCK) sets the daemon's" test "$(sed -n 2p <<<"$out")" = "262144 1048576"

# --- clear() of a map the target keeps filling (every syscall, the daemon's included)
if bcc_headers "$tmp"; then
  out=$("${remote[@]}" /usr/bin/python3 "$(dirname "$0")/bcc_clear.py" 20 2>"$tmp/clear.err"); rc=$?
  read -r _ keys _ deletes _ secs <<<"$out"
  echo "clear(): ${out:-nothing} (exit $rc)"; [[ $rc == 0 ]] || tail -3 "$tmp/clear.err"
  check "clear() ends with one delete per key it had, give or take new ones (${keys:-?} keys, ${deletes:-?} deletes)" \
    bash -c '[[ $1 == 0 && $2 -gt 0 && $3 -le $(($2 + 10)) ]]' _ "$rc" "${keys:-0}" "${deletes:-999999}"
else
  skip "clear() through bpfd remote" "no kernel headers for BCC: run tools/setup (linux-headers-amd64)"
fi

# --- bpflist: a process holding one BPF map (created with bpf(2) itself)
hold='import ctypes, struct, sys, time
attr = ctypes.create_string_buffer(struct.pack("IIII", 2, 4, 4, 1), 128)  # an array map
print(ctypes.CDLL(None).syscall(321, 0, attr, 128), flush=True)  # x86_64 bpf(BPF_MAP_CREATE)
time.sleep(60)'
python3 -c "$hold" >"$tmp/hold.out" & hpid=$!
for _ in $(seq 50); do [[ -s $tmp/hold.out ]] && break; sleep 0.1; done
"${remote[@]}" bpflist-bpfcc >"$tmp/bpflist.out" 2>&1; rc=$?
kill "$hpid"; wait "$hpid" 2>/dev/null
cat "$tmp/bpflist.out"
check "bpflist through bpfd remote names the process holding a map (pid $hpid, fd $(cat "$tmp/hold.out"); exit $rc)" \
  bash -c '[[ $1 == 0 ]] && grep -qE "^$2 +python3 +map +1$" "$3" && ! grep -q "policy" "$3"' _ "$rc" "$hpid" "$tmp/bpflist.out"
finish
