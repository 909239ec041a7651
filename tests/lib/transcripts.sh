# Golden transcripts, shared by the daemon and transport tests. Source after sh_testing.sh.
#   transcript_dir                 prints the directory of tests/transcripts
#   bpf_skip_reason RUNNER         "" when bpf() works through RUNNER, else why not
#   replay_transcripts LABEL RUNNER
# RUNNER IN OUT ERR runs one session (stdin IN, stdout OUT, stderr ERR) and returns the
# daemon's exit status. Each NAME.in is compared byte for byte with NAME.out; bpf_* ones need
# a working bpf(): with ENOSYS (qemu-user) they are compared with NAME.enosys.out, otherwise
# skipped with the reason.

transcript_dir() {
  if [[ -n ${TRANSCRIPT_DIR:-} ]]; then echo "$TRANSCRIPT_DIR"
  elif [[ -n ${TEST_SRCDIR:-} && -d $TEST_SRCDIR/${TEST_WORKSPACE:-}/tests/transcripts ]]; then
    echo "$TEST_SRCDIR/$TEST_WORKSPACE/tests/transcripts"
  else echo "$(dirname "${BASH_SOURCE[0]}")/../transcripts"; fi
}

# Runs "$@" with only stdin/stdout/stderr open, so fd numbers in replies are stable.
only_stdio() {
  local fd
  for fd in $(ls /proc/$BASHPID/fd); do
    if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
  done
  exec "$@"
}

bpf_skip_reason() {
  local runner=$1 t=${TEST_TMPDIR:-/tmp}
  printf 'BPF_CREATE_MAP 2 __none__ 4 4 1 0\n' >"$t/probe.in"
  "$runner" "$t/probe.in" "$t/probe.out" "$t/probe.err"
  grep -q '^bpf_create_map: ret=[0-9]' "$t/probe.out" && return 0
  case "$(grep -o 'ret=-[0-9]*' "$t/probe.out")" in
    ret=-1) echo "bpf() gives EPERM (not root, or inside Bazel's sandbox)" ;;
    ret=-38) echo "bpf() gives ENOSYS (qemu-user or a kernel without BPF)" ;;
    *) echo "bpf() unusable: $(head -c 200 "$t/probe.out" "$t/probe.err" | tr '\n' ' ')" ;;
  esac
}

replay_transcripts() {
  local label=$1 runner=$2 dir t=${TEST_TMPDIR:-/tmp} in name golden why rc
  dir=$(transcript_dir)
  ls "$dir"/*.in >/dev/null 2>&1 || { check "$label: transcripts found in $dir" false; return; }
  why=$(bpf_skip_reason "$runner")
  for in in "$dir"/*.in; do
    name=$(basename "$in" .in) golden=$dir/$name.out
    if [[ $name == bpf_* && -n $why ]]; then
      if [[ $why == *ENOSYS* && -f $dir/$name.enosys.out ]]; then
        golden=$dir/$name.enosys.out name="$name (ENOSYS)"
      else
        skip "$label $name" "$why"; continue
      fi
    fi
    "$runner" "$in" "$t/actual" "$t/err"; rc=$?
    if ((rc != 0)); then
      echo "$label $name: exit status $rc"; cat "$t/err"
    elif ! cmp -s "$golden" "$t/actual"; then
      diff -u "$golden" "$t/actual" | head -40
    fi
    check "$label $name" eval "((rc == 0)) && cmp -s '$golden' '$t/actual'"
  done
}
