#!/bin/bash
# Bounded resources on the real daemon ($1), issue 14: a 1 GiB line without a newline gets one
# error line, bounded memory and exit status 0; RING_MAP on a FILE_OPEN'd regular file is
# -EINVAL; a 40-byte SYS_BPF asking for a 256 MiB output buffer gets a small -E2BIG reply; ELF
# commands on a FIFO (also planted as a process's deleted executable) answer at once.
# Runs anywhere the daemon runs (no bpf() needed: every refusal comes before the kernel).
set -u
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"
daemon=$(realpath "${1:?usage: bpf_bounds_test.sh DAEMON}")  # $2 (arch) unused
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
b64() { printf '%s' "$1" | base64 -w0; }

# 1. A 1 GiB line without a newline, then end of input: exactly the banner and one reply.
head -c 1G /dev/zero | tr '\0' A | "$daemon" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "1 GiB line then EOF: exit status 0 (no signal), got $rc" test "$rc" = 0
check "1 GiB line then EOF: banner and one error reply" \
  test "$(cat "$tmp/out")" = $'STARTED_BPFD\nSTART_BPFD_OUTPUT\nCommand not recognized\nEND_BPFD_OUTPUT'
check "1 GiB line: one stderr line" grep -q '^bpfd: line of [0-9]*+ bytes exceeds --max-line' "$tmp/err"
check "1 GiB line: only one stderr line" test "$(wc -l <"$tmp/err")" = 1

# 2. The same with a known command in front, and the session carrying on: -E2BIG, bounded
# memory (peak RSS read while the daemon still runs), then the next command is answered.
coproc D { exec "$daemon" 2>/dev/null; }
pid=$D_PID
IFS= read -r -t 10 started <&"${D[0]}"
{ printf 'SYS_BPF 1 '; head -c 1G /dev/zero | tr '\0' A; } >&"${D[1]}"
read_reply
check "over-long SYS_BPF line: sys_bpf: ret=-7 (E2BIG)" test "$reply" = $'sys_bpf: ret=-7\n'
hwm_kb=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
echo "peak RSS after a 1 GiB line: ${hwm_kb} KiB"
check "peak RSS under 128 MiB, twice --max-line (was: the whole line, then bad_alloc)" test "${hwm_kb:-0}" -lt 131072
printf '\n' >&"${D[1]}"  # the newline ending the dropped line: nothing to answer...
send "GET_KSYM_ADDR no_such_symbol_bpfd"  # ...so this reply is the next command's
check "the session carries on" test "${reply%%$'\n'*}" = "GET_KSYM_ADDR: ret=-2"
exec {D[1]}>&-
wait $pid
check "exit status 0 after EOF" test $? = 0

# 3. Ring and SYS_BPF caps (unrestricted: FILE_OPEN of a file outside tracing).
head -c 20480 /dev/zero >"$tmp/ring"
coproc D { exec "$daemon" --unrestricted 2>/dev/null; }
pid=$D_PID
IFS= read -r -t 10 started <&"${D[0]}"
send "FILE_OPEN $(b64 "$tmp/ring") 2 0"
fd=${reply#file_open: ret=}; fd=${fd%%$'\n'*}
check "FILE_OPEN of a regular file" test "${fd:0:1}" != -
send "RING_MAP $fd perf 16384"
check "RING_MAP perf on a regular file: -EINVAL" test "$reply" = $'ring_map: ret=-22\n'
send "RING_POLL 0 $fd:4096"
check "nothing mapped: RING_POLL -EBADF" test "$reply" = $'ring_poll: ret=-9\n'
send "SYS_BPF 1 AAAAAAAAAAAAAAAAAAAAAA== a8 o 268435456 -"
check "SYS_BPF with a 256 MiB output buffer: small -E2BIG reply" test "$reply" = $'sys_bpf: ret=-7\n'

# 4. ELF commands on FIFOs answer at once (read_reply waits 10 s at most).
mkfifo "$tmp/fifo"
send "GET_ELF_FUNCS $tmp/fifo"
check "GET_ELF_FUNCS on a FIFO: -ENOEXEC" test "$reply" = $'get_elf_funcs: ret=-8\n'
cp "$(command -v sleep)" "$tmp/sleepy"
"$tmp/sleepy" 30 &
victim=$!
sleep 0.2
rm "$tmp/sleepy" && mkfifo "$tmp/sleepy"  # the deleted executable's path is now a FIFO
start=$(date +%s)
send "GET_USYM_ADDR $victim main "  # "": the main executable
ok=$?
check "GET_USYM_ADDR through a planted FIFO answers (no hang)" test "$ok" = 0
check "... -ENOEXEC (not a regular file)" test "$reply" = $'GET_USYM_ADDR: ret=-8\n'
echo "answered in $(($(date +%s) - start)) s: ${reply%%$'\n'*}"
kill $victim 2>/dev/null
exec {D[1]}>&-
wait $pid
check "exit status 0" test $? = 0
finish
