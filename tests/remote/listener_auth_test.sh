#!/bin/bash
# The listener as a security boundary (issue 13, docs/security.md), with a real daemon and
# real sockets: which --listen forms start at all; the token file's checks; the challenge–
# response (a client without the token, 1000 wrong ones, then the right one; an impostor
# daemon that cannot prove the token); the handshake deadline against a one-byte-every-4-s
# peer; 500 idle connections while a real client gets in; --max-sessions; the unix socket's
# peer credentials; every accepted and refused peer logged; an ssh HOST that is an option.
# $1 is bpfd.
set -u
lib="${TEST_SRCDIR:-$(dirname "$0")/../..}/${TEST_WORKSPACE:-}/tests/lib"
[[ -d $lib ]] || lib=$(dirname "$0")/../lib
source "$lib/sh_testing.sh"
bpfd=$(realpath "${1:?usage: listener_auth_test.sh BPFD}")
tmp=$(mktemp -d /tmp/bpfd-auth.XXXXXX)
chmod 755 "$tmp"  # the uid tests' client reaches its socket through it
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"' EXIT
[[ -n ${KEEP_TMP:-} ]] && trap "echo kept \$tmp" EXIT

listen() {  # listen NAME SPEC [ARGS...]: starts a listener, sets $spec; its log is $tmp/NAME.log
  local name=$1; shift
  "$bpfd" --listen "$@" >"$tmp/$name.out" 2>"$tmp/$name.log" &
  pids+=($!); lpid=$!
  for _ in $(seq 200); do [[ -s $tmp/$name.out ]] && break; sleep 0.05; done
  spec=$(awk '/^LISTENING/ {print $2}' "$tmp/$name.out")
}
(umask 077; head -c 32 /dev/urandom | base64 >"$tmp/token")
(umask 077; head -c 32 /dev/urandom | base64 >"$tmp/other")

# --- which forms start --------------------------------------------------------------------
"$bpfd" --listen tcp:0 >/dev/null 2>"$tmp/err"; rc=$?
check "tcp without a token: exit 2, names --token-file" \
  eval "[[ $rc == 2 ]] && grep -q -- '--token-file' '$tmp/err'"
"$bpfd" --listen vsock:7878 >/dev/null 2>"$tmp/err"; rc=$?
check "vsock without a token: exit 2 (before any socket)" \
  eval "[[ $rc == 2 ]] && grep -q -- 'vsock needs --token-file' '$tmp/err'"
cp "$tmp/token" "$tmp/open"; chmod 644 "$tmp/open"
"$bpfd" --listen tcp:0 --token-file "$tmp/open" >/dev/null 2>"$tmp/err"; rc=$?
check "a token file others can read: refused, says chmod 600" \
  eval "[[ $rc != 0 ]] && grep -q 'chmod 600' '$tmp/err'"
(umask 077; echo short >"$tmp/short")
"$bpfd" --listen tcp:0 --token-file "$tmp/short" >/dev/null 2>"$tmp/err"; rc=$?
check "a short token: exit 2, says so" eval "[[ $rc == 2 ]] && grep -q 'shorter than 16' '$tmp/err'"
if [[ $(id -u) == 0 ]] && cp "$tmp/token" "$tmp/theirs" && chown 65534 "$tmp/theirs" 2>/dev/null; then
  "$bpfd" --listen tcp:0 --token-file "$tmp/theirs" >/dev/null 2>"$tmp/err"; rc=$?
  check "a token file someone else owns: refused" \
    eval "[[ $rc != 0 ]] && grep -q 'belongs to uid 65534' '$tmp/err'"
else
  skip "a token file someone else owns" "needs root outside a user namespace (chown)"
fi
"$bpfd" --listen tcp:0 --token-file "$tmp/token" --allow-uid 1 >/dev/null 2>"$tmp/err"; rc=$?
check "--allow-uid with tcp: exit 2" eval "[[ $rc == 2 ]] && grep -q 'go with unix' '$tmp/err'"

# --- the challenge–response over tcp ------------------------------------------------------
listen tcp tcp:0 --token-file "$tmp/token"; tcp_spec=$spec tcp_pid=$lpid
port=${tcp_spec##*:}
check "tcp listener up" test -n "$tcp_spec"
out=$(printf 'GET_KPROBES_BLACKLIST\n' | "$bpfd" connect --token-file "$tmp/token" "$tcp_spec" 2>&1)
check "the right token: a session" grep -qx STARTED_BPFD <<<"$out"
out=$(printf 'exit\n' | env -u BPFD_TOKEN_FILE "$bpfd" connect "$tcp_spec" 2>&1); rc=$?
check "no token: exit 1, says which option" \
  eval "[[ $rc == 1 ]] && grep -q 'asks for its token: --token-file' <<<\"\$out\""
out=$(printf 'exit\n' | "$bpfd" connect --token-file "$tmp/open" "$tcp_spec" 2>&1); rc=$?
check "client refuses a token file others can read" \
  eval "[[ $rc == 1 ]] && grep -q 'chmod 600' <<<\"\$out\""

# 1000 wrong tokens in a row (a client speaking the handshake with a made-up MAC), each
# refused; then the right one works.
python3 - "$port" >"$tmp/wrong.out" <<'PY'
import socket, sys, os
port = int(sys.argv[1]); refused = 0; leaked = 0
for i in range(1000):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    f = s.makefile("rwb")
    ch = f.readline().decode()
    if not ch.startswith("BPFD_AUTH hmac-sha256 "): break
    f.write(os.urandom(32).hex().encode() + b" " + os.urandom(32).hex().encode() + b"\n"); f.flush()
    ans = f.readline().decode()
    if ans.startswith("BPFD_AUTH_FAIL wrong token"): refused += 1
    if f.readline(): leaked += 1  # nothing may follow a refusal: the daemon closed
    s.close()
print(refused, leaked)
PY
check "1000 wrong tokens: each refused, nothing after the refusal" test "$(cat "$tmp/wrong.out")" = "1000 0"
logged=$(grep -c "^bpfd: tcp 127.0.0.1:[0-9]*: refused: wrong token" "$tmp/tcp.log")
check "1000 wrong tokens: each logged with the peer ($logged)" test "$logged" = 1000
out=$(printf 'exit\n' | "$bpfd" connect --token-file "$tmp/token" "$tcp_spec" 2>&1)
check "then the right token still works" grep -qx STARTED_BPFD <<<"$out"
check "accepted sessions logged with the peer" \
  grep -q "^bpfd: tcp 127.0.0.1:[0-9]*: accepted, session pid [0-9]" "$tmp/tcp.log"
out=$(printf 'exit\n' | "$bpfd" connect --token-file "$tmp/other" "$tcp_spec" 2>&1); rc=$?
check "another valid-looking token: refused with the reason" \
  eval "[[ $rc == 1 ]] && grep -q 'refused the connection: wrong token' <<<\"\$out\""

# One byte every 4 s: dropped at the handshake's deadline (5 s from accept), not held.
python3 - "$port" >"$tmp/slow.out" <<'PY'
import socket, sys, time, select
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
t0 = time.monotonic(); s.recv(200)
for i in range(10):
    try: s.send(b"a")
    except OSError: break
    if select.select([s], [], [], 4)[0]:
        try: d = s.recv(200)
        except OSError: break
        if d == b"" or b"BPFD_AUTH_FAIL" in d: break
print("%.1f" % (time.monotonic() - t0))
PY
held=$(cat "$tmp/slow.out")
check "one byte every 4 s: cut at the 5 s deadline (held ${held} s)" \
  python3 -c "import sys; sys.exit(not 4.5 <= float('$held') <= 6.5)"
check "the deadline logged" grep -q "refused: no answer to the challenge within 5 s" "$tmp/tcp.log"

# 500 idle connections, then a real client: in within 1 s.
python3 - "$port" "$bpfd" "$tmp/token" "$tcp_spec" >"$tmp/idle.out" <<'PY'
import socket, sys, time, subprocess, resource
port, bpfd, token, spec = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(500)]
time.sleep(0.5)
t0 = time.monotonic()
out = subprocess.run([bpfd, "connect", "--token-file", token, spec], input=b"exit\n",
                     capture_output=True, timeout=30).stdout
print("ok" if b"STARTED_BPFD" in out else "no-banner", "%.3f" % (time.monotonic() - t0))
PY
read -r what secs <"$tmp/idle.out"
check "500 idle connections: a real client in within 1 s ($what in ${secs} s)" \
  python3 -c "import sys; sys.exit(not ('$what' == 'ok' and float('$secs') < 1.0))"
check "idle handshakes beyond the cap dropped and logged" grep -q "dropped: too many handshakes" "$tmp/tcp.log"
check "the listener itself still runs" kill -0 "$tcp_pid"

# An impostor on the port (the listener down): it learns no token, and the client refuses it.
python3 - "$bpfd" "$tmp/token" >"$tmp/impostor.out" <<'PY'
import socket, sys, subprocess, os, threading
bpfd, token = sys.argv[1], sys.argv[2]
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
port = srv.getsockname()[1]; seen = []
def serve():
    c, _ = srv.accept(); f = c.makefile("rwb")
    f.write(b"BPFD_AUTH hmac-sha256 " + os.urandom(32).hex().encode() + b"\n"); f.flush()
    seen.append(f.readline())
    f.write(b"BPFD_AUTH_OK " + os.urandom(32).hex().encode() + b"\nSTARTED_BPFD\n"); f.flush()
    c.close()
t = threading.Thread(target=serve); t.start()
p = subprocess.run([bpfd, "connect", "--token-file", token, "tcp:127.0.0.1:%d" % port],
                   input=b"exit\n", capture_output=True, timeout=30)
t.join()
secret = open(token, "rb").read().strip()
print(p.returncode, "leaked" if secret in seen[0] else "not-leaked", p.stderr.decode().strip())
PY
check "an impostor daemon: refused by the client" grep -q "^1 .*could not prove it knows the token" "$tmp/impostor.out"
check "an impostor daemon: never sees the token" grep -q "^1 not-leaked" "$tmp/impostor.out"

# --max-sessions: a third session while two run is refused, with the reason.
listen cap tcp:0 --token-file "$tmp/token" --max-sessions 2; cap_spec=$spec
mkfifo "$tmp/hold1" "$tmp/hold2"
for i in 1 2; do
  "$bpfd" connect --token-file "$tmp/token" "$cap_spec" <"$tmp/hold$i" >"$tmp/held$i.out" 2>&1 &
  pids+=($!)
  exec {fd}>"$tmp/hold$i"; eval "hold_fd$i=$fd"
done
for _ in $(seq 100); do grep -qs STARTED_BPFD "$tmp/held1.out" && grep -qs STARTED_BPFD "$tmp/held2.out" && break; sleep 0.05; done
# The daemon's end of an established tcp session runs a keepalive timer ("tr" 2 in
# /proc/net/tcp), so a half-open peer's session ends. Right after a reply the retransmit timer
# (1) runs until the peer's (possibly delayed) ACK: read again until that is over.
cap_port=$(printf '%04X' "${cap_spec##*:}")
for _ in $(seq 40); do
  timers=$(awk -v p=":$cap_port" '$2 ~ p"$" && $4 == "01" {split($6, t, ":"); print t[1]}' /proc/net/tcp | sort -u)
  [[ $timers == 02 ]] && break
  sleep 0.05
done
check "tcp sessions run a keepalive timer (timers: ${timers:-none})" test "$timers" = 02
out=$(printf 'exit\n' | "$bpfd" connect --token-file "$tmp/token" "$cap_spec" 2>&1); rc=$?
check "--max-sessions 2: the third refused, says why" \
  eval "[[ $rc == 1 ]] && grep -q 'too many sessions' <<<\"\$out\""
exec {hold_fd1}>&- {hold_fd2}>&-
sleep 0.3
out=$(printf 'exit\n' | "$bpfd" connect --token-file "$tmp/token" "$cap_spec" 2>&1)
check "--max-sessions 2: served again once they end" grep -qx STARTED_BPFD <<<"$out"

# --- unix: 0600 and the peer's credentials ---------------------------------------------------
listen unix "unix:$tmp/u.sock"; unix_spec=$spec
check "unix socket is 0600" test "$(stat -c %a "$tmp/u.sock")" = 600
out=$(printf 'exit\n' | "$bpfd" connect "$unix_spec" 2>&1)
check "unix, root peer: a session without a token" grep -qx STARTED_BPFD <<<"$out"
# (The binary must run as uid 65534: not under qemu-user here, whose aarch64/arm binfmt
# interpreter exits 1 for that uid.)
if [[ $(id -u) == 0 ]] && command -v setpriv >/dev/null &&
   setpriv --reuid 65534 --regid 65534 --clear-groups "$bpfd" --version >/dev/null 2>&1; then
  chmod 666 "$tmp/u.sock"  # as if someone loosened it: the credential check still holds
  out=$(printf 'exit\n' | setpriv --reuid 65534 --regid 65534 --clear-groups "$bpfd" connect "$unix_spec" 2>&1); rc=$?
  check "unix, uid 65534 on a loosened socket: refused by SO_PEERCRED" \
    eval "[[ $rc == 1 ]] && grep -q 'uid 65534 gid 65534 is not allowed' <<<\"\$out\""
  check "unix refusal logged with uid and pid" grep -q "^bpfd: unix uid 65534 pid [0-9]*: refused" "$tmp/unix.log"
  listen allowed "unix:$tmp/a.sock" --allow-uid 65534; a_spec=$spec
  check "--allow-uid: the socket belongs to that uid, 0600" \
    test "$(stat -c %u:%a "$tmp/a.sock")" = 65534:600
  out=$(printf 'exit\n' | setpriv --reuid 65534 --regid 65534 --clear-groups "$bpfd" connect "$a_spec" 2>&1)
  check "--allow-uid 65534: that uid gets a session" grep -qx STARTED_BPFD <<<"$out"
else
  skip "unix peer credentials for other uids" \
    "needs root, setpriv outside a user namespace and a binary that runs as uid 65534"
fi

# --- ssh: a HOST that looks like an option is refused before anything runs --------------------
out=$("$bpfd" connect "ssh:-oProxyCommand=touch $tmp/pwned:bpfd" </dev/null 2>&1); rc=$?
check "ssh:-oProxyCommand=…: refused, nothing run" \
  eval "[[ $rc != 0 && ! -e $tmp/pwned ]] && grep -q \"starts with '-'\" <<<\"\$out\""

kill "$tcp_pid"; wait "$tcp_pid" 2>/dev/null
check "the tcp listener stops cleanly" grep -q "listener stopped" "$tmp/tcp.log"
finish
