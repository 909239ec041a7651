#!/bin/bash
# The ssh transport against a real OpenSSH server (Debian's openssh-server) started here on
# 127.0.0.1 with throw-away keys: the golden transcripts through `bpfd connect ssh:...`, and a
# dropped ssh link (the client SIGKILLed) whose daemon session still cleans up. $1 is bpfd.
set -u
lib="${TEST_SRCDIR:-$(dirname "$0")/..}/${TEST_WORKSPACE:-}/tests/lib"
[[ -d $lib ]] || lib=$(dirname "$0")/lib
source "$lib/sh_testing.sh"
source "$lib/transcripts.sh"
bpfd=$(realpath "${1:?usage: bpf_ssh_test.sh BPFD}")
sshd=/usr/sbin/sshd
if [[ ! -x $sshd ]] || ! command -v ssh >/dev/null || ! command -v ssh-keygen >/dev/null; then
  skip "ssh transport" "OpenSSH not installed (tools/setup installs openssh-server)"; finish; exit
fi
if [[ $(id -u) != 0 ]]; then skip "ssh transport" "sshd needs root here"; finish; exit; fi
tmp=$(mktemp -d /tmp/bpfd-ssh.XXXXXX)
trap '[[ -n ${sshd_pid:-} ]] && kill $sshd_pid; rm -rf "$tmp"' EXIT
ssh-keygen -q -t ed25519 -N '' -f "$tmp/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/id"
cp "$tmp/id.pub" "$tmp/authorized_keys"
chmod 600 "$tmp/authorized_keys"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$tmp/sshd_config" <<C
Port $port
ListenAddress 127.0.0.1
HostKey $tmp/host_key
AuthorizedKeysFile $tmp/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $tmp/sshd.pid
C
mkdir -p /run/sshd
"$sshd" -D -e -f "$tmp/sshd_config" 2>"$tmp/sshd.log" &
sshd_pid=$!
# The client side: bpfd runs `ssh -T -o BatchMode=yes -p PORT HOST CMD`; this wrapper, first
# in PATH, only adds the throw-away identity and host-key policy.
mkdir -p "$tmp/bin"
cat >"$tmp/bin/ssh" <<W
#!/bin/sh
exec $(command -v ssh) -i $tmp/id -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "\$@"
W
chmod +x "$tmp/bin/ssh"
export PATH="$tmp/bin:$PATH"
for _ in $(seq 100); do ssh -T -o BatchMode=yes -p "$port" root@127.0.0.1 true 2>/dev/null && break; sleep 0.1; done
check "sshd is up on 127.0.0.1:$port" ssh -T -o BatchMode=yes -p "$port" root@127.0.0.1 true
spec="ssh:root@127.0.0.1:$port:$bpfd"
via_ssh() { (only_stdio "$bpfd" connect "$spec") <"$1" >"$2" 2>"$3"; }
replay_transcripts ssh via_ssh

why=$(bpf_skip_reason via_ssh)
if [[ -n $why ]]; then skip "dropped ssh link cleans up" "$why"; finish; exit; fi
mkfifo "$tmp/fifo"
"$bpfd" connect "$spec" <"$tmp/fifo" >"$tmp/k.out" 2>&1 &
cpid=$!
exec {W}>"$tmp/fifo"
printf 'BPF_PROG_LOAD 5 sk%s 16 GPL 0 twAAAAAAAACVAAAAAAAAAA==\nBPF_ATTACH_TRACEPOINT 3 syscalls sys_enter_getpid\n' $$ >&$W
for _ in $(seq 100); do grep -q 'bpf_attach_tracepoint: ret=[0-9]' "$tmp/k.out" && break; sleep 0.05; done
check "over ssh: program loaded and attached" grep -q 'bpf_attach_tracepoint: ret=[0-9]' "$tmp/k.out"
pkill -9 -P $cpid ssh; kill -9 $cpid; wait $cpid 2>/dev/null; exec {W}>&-
gone=0
for _ in $(seq 200); do bpftool prog show name "sk$$" 2>/dev/null | grep -q . || { gone=1; break; }; sleep 0.05; done
check "dropped ssh link: the daemon's session unloaded the program" test $gone = 1
finish
