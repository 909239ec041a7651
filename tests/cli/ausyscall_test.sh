#!/usr/bin/env bash
# The ausyscall applet: audit's syscall lookup for the machine `bpfd remote` names in
# BPFD_TARGET_MACHINE (BCC's syscount runs `ausyscall --dump` on non-x86 machines). Each
# table must hold that architecture's numbers, which differ: openat is 257 on x86_64, 56 on
# aarch64 and 322 on arm (EABI).
set -u
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"
bin="$(realpath "$1")" arch="$2"

# name number per machine: from each architecture's kernel ABI (unistd.h).
declare -A want=(
  [x86_64]="read:0 openat:257 execve:59 bpf:321 perf_event_open:298 getdents64:217"
  [aarch64]="read:63 openat:56 execve:221 bpf:280 perf_event_open:241 getdents64:61"
  [arm]="read:3 openat:322 execve:11 bpf:386 perf_event_open:364 getdents64:217"
)
for m in x86_64 aarch64 arm; do
  dump=$("$bin" ausyscall "$m" --dump); rc=$?
  check "$m: --dump exits 0 with audit's header" \
    bash -c '[[ $1 == 0 && $(head -1 <<<"$2") == "Using $3 syscall table:" ]]' _ "$rc" "$dump" "$m"
  check "$m: --dump has more than 280 syscalls, one 'N<tab>name' per line" \
    bash -c '[[ $(tail -n +2 <<<"$1" | grep -cP "^\d+\t[a-z0-9_]+$") -gt 280 ]]' _ "$dump"
  for pair in ${want[$m]}; do
    name=${pair%%:*} nr=${pair#*:}
    check "$m: $name is $nr in --dump" grep -qxP "$nr\t$name" <<<"$dump"
    check "$m: ausyscall $m $nr prints $name" test "$("$bin" ausyscall "$m" "$nr")" = "$name"
    check "$m: ausyscall $m $name --exact prints $nr" test "$("$bin" ausyscall "$m" "$name" --exact)" = "$nr"
  done
done
check "the machine comes from BPFD_TARGET_MACHINE (arm64 spelling too)" \
  test "$(BPFD_TARGET_MACHINE=arm64 "$bin" ausyscall openat --exact)" = 56
check "armv7l is the arm table" test "$(BPFD_TARGET_MACHINE=armv7l "$bin" ausyscall 322)" = openat
check "without it, this machine's ($arch) table" \
  bash -c 'env -u BPFD_TARGET_MACHINE "$1" ausyscall --dump | head -1 | grep -q "Using ${2/armv7/arm} syscall table"' _ "$bin" "$arch"
sub=$("$bin" ausyscall x86_64 open)
check "a name without --exact lists the syscalls containing it, with numbers" \
  bash -c 'grep -qE "^openat +257$" <<<"$1" && grep -qE "^open +2$" <<<"$1"' _ "$sub"
err=$("$bin" ausyscall x86_64 9999 2>&1); rc=$?
check "an unknown number: exit 1 and audit's message" \
  bash -c '[[ $1 == 1 && $2 == "Unknown syscall 9999 using x86_64 lookup table" ]]' _ "$rc" "$err"
err=$(BPFD_TARGET_MACHINE=mips "$bin" ausyscall --dump 2>&1); rc=$?
check "a machine without a table: exit 1, naming the known ones" \
  bash -c '[[ $1 == 1 && $2 == *"no syscall table for machine '"'"'mips'"'"'"* ]]' _ "$rc" "$err"
"$bin" ausyscall 2>/dev/null
check "no query: usage, exit 2" test $? -eq 2
finish
