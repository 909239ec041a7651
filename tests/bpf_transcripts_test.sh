#!/bin/bash
# Golden transcripts: pipes each tests/transcripts/NAME.in into the daemon ($1) and diffs its
# stdout with NAME.out byte for byte. NAME starting with "bpf_" needs a working bpf() (root,
# outside Bazel's sandbox). Where bpf() is ENOSYS (qemu-user) they are compared with
# NAME.enosys.out instead (every kernel call answered -38, never a crash or a hang); where it
# is otherwise unavailable they are skipped with the reason printed.
set -u
# $2 (the expected architecture, passed by the Bazel macro) is not needed here.
daemon=$(realpath "${1:?usage: transcripts_test.sh DAEMON}")
if [ -n "${TRANSCRIPT_DIR:-}" ]; then
  dir=$TRANSCRIPT_DIR
elif [ -n "${TEST_SRCDIR:-}" ] && [ -d "$TEST_SRCDIR/${TEST_WORKSPACE:-}/tests/transcripts" ]; then
  dir=$TEST_SRCDIR/$TEST_WORKSPACE/tests/transcripts
else
  dir=$(dirname "$0")/transcripts
fi
tmp=${TEST_TMPDIR:-$(mktemp -d)}
if ! ls "$dir"/*.in >/dev/null 2>&1; then echo "FAIL: no transcripts in $dir"; exit 1; fi

# Runs the daemon with only stdin/stdout/stderr open, so fd numbers in replies are stable.
run_daemon() {
  (
    for fd in $(ls /proc/$BASHPID/fd); do
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
    done
    exec "$daemon"
  ) <"$1" >"$2" 2>"$3"
}

# Is bpf() usable here? Creating a tiny array map tells.
probe_in=$tmp/probe.in
printf 'BPF_CREATE_MAP 2 __none__ 4 4 1 0\n' >"$probe_in"
run_daemon "$probe_in" "$tmp/probe.out" "$tmp/probe.err"
bpf_skip=""
if ! grep -q '^bpf_create_map: ret=[0-9]' "$tmp/probe.out"; then
  case "$(grep -o 'ret=-[0-9]*' "$tmp/probe.out")" in
    ret=-1) bpf_skip="bpf() gives EPERM (not root, or inside Bazel's sandbox)" ;;
    ret=-38) bpf_skip="bpf() gives ENOSYS (qemu-user or a kernel without BPF)" ;;
    *) bpf_skip="bpf() unusable: $(head -c 200 "$tmp/probe.out" | tr '\n' ' ')" ;;
  esac
fi

pass=0 fail=0 skip=0
for in in "$dir"/*.in; do
  name=$(basename "$in" .in)
  golden=$dir/$name.out
  if [[ $name == bpf_* && -n $bpf_skip ]]; then
    if [[ $bpf_skip == *ENOSYS* && -f $dir/$name.enosys.out ]]; then
      golden=$dir/$name.enosys.out name="$name (ENOSYS)"
    else
      echo "SKIP $name: $bpf_skip"
      skip=$((skip + 1))
      continue
    fi
  fi
  run_daemon "$in" "$tmp/actual" "$tmp/err"
  rc=$?
  if [ $rc -ne 0 ]; then
    echo "FAIL $name: daemon exited with $rc"; cat "$tmp/err"
    fail=$((fail + 1))
  elif ! cmp -s "$golden" "$tmp/actual"; then
    echo "FAIL $name:"; diff -u "$golden" "$tmp/actual" | head -50
    fail=$((fail + 1))
  else
    echo "PASS $name"
    pass=$((pass + 1))
  fi
done
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
