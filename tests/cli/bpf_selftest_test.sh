#!/bin/bash
# bpf-selftest on the real kernel ($1 = bpfd, possibly the stripped release binary; $2 = the
# expected architecture). Natively: exit 0, the required checks PASS, the kprobe line explains
# CONFIG_KPROBES when the kernel config says it is off, the uprobe check PASSes (also stripped),
# the JSON parses, and a daemon that ran SELFTEST holds no program, map, fd or probe event
# afterwards. Under qemu-user (bpf() is ENOSYS): it finishes, exits 1 and says why.
set -u
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"
bin=$(realpath "${1:?usage: bpf_selftest_test.sh BPFD ARCH}")
arch=${2:-$(uname -m)}
tmp=${TEST_TMPDIR:-$(mktemp -d)}

if grep -q bpfd_selftest_uprobe_target "$bin"; then echo "binary has symbols: $bin"
else echo "binary is stripped: $bin"; fi

# Usage and --help work everywhere.
"$bin" selftest --help >"$tmp/help" 2>&1; rc=$?
check "--help exits 0" test $rc -eq 0
for c in bpf-syscall map-create prog-load tracefs tracepoint kprobe uprobe ringbuf raw-tracepoint btf jit policy; do
  check "--help lists $c" grep -q " $c " "$tmp/help"
done
check "--help documents exit codes" grep -q "Exit codes: 0" "$tmp/help"
"$bin" selftest --bogus >/dev/null 2>"$tmp/usage_err"; rc=$?
check "unknown option exits 2" test $rc -eq 2
check "unknown option says what is wrong" grep -q "unknown option '--bogus'" "$tmp/usage_err"

# Runs the self-test; the output is in $out, the exit status in $rc.
timeout 60 "$bin" selftest >"$tmp/out" 2>"$tmp/err"; rc=$?
out=$(cat "$tmp/out")
echo "$out"
line() { grep -E "^(PASS|FAIL|SKIP) +$1 " "$tmp/out"; }
json_ok() {  # json_ok EXPECTED(True|False): the JSON parses and "ok" is EXPECTED
  timeout 60 "$bin" selftest --json >"$tmp/json" 2>/dev/null
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is (sys.argv[2] == "True"), d["ok"]
assert d["checks"] and all(set(c) >= {"name", "status", "reason"} for c in d["checks"])
assert all(c["status"] in ("PASS", "FAIL", "SKIP") for c in d["checks"])
assert [c["name"] for c in d["checks"]][:2] == ["kernel", "kconfig"]
' "$tmp/json" "$1"
}

check "the policy check says the session is restricted" \
  bash -c "grep -E '^PASS +policy ' '$tmp/out' | grep -q 'restricted: forwarding limited to tracing'"

if [ "$arch" != "$(uname -m)" ]; then
  # qemu-user: every bpf() is ENOSYS.
  check "qemu: exits 1" test $rc -eq 1
  check "qemu: bpf-syscall FAILs saying bpf() is not implemented" \
    bash -c "grep -E '^FAIL +bpf-syscall ' '$tmp/out' | grep -q 'bpf() is not implemented here'"
  check "qemu: the explanation names qemu-user and CONFIG_BPF_SYSCALL" \
    bash -c "grep -q 'qemu-user, or a kernel without CONFIG_BPF_SYSCALL' '$tmp/out'"
  for c in map-create prog-load kprobe uprobe ringbuf raw-tracepoint; do
    check "qemu: $c SKIPs as needing bpf()" bash -c "grep -E '^SKIP +$c ' '$tmp/out' | grep -q 'needs bpf()'"
  done
  check "qemu: summary says tracing does not work and why" \
    bash -c "tail -1 '$tmp/out' | grep -q '^bpf-selftest: tracing does not work here: bpf-syscall: bpf() is not implemented'"
  check "qemu: JSON parses, ok is false" json_ok False
  skip "real checks" "under qemu-user ($arch) bpf() is ENOSYS: no program can load or attach"
  finish; exit
fi

check "exits 0" test $rc -eq 0
timeout 60 "$bin" selftest --remote "cmd:$bin daemon --unrestricted" >"$tmp/unres" 2>&1
check "an --unrestricted daemon's policy check SKIPs saying so" \
  bash -c "grep -E '^SKIP +policy ' '$tmp/unres' | grep -q 'unrestricted (--unrestricted)'"
check "no stderr" test ! -s "$tmp/err"
for c in bpf-syscall map-create prog-load tracefs tracepoint; do
  check "required $c PASSes" bash -c "grep -qE '^PASS +$c ' '$tmp/out'"
done
check "tracepoint samples came back through the perf buffer" \
  bash -c "grep -E '^PASS +tracepoint ' '$tmp/out' | grep -q 'came back through the perf buffer'"
check "uprobe on this binary PASSes and fired" \
  bash -c "grep -E '^PASS +uprobe ' '$tmp/out' | grep -q 'the program ran'"
check "summary says tracing works" bash -c "tail -1 '$tmp/out' | grep -q '^bpf-selftest: tracing works'"

# The kprobe line must explain a kernel without kprobes by its config, not by an errno.
kconfig=""
if [ -r /proc/config.gz ]; then kconfig=$(zcat /proc/config.gz)
elif [ -r "/boot/config-$(uname -r)" ]; then kconfig=$(cat "/boot/config-$(uname -r)"); fi
if [ -z "$kconfig" ]; then
  skip "kprobe line names CONFIG_KPROBES" "no /proc/config.gz or /boot/config-$(uname -r) here"
elif grep -q '^# CONFIG_KPROBES is not set' <<<"$kconfig"; then
  check "kprobe line says CONFIG_KPROBES is not set" \
    bash -c "grep -E '^(FAIL|SKIP) +kprobe ' '$tmp/out' | grep -q 'CONFIG_KPROBES is not set'"
  check "summary lists kprobe tools as unavailable" \
    bash -c "tail -1 '$tmp/out' | grep -q 'unavailable here: .*kprobe tools (CONFIG_KPROBES is not set)'"
else
  check "kprobe PASSes on a kernel with CONFIG_KPROBES" bash -c "grep -qE '^PASS +kprobe ' '$tmp/out'"
fi

check "JSON parses, ok is true" json_ok True

# Through the applet name.
ln -sf "$bin" "$tmp/bpf-selftest"
"$tmp/bpf-selftest" >"$tmp/applet_out" 2>&1; rc=$?
check "applet bpf-selftest exits 0" test $rc -eq 0
check "applet output has the same checks" \
  bash -c "diff <(awk '{print \$1, \$2}' '$tmp/out') <(awk '{print \$1, \$2}' '$tmp/applet_out')"

# Unprivileged: it must say so and name the fix, not just report EPERM.
if command -v setpriv >/dev/null && [ "$(id -u)" -eq 0 ]; then
  upriv=$(mktemp -d /tmp/bpfd_selftest_$$.XXXXXX)  # /root (bazel's tree) is closed to nobody
  cp "$bin" "$upriv/bpfd" && chmod 755 "$upriv" "$upriv/bpfd"
  setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
    "$upriv/bpfd" selftest >"$tmp/unpriv" 2>&1; rc=$?
  rm -rf "$upriv"
  check "unprivileged: exits 1" test $rc -eq 1
  check "unprivileged: privileges FAIL names the fix" \
    bash -c "grep -E '^FAIL +privileges ' '$tmp/unpriv' | grep -q 'fix: run as root'"
  check "unprivileged: tracepoint SKIPs, naming the failed prerequisite" \
    bash -c "grep -qE '^SKIP +tracepoint +needs ' '$tmp/unpriv'"
  check "unprivileged: summary says tracing does not work and how to fix it" \
    bash -c "tail -1 '$tmp/unpriv' | grep -q 'tracing does not work here: .*fix: run as root'"
else
  skip "unprivileged run" "needs setpriv and root to drop privileges"
fi

# A live daemon that answered SELFTEST holds nothing the checks created.
bpftool=$(command -v bpftool || ls /usr/sbin/bpftool /sbin/bpftool 2>/dev/null | head -1)
tracefs=$(awk '$3 == "tracefs" {print $2; exit}' /proc/mounts)
events() { cat "$tracefs/kprobe_events" "$tracefs/uprobe_events" 2>/dev/null | grep bpfd_st_; }
coproc D { exec "$bin" 2>/dev/null; }
dpid=$D_PID  # bash unsets D_PID as soon as the coprocess ends
IFS= read -r -t 10 started <&"${D[0]}"
check "daemon started" test "$started" = STARTED_BPFD
fds_before=$(ls /proc/$dpid/fd | wc -l)
printf 'SELFTEST\n' >&"${D[1]}"
reply=""
while IFS= read -r -t 60 l <&"${D[0]}"; do
  [ "$l" = END_BPFD_OUTPUT ] && break
  reply+="$l"$'\n'
done
check "daemon: SELFTEST reply starts with selftest: ret=" grep -qE '^selftest: ret=[0-9]+$' <<<"$(sed -n 2p <<<"$reply")"
check "daemon: no fd left open" test "$(ls /proc/$dpid/fd | wc -l)" -eq "$fds_before"
# gone OBJ: no bpfd_st_ program/map is listed. The kernel frees a program detached from a
# perf event after an RCU grace period, so allow it up to 3 s after the fds were closed.
gone() {
  local i
  for i in $(seq 30); do
    "$bpftool" "$1" list | grep -q bpfd_st_ || return 0
    sleep 0.1
  done
  "$bpftool" "$1" list | grep bpfd_st_
  return 1
}
if [ -n "$bpftool" ]; then
  check "daemon: no selftest program left (bpftool)" gone prog
  check "daemon: no selftest map left (bpftool)" gone map
else
  skip "no programs left" "bpftool not installed"
fi
if [ -n "$tracefs" ]; then
  check "daemon: no kprobe/uprobe event left in tracefs" bash -c "$(declare -f events); tracefs='$tracefs'; ! events"
else
  skip "no tracefs events left" "tracefs not mounted"
fi
printf 'exit\n' >&"${D[1]}"
wait "$dpid" 2>/dev/null
finish
