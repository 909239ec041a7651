#!/bin/bash
# The ssh transport against a real OpenSSH server (Debian's openssh-server) started here on
# 127.0.0.1 with throw-away keys: the golden transcripts through `bpfd connect ssh:...`, and a
# dropped ssh link (the client SIGKILLed) whose daemon session still cleans up. $1 is bpfd.
set -u
lib="${TEST_SRCDIR:-$(dirname "$0")/../..}/${TEST_WORKSPACE:-}/tests/lib"
[[ -d $lib ]] || lib=$(dirname "$0")/../lib
source "$lib/sh_testing.sh"
source "$lib/transcripts.sh"
bpfd=$(realpath "${1:?usage: bpf_ssh_test.sh BPFD}")
source "$lib/sshd.sh"
tmp=$(mktemp -d /tmp/bpfd-ssh.XXXXXX)
trap '[[ -n ${sshd_pid:-} ]] && kill $sshd_pid; rm -rf "$tmp"' EXIT
start_sshd "$tmp"; rc=$?
if ((rc == 1)); then skip "ssh transport" "$sshd_why"; finish; exit; fi
check "sshd is up on 127.0.0.1 ($sshd_why)" test $rc = 0
spec="ssh:root@127.0.0.1:$sshd_port:$bpfd"
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
