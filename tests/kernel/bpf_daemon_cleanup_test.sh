#!/bin/bash
# Session cleanup of the real daemon ($1): for each way a session can end (exit, EOF, SIGTERM,
# SIGINT, SIGHUP, EPIPE) it loads a program, attaches it to a tracepoint, opens a perf buffer,
# ends the session, and checks with bpftool that the program is gone and the exit status is 0.
# Needs root outside Bazel's sandbox and bpftool; otherwise it SKIPs with the reason.
set -u
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"
daemon=$(realpath "${1:?usage: bpf_daemon_cleanup_test.sh DAEMON}")  # $2 (arch) unused
bpftool=$(command -v bpftool || ls /usr/sbin/bpftool /sbin/bpftool 2>/dev/null | head -1)
if [ -z "$bpftool" ]; then skip cleanup "bpftool not installed"; finish; exit; fi
if ! "$bpftool" prog list >/dev/null 2>&1; then
  skip cleanup "bpftool prog list fails here (not root, or inside a sandbox)"; finish; exit
fi

prog_b64=twAAAAAAAACVAAAAAAAAAA==   # r0 = 0; exit

# prog_present NAME: 0 when a program with that name is loaded.
prog_present() { "$bpftool" prog show name "$1" 2>/dev/null | grep -q .; }

for mode in exit eof TERM INT HUP epipe; do
  name="bpfdt_$mode"
  coproc D { exec "$daemon" 2>/dev/null; }
  pid=$D_PID
  IFS= read -r -t 10 started <&"${D[0]}"
  if [ "$started" != STARTED_BPFD ]; then check "$mode: STARTED_BPFD" false; continue; fi
  send "BPF_PROG_LOAD 5 $name 16 GPL 0 $prog_b64"
  prog=${reply#bpf_prog_load: ret=}; prog=${prog%%$'\n'*}
  case $prog in
    -1) skip cleanup "bpf() gives EPERM here"; kill $pid; finish; exit ;;
    -38) skip cleanup "bpf() gives ENOSYS here (qemu-user)"; kill $pid; finish; exit ;;
  esac
  send "BPF_ATTACH_TRACEPOINT $prog syscalls sys_enter_getppid"
  tp=${reply#bpf_attach_tracepoint: ret=}; tp=${tp%%$'\n'*}
  send "BPF_OPEN_PERF_BUFFER -1 0 8"
  if ! prog_present "$name" || [ "${tp:0:1}" = - ]; then
    echo "setup failed in $mode: prog=$prog tracepoint=$tp"; failed=$((failed + 1))
  fi
  case $mode in
    exit) printf 'exit\n' >&"${D[1]}" ;;
    eof) exec {D[1]}>&- ;;
    TERM|INT|HUP)
      printf 'PERF_READER_POLL -1 0\n' >&"${D[1]}"  # blocked in a poll when the signal comes
      sleep 0.2
      kill -s $mode $pid ;;
    epipe)
      exec {D[0]}<&-
      printf 'BPF_CREATE_MAP 1 m 4 4 1 0\n' >&"${D[1]}" ;;
  esac
  rc=0
  wait $pid || rc=$?
  gone=0
  for _ in $(seq 100); do
    if ! prog_present "$name"; then gone=1; break; fi
    sleep 0.03
  done
  echo "$mode: exit status $rc, program gone: $gone"
  check "$mode cleans up and exits 0" test "$gone$rc" = 10
done
finish
