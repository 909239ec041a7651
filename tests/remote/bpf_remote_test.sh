#!/bin/bash
# Transports: the golden transcripts through `bpfd connect` over process, cmd, a stand-in adb
# and ssh (scripts first in PATH that run the command locally), unix and tcp listeners; tcp's
# token; 50 concurrent sessions on one listener; a SIGKILLed client's session cleaned up; a
# daemon dying mid-session reported in one line. $1 is bpfd.
set -u
lib="${TEST_SRCDIR:-$(dirname "$0")/../..}/${TEST_WORKSPACE:-}/tests/lib"
[[ -d $lib ]] || lib=$(dirname "$0")/../lib
source "$lib/sh_testing.sh"
source "$lib/transcripts.sh"
bpfd=$(realpath "${1:?usage: bpf_remote_test.sh BPFD}")
tmp=$(mktemp -d /tmp/bpfd-remote.XXXXXX)  # short: unix socket paths have ~108 bytes
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"' EXIT

# Stand-ins for adb and ssh: `adb [-s S] shell CMD`, `ssh [opts] HOST CMD` run CMD here.
mkdir -p "$tmp/bin"
cat >"$tmp/bin/adb" <<'A'
#!/bin/sh
[ "$1" = -s ] && shift 2
[ "$1" = shell ] || { echo "fake adb: only shell" >&2; exit 1; }
shift; exec sh -c "$*"
A
cat >"$tmp/bin/ssh" <<'S'
#!/bin/sh
while [ $# -gt 2 ]; do case $1 in -p|-o) shift 2 ;; *) shift ;; esac; done
shift; exec sh -c "$1"
S
chmod +x "$tmp/bin/adb" "$tmp/bin/ssh"
export PATH="$tmp/bin:$PATH"

listen() {  # listen SPEC [ARGS...]: starts a listener, sets $spec to what it prints
  "$bpfd" --listen "$@" >"$tmp/listen.out" 2>>"$tmp/listen.err" &
  pids+=($!)
  for _ in $(seq 100); do [[ -s $tmp/listen.out ]] && break; sleep 0.05; done
  spec=$(awk '/^LISTENING/ {print $2}' "$tmp/listen.out")
  : >"$tmp/listen.out"
}
(umask 077; echo "secret-token-$$-$RANDOM$RANDOM" >"$tmp/token")
listen "unix:$tmp/s.sock"; unix_spec=$spec
listen tcp:0 --token-file "$tmp/token"; tcp_spec=$spec
check "unix listener ready" test -n "$unix_spec"
check "tcp listener ready on loopback" grep -q '^tcp:127.0.0.1:[0-9]' <<<"$tcp_spec"
check "unix socket is 0600" test "$(stat -c %a "$tmp/s.sock")" = 600

for t in "process:$bpfd" "cmd:$bpfd" "adb:emulator-5554:$bpfd" "ssh:user@device:2222:$bpfd" \
         "$unix_spec" "$tcp_spec"; do
  eval "via() { (only_stdio \"$bpfd\" connect --token-file \"$tmp/token\" \"$t\") <\"\$1\" >\"\$2\" 2>\"\$3\"; }"
  replay_transcripts "${t%%:*}" via
done

# tcp: a token is required, and only loopback without --allow-remote.
"$bpfd" --listen tcp:0 >/dev/null 2>"$tmp/err"; rc=$?
check "tcp without --token-file: exit 2, says so" eval "[[ $rc == 2 ]] && grep -q 'token-file' '$tmp/err'"
"$bpfd" --listen tcp:0.0.0.0:0 --token-file "$tmp/token" >/dev/null 2>"$tmp/err"; rc=$?
check "tcp on 0.0.0.0 without --allow-remote: exit 2, says so" \
  eval "[[ $rc == 2 ]] && grep -q 'allow-remote' '$tmp/err'"

# A wrong token is refused before any command; the listener keeps serving.
(umask 077; echo "wrong-token-of-some-length" >"$tmp/bad")
out=$(printf 'BPF_CREATE_MAP 2 m 4 4 1 0\n' | "$bpfd" connect --token-file "$tmp/bad" "$tcp_spec" 2>"$tmp/err")
rc=$?
check "wrong token: exit 1, no banner" test "$rc:$out" = "1:"
check "wrong token: one clear line" grep -q 'daemon refused the connection: wrong token' "$tmp/err"
check "tcp still serves after a wrong token" bash -c \
  "printf 'exit\n' | '$bpfd' connect --token-file '$tmp/token' '$tcp_spec' | grep -qx STARTED_BPFD"

# The daemon dying mid-session: one line, exit 1, no hang.
out=$(printf 'BPF_CREATE_MAP 2 m 4 4 1 0\n' | timeout 20 "$bpfd" connect 'cmd:echo STARTED_BPFD; read x; exit 3' 2>&1 >/dev/null)
rc=$?
check "dead daemon: exit 1 within the timeout" test $rc = 1
check "dead daemon: one line" test "$(wc -l <<<"$out")" = 1
echo "$out"

# A silent peer: the banner wait times out with a clear line.
out=$(timeout 20 "$bpfd" connect --timeout 1 'cmd:exec sleep 15' 2>&1 </dev/null); rc=$?
check "silent peer: exit 1 after --timeout" test $rc = 1
check "silent peer: says so" grep -q 'did not answer within 1 s' <<<"$out"
echo "$out"
# A listener on vsock comes up (no vsock loopback here to connect through).
"$bpfd" --listen vsock:$((20000 + $$ % 10000)) --token-file "$tmp/token" >"$tmp/v.out" 2>"$tmp/v.err" &
vpid=$!; pids+=($vpid)
for _ in $(seq 40); do [[ -s $tmp/v.out ]] && break; sleep 0.05; done
if [[ -s $tmp/v.out ]]; then check "vsock listener ready" grep -q '^LISTENING vsock:' "$tmp/v.out"
else skip "vsock listener" "$(head -1 "$tmp/v.err")"; fi
kill $vpid 2>/dev/null

local_probe() { (only_stdio "$bpfd") <"$1" >"$2" 2>"$3"; }
why=$(bpf_skip_reason local_probe)
if [[ -n $why ]]; then
  skip "50 concurrent sessions" "$why"
  skip "SIGKILLed client cleaned up" "$why"
  finish; exit
fi

# 50 concurrent sessions: each makes its own maps and a perf buffer, writes its own value and
# reads it back; no cross-talk, and nothing of them is left afterwards.
n=50
for i in $(seq $n); do
  v=$(printf '%08x' "$i" | xxd -r -p | base64)
  printf 'BPF_CREATE_MAP 2 rt%s_%s 4 4 1 0\nBPF_CREATE_MAP 1 rh%s_%s 4 4 8 0\nBPF_OPEN_PERF_BUFFER -1 0 4\nBPF_UPDATE_ELEM 3 AAAAAA== 4 %s 4 0\nBPF_LOOKUP_ELEM 3 AAAAAA== 4 4\nPERF_READER_POLL 10 1 5\n' \
    $$ "$i" $$ "$i" "$v" >"$tmp/c$i.in"
  ( "$bpfd" connect "$unix_spec" <"$tmp/c$i.in" >"$tmp/c$i.out" 2>&1; echo $? >"$tmp/c$i.rc" ) &
done
wait_all() { for i in $(seq $n); do while [[ ! -s $tmp/c$i.rc ]]; do sleep 0.05; done; done; }
timeout 60 bash -c "$(declare -f wait_all); n=$n tmp=$tmp wait_all"
ok=0
for i in $(seq $n); do
  v=$(printf '%08x' "$i" | xxd -r -p | base64)
  grep -q "^bpf_create_map: ret=3$" "$tmp/c$i.out" && grep -q "^bpf_open_perf_buffer: ret=5$" "$tmp/c$i.out" &&
    grep -qx "$v" "$tmp/c$i.out" && [[ $(cat "$tmp/c$i.rc") == 0 ]] && ok=$((ok + 1))
done
echo "$ok of $n sessions saw exactly their own fds and value"
check "50 concurrent sessions, no cross-talk" test $ok = $n
left=0
for _ in $(seq 100); do
  left=$(bpftool map show -j 2>/dev/null | grep -o "\"name\":\"r[th]$$_[0-9]*\"" | wc -l)
  ((left == 0)) && break; sleep 0.05
done
check "50 sessions left no map behind" test "$left" = 0

# A client SIGKILLed mid-stream: its session detaches and unloads everything.
prog=twAAAAAAAACVAAAAAAAAAA==
mkfifo "$tmp/fifo"
"$bpfd" connect "$unix_spec" <"$tmp/fifo" >"$tmp/k.out" 2>&1 &
cpid=$!
exec {W}>"$tmp/fifo"
printf 'BPF_PROG_LOAD 5 rk%s 16 GPL 0 %s\nBPF_ATTACH_TRACEPOINT 3 syscalls sys_enter_getpid\n' $$ "$prog" >&$W
for _ in $(seq 100); do grep -q 'bpf_attach_tracepoint: ret=[0-9]' "$tmp/k.out" && break; sleep 0.05; done
check "killed client: program attached first" grep -q 'bpf_attach_tracepoint: ret=[0-9]' "$tmp/k.out"
kill -9 $cpid; wait $cpid 2>/dev/null; exec {W}>&-
gone=0
for _ in $(seq 100); do bpftool prog show name "rk$$" 2>/dev/null | grep -q . || { gone=1; break; }; sleep 0.05; done
check "killed client: its session unloaded the program" test $gone = 1
finish
