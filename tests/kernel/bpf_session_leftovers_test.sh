#!/bin/bash
# What a session makes that outlives its fds (docs/security.md "Leftovers"), with the real
# daemon ($1) on the real kernel: tracefs uprobe events (ours, *_bpfd_<pid>, and one a
# forwarded tool defines through uprobe_events), a dynamic_events event, a pin under
# /sys/fs/bpf and a tracefs knob are removed or restored at a clean end, and after `kill -9` of
# the daemon by the next start (its journal, --state-dir). O_TRUNC on the event files is
# refused, and an event another tool made survives it all. Needs root outside Bazel's sandbox
# and tracefs with uprobe_events; otherwise it SKIPs with the reason.
set -u
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"
daemon=$(realpath "${1:?usage: bpf_session_leftovers_test.sh DAEMON}")
T=/sys/kernel/tracing
if [ "$(id -u)" != 0 ]; then skip leftovers "not root"; finish; exit; fi
if [ ! -w $T/uprobe_events ]; then
  mount -t tracefs nodev $T 2>/dev/null
  if [ ! -w $T/uprobe_events ]; then skip leftovers "no tracefs uprobe_events here"; finish; exit; fi
fi
state=$(mktemp -d "${TEST_TMPDIR:-/tmp}/state.XXXXXX")
rmdir "$state"  # the daemon creates it, 0700
g=bpfdrec$$     # this test's groups and names
b64() { printf %s "$1" | base64 -w0; }
prog_b64=twAAAAAAAACVAAAAAAAAAA==  # r0 = 0; exit
ret() { local v=${reply#*: ret=}; echo "${v%%$'\n'*}"; }

# start [ARGS...]: a daemon as coproc D ($pid); stderr to $err.
err=$(mktemp "${TEST_TMPDIR:-/tmp}/err.XXXXXX")
start() {
  coproc D { exec "$daemon" --state-dir "$state" "$@" 2>>"$err"; }
  pid=$D_PID
  IFS= read -r -t 10 started <&"${D[0]}"
  [ "$started" = STARTED_BPFD ]
}
stop() { printf 'exit\n' >&"${D[1]}"; wait $pid; }
# load: a kprobe-type program in $prog (SKIPs everything when bpf() cannot).
load() {
  send "BPF_PROG_LOAD 2 recp 16 GPL 0 $prog_b64"
  prog=$(ret)
  case $prog in
    -38) skip leftovers "bpf() gives ENOSYS here (qemu-user)"; kill $pid; finish; exit ;;
    -*) skip leftovers "cannot load a program here ($prog)"; kill $pid; finish; exit ;;
  esac
}
# open_write PATH DATA: FILE_OPEN for appending, then one FILE_WRITE; $reply is the write's.
open_write() {
  send "FILE_OPEN $(b64 "$1") 1025 0"
  local fd; fd=$(ret)
  send "FILE_WRITE $fd $(b64 "$2")"
}
listed() { grep -q "$1" "$T/$2"; }
u32() { printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) 0 0; }
# cg_attach: a cgroup-skb program attached (legacy BPF_PROG_ATTACH, ingress) to a new cgroup
# $cg under cgroup v2; "" when there is none here.
cg_attach() {
  cg=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)/$g
  if ! command -v bpftool >/dev/null; then cg=; skip cgroup "bpftool not installed"; return; fi
  if [ "$cg" = /$g ] || ! mkdir "$cg" 2>/dev/null; then
    cg=; skip cgroup "no cgroup v2 mount to make a cgroup in"; return
  fi
  send "BPF_PROG_LOAD 8 reccg 16 GPL 0 twAAAAEAAACVAAAAAAAAAA=="
  local cprog; cprog=$(ret)
  send "FILE_OPEN $(b64 "$cg") 0 0"
  local cfd; cfd=$(ret)
  send "SYS_BPF 8 $(printf "$(u32 $cfd)$(u32 $cprog)$(u32 0)$(u32 0)" | base64 -w0)"
  check "cgroup attach (prog $cprog, cgroup fd $cfd)" test "$(ret)" = 0
  check "attached to the cgroup" cg_attached
}
cg_attached() { [ -n "$(bpftool cgroup show "$cg" 2>/dev/null | grep -w reccg)" ]; }
cg_detached() { ! cg_attached; }
# pin PATH: BPF_OBJ_PIN of $prog at PATH through SYS_BPF (pathname slot a0).
pin() {
  local attr; attr=$(printf "\\0\\0\\0\\0\\0\\0\\0\\0\\x$(printf %02x "$prog")\\0\\0\\0\\0\\0\\0\\0" | base64 -w0)
  send "SYS_BPF 6 $attr a0 i $((${#1} + 1)) $(printf '%s\0' "$1" | base64 -w0)"
}

# An event of another tool, made by hand before anything else: never touched.
echo "p:other$$/keep /bin/true:0x0" >>$T/uprobe_events
trap 'echo "-:other$$/keep" >>$T/uprobe_events 2>/dev/null' EXIT  # however the test ends
check "another tool's event made" listed "other$$/keep" uprobe_events

# 1. kill -9 with a uprobe of ours (--probe-api tracefs) and one a forwarded tool defined.
start --probe-api tracefs || { check "daemon starts" false; finish; exit; }
load
send "BPF_ATTACH_UPROBE $prog 0 ${g}own /bin/true 0 -1"
check "uprobe through tracefs attached" test "$(ret)" -ge 0
open_write $T/uprobe_events "p:$g/fwd /bin/true:0x0"
check "forwarded definition written" test "$(ret)" -gt 0
check "ours is *_bpfd_$pid" listed "uprobes/${g}own_bpfd_$pid " uprobe_events
check "journal written" test -s "$(ls "$state"/$pid-*.journal 2>/dev/null | head -1)"
check "state dir is 0700" test "$(stat -c %a "$state")" = 700
send "FILE_OPEN $(b64 $T/uprobe_events) 513 0"
check "O_TRUNC on uprobe_events refused (-EACCES)" test "$(ret)" = -13
dead=$pid
kill -9 $pid; wait $pid 2>/dev/null
check "after kill -9 the events stay" listed "$g/fwd" uprobe_events
start || check "restart" false
check "restart removed our *_bpfd_$dead event" bash -c "! grep -q _bpfd_$dead $T/uprobe_events"
check "restart removed the journalled event" bash -c "! grep -q $g/fwd $T/uprobe_events"
check "restart deleted the dead journal" bash -c "! ls $state/$dead-*.journal 2>/dev/null | grep -q ."
check "restart said what it removed" grep -q "removed what dead sessions left" "$err"
check "another tool's event survived the sweep" listed "other$$/keep" uprobe_events
stop

# 2. --unrestricted: dynamic_events, a pin and a knob, undone at a clean exit.
have_dyn=0; [ -w $T/dynamic_events ] && have_dyn=1
inst=$T/instances/$g
mkdir "$inst" 2>/dev/null || inst=
pin_dir=/sys/fs/bpf
start --unrestricted || check "unrestricted daemon starts" false
load
if [ $have_dyn = 1 ]; then
  open_write $T/dynamic_events "p:$g/dyn /bin/true:0x0"
  check "dynamic_events definition written" test "$(ret)" -gt 0
  check "dynamic event listed" listed "$g/dyn" dynamic_events
  send "FILE_OPEN $(b64 $T/dynamic_events) 513 0"
  check "O_TRUNC on dynamic_events refused unrestricted too" test "$(ret)" = -13
else
  skip dynamic_events "this kernel has no dynamic_events"
fi
send "FILE_OPEN $(b64 $T/kprobe_events) 513 0"
check "O_TRUNC on kprobe_events refused unrestricted too" test "$(ret)" = -13
pin "$pin_dir/${g}_pin"
check "pinned" test "$(ret)" = 0 -a -e "$pin_dir/${g}_pin"
cg_attach  # sets $cg (empty: no cgroup v2 here)
if [ -n "$inst" ]; then
  check "instance tracing_on starts at 1" test "$(cat "$inst/tracing_on")" = 1
  open_write "$inst/tracing_on" 0
  check "knob written" test "$(cat "$inst/tracing_on")" = 0
else
  skip knob "cannot make a tracefs instance here"
fi
stop
check "exit: dynamic event removed" bash -c "! grep -q $g/dyn $T/dynamic_events 2>/dev/null"
check "exit: pin removed" test ! -e "$pin_dir/${g}_pin"
[ -n "$cg" ] && check "exit: cgroup program detached" cg_detached
[ -n "$inst" ] && check "exit: knob restored" test "$(cat "$inst/tracing_on")" = 1
check "exit: journal deleted" bash -c "! ls $state/*.journal 2>/dev/null | grep -q ."

# 3. The same after kill -9, then a restart.
start --unrestricted || check "unrestricted daemon starts again" false
load
pin "$pin_dir/${g}_pin2"
check "pinned again" test -e "$pin_dir/${g}_pin2"
[ $have_dyn = 1 ] && open_write $T/dynamic_events "p:$g/dyn2 /bin/true:0x0"
[ -n "$inst" ] && open_write "$inst/tracing_on" 0
[ -n "$cg" ] && { rmdir "$cg"; cg_attach; }
kill -9 $pid; wait $pid 2>/dev/null
check "after kill -9 the pin stays" test -e "$pin_dir/${g}_pin2"
start || check "restart after kill -9" false
stop
check "restart removed the pin" test ! -e "$pin_dir/${g}_pin2"
[ -n "$cg" ] && check "restart detached the cgroup program" cg_detached
[ $have_dyn = 1 ] && check "restart removed the dynamic event" \
  bash -c "! grep -q $g/dyn2 $T/dynamic_events"
[ -n "$inst" ] && check "restart restored the knob" test "$(cat "$inst/tracing_on")" = 1
check "another tool's event still there" listed "other$$/keep" uprobe_events

# The test's own: the hand-made event (the EXIT trap), the instance, the state directory.
[ -n "$inst" ] && rmdir "$inst"
[ -n "$cg" ] && rmdir "$cg"
rm -rf "$state" "$err"
finish
