#!/bin/bash
# The daemon's least privilege ($1, run as root): while a session is open, the daemon process
# has no_new_privs and exactly the tracing capabilities (kernel/privileges.h) in its effective,
# permitted and bounding sets, none inheritable or ambient, and still loads a program and
# attaches it to a tracepoint; with --unrestricted it keeps every capability it started with.
# SKIPs when not root (capabilities then do not change).
set -u
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"
daemon=$(realpath "${1:?usage: bpf_privileges_test.sh DAEMON}")  # $2 (arch) unused
if [ "$(id -u)" != 0 ]; then skip privileges "not root: the daemon keeps its capabilities"; finish; exit; fi

last=$(cat /proc/sys/kernel/cap_last_cap)
# CAP_DAC_READ_SEARCH 2, IPC_LOCK 14, SYS_PTRACE 19, SYS_ADMIN 21, SYS_RESOURCE 24, SYSLOG 34,
# and PERFMON 38 / BPF 39 where the kernel has them.
keep=$(( (1<<2) | (1<<14) | (1<<19) | (1<<21) | (1<<24) | (1<<34) ))
[ "$last" -ge 39 ] && keep=$(( keep | (1<<38) | (1<<39) ))
full=$(awk '/^CapEff/ {print $2}' /proc/self/status)
bnd=$(awk '/^CapBnd/ {print $2}' /proc/self/status)
# Kept from what the daemon starts with (this shell's sets).
want_bnd=$(printf '%016x' $(( keep & 0x$bnd )))
want=$(printf '%016x' $(( keep & 0x$full )))

field() { awk -v f="$1:" '$1 == f {print $2}' "/proc/$pid/status"; }

prog_b64=twAAAAAAAACVAAAAAAAAAA==   # r0 = 0; exit

for mode in restricted unrestricted; do
  args=()
  [ $mode = unrestricted ] && args=(--unrestricted)
  coproc D { exec "$daemon" "${args[@]}" 2>/dev/null; }
  pid=$D_PID
  IFS= read -r -t 10 started <&"${D[0]}"
  check "$mode: STARTED_BPFD" test "$started" = STARTED_BPFD
  check "$mode: no_new_privs" test "$(field NoNewPrivs)" = 1
  check "$mode: no ambient capabilities" test "$(field CapAmb)" = 0000000000000000
  if [ $mode = restricted ]; then
    check "$mode: CapEff is the tracing set ($want: $(field CapEff))" test "$(field CapEff)" = "$want"
    check "$mode: CapPrm is the tracing set" test "$(field CapPrm)" = "$want"
    check "$mode: CapBnd is the tracing set" test "$(field CapBnd)" = "$want_bnd"
    check "$mode: nothing inheritable" test "$(field CapInh)" = 0000000000000000
  else
    check "$mode: CapEff as started ($full)" test "$(field CapEff)" = "$full"
  fi
  send "BPF_PROG_LOAD 5 bpfdt_priv 16 GPL 0 $prog_b64"
  prog=$(sed -n 's/.*ret=\([0-9-]*\).*/\1/p' <<<"$reply" | head -1)
  if [[ $prog == -38 ]]; then  # qemu-user: bpf() is ENOSYS; the capability checks above ran
    skip "$mode: a tracepoint program loads and attaches" "bpf() is ENOSYS here (qemu-user)"
  else
    check "$mode: a tracepoint program loads (ret=$prog)" test "${prog:--1}" -ge 0
    send "BPF_ATTACH_TRACEPOINT $prog syscalls sys_enter_getpid"
    check "$mode: and attaches to a tracepoint" grep -q "ret=[0-9]" <<<"$reply"
  fi
  printf 'exit\n' >&"${D[1]}"
  wait "$pid"
  check "$mode: exits 0" test $? -eq 0
done
finish
