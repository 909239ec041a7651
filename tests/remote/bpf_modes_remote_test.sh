#!/bin/bash
# Every mode gives the same output through a remote daemon as on the machine itself: probes
# (tracepoints, uprobes of bpfd, features), mapdump (a map made for the test, listing and dump)
# and selftest, each through process, cmd, unix and tcp. $1 is bpfd.
set -u
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"
bpfd=$(realpath "$1")
tmp=$(mktemp -d /tmp/bpfd-modes.XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"' EXIT
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null

(umask 077; echo "token-$$-for-the-modes-test" >"$tmp/token")
export BPFD_TOKEN_FILE="$tmp/token"
"$bpfd" --listen "unix:$tmp/s.sock" >"$tmp/u.out" 2>/dev/null & pids+=($!)
"$bpfd" --listen tcp:0 --token-file "$tmp/token" >"$tmp/t.out" 2>/dev/null & pids+=($!)
for _ in $(seq 100); do [[ -s $tmp/u.out && -s $tmp/t.out ]] && break; sleep 0.05; done
remotes=("process:$bpfd" "cmd:$bpfd" "$(awk '{print $2}' "$tmp/u.out")" "$(awk '{print $2}' "$tmp/t.out")")

# A map to dump, held by a daemon session for the whole test (when bpf() works here).
mkfifo "$tmp/fifo"
"$bpfd" <"$tmp/fifo" >"$tmp/holder.out" 2>/dev/null & pids+=($!)
exec {H}>"$tmp/fifo"
printf 'BPF_CREATE_MAP 1 mr%s 4 8 16 0\nBPF_UPDATE_ELEM 3 BwAAAA== 4 KgAAAAAAAAA= 8 0\n' $$ >&$H
for _ in $(seq 100); do grep -q 'bpf_update_elem' "$tmp/holder.out" && break; sleep 0.05; done
have_map=0; grep -q '^bpf_update_elem: ret=0' "$tmp/holder.out" && have_map=1
map_id=$(bpftool map show name "mr$$" -j 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null)

# same NAME ARGS...: local output and exit status == each remote's (selftest: statuses and
# names only, since its reasons carry live counts).
same() {
  local name=$1; shift
  local filter=cat
  [[ $name == selftest* ]] && filter="awk '{print \$1, \$2}'"
  "$bpfd" "$@" 2>/dev/null | eval "$filter" >"$tmp/local"; local lrc=${PIPESTATUS[0]}
  for r in "${remotes[@]}"; do
    "$bpfd" "$@" --remote "$r" 2>"$tmp/err" | eval "$filter" >"$tmp/remote"; local rrc=${PIPESTATUS[0]}
    if ! cmp -s "$tmp/local" "$tmp/remote" || [[ $lrc != "$rrc" ]]; then
      echo "$name via ${r%%:*}: exit $rrc (local $lrc)"; diff "$tmp/local" "$tmp/remote" | head -10; cat "$tmp/err"
    fi
    check "$name via ${r%%:*} = local (exit $lrc, $(wc -l <"$tmp/local") lines)" \
      eval "cmp -s '$tmp/local' '$tmp/remote' && [[ $lrc == $rrc ]] && [[ -s '$tmp/local' ]]"
  done
}
same "probes tracepoints" probes tracepoints 'syscalls:sys_enter_get*'
same "probes tracepoints --format" probes tracepoints --format 'sched:sched_switch'
same "probes uprobes" probes uprobes "$bpfd" 'bpfd::Cmd*'
same "probes features -j" probes features -j
if ((have_map)) && [[ -n $map_id ]]; then
  same "mapdump id" mapdump id "$map_id"
  same "mapdump name -j" mapdump -j name "mr$$"
  same "selftest" selftest
else
  skip "mapdump and selftest through remotes" "bpf() unavailable here: $(head -c 100 "$tmp/holder.out" | tr '\n' ' ')"
  # Under qemu-user: the remote failure is the local one (bpf() not implemented), exit 1.
  "$bpfd" selftest --remote "${remotes[2]}" >"$tmp/st" 2>&1; rc=$?
  check "selftest through unix without bpf(): exit 1, says bpf() is not implemented" \
    eval "[[ $rc == 1 ]] && grep -q 'not implemented' '$tmp/st'"
fi
# The original host side's variables: BCC_REMOTE (+ BCC_REMOTE_ARGS, the daemon command).
"$bpfd" probes tracepoints 'sched:*' >"$tmp/local" 2>&1
BCC_REMOTE=process BCC_REMOTE_ARGS="$bpfd" "$bpfd" probes tracepoints 'sched:*' >"$tmp/env" 2>&1
check "BCC_REMOTE=process reaches the daemon with the same output" cmp -s "$tmp/local" "$tmp/env"
BCC_REMOTE=shell BCC_REMOTE_ARGS=/nonexistent/bpfd "$bpfd" probes tracepoints >/dev/null 2>"$tmp/err"; rc=$?
check "BCC_REMOTE is honoured (a bad daemon path fails: exit 1)" test $rc = 1
"$bpfd" probes tracepoints --remote unix:/nonexistent/sock >/dev/null 2>"$tmp/err"; rc=$?
check "unreachable remote: exit 1 with one line" eval "[[ $rc == 1 && \$(wc -l <'$tmp/err') == 1 ]]"
cat "$tmp/err"
exec {H}>&-
finish
