#!/usr/bin/env bash
# The multicall front end: --version reports the linked libraries and the right arch;
# --help lists the modes; applet symlinks from --install select modes; `bpfd MODE`
# works the same; every mode is built and answers --help.
set -u
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"
bin="$(realpath "$1")" arch="$2"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"

ver="$("$bin" --version)"; rc=$?
echo "$ver"
check "--version exits 0" test $rc -eq 0
check "--version arch" grep -qx "arch: $arch (static, musl)" <<<"$ver"
check "--version libbpf 1.1.x" grep -qE '^libbpf: 1\.1(\.[0-9]+)? \(v1\.1\)$' <<<"$ver"
check "--version libelf 0.188" grep -qE '^libelf: 0\.188 ' <<<"$ver"
check "--version zlib 1.2.13" grep -qx 'zlib: 1.2.13' <<<"$ver"

help="$("$bin" --help)"
for m in daemon probes mapdump selftest remote ausyscall; do
  check "--help lists $m" grep -qE "^  $m " <<<"$help"
done

mkdir -p "$tmp/bin"
cp "$bin" "$tmp/bin/bpfd"
out="$("$tmp/bin/bpfd" --install "$tmp/bin")"
check "--install exits 0" test $? -eq 0
for a in bpf-probes bpf-mapdump bpf-selftest bpfd-remote ausyscall; do
  check "--install made $a" test "$(readlink "$tmp/bin/$a")" = "$tmp/bin/bpfd"
done
check "--install is idempotent" "$tmp/bin/bpfd" --install "$tmp/bin"
touch "$tmp/regular"; mkdir -p "$tmp/d2"; touch "$tmp/d2/bpf-probes"
check "--install refuses to replace a regular file" bash -c '! "$1" --install "$2" 2>/dev/null' _ "$bin" "$tmp/d2"
check "--install of a non-directory fails" bash -c '! "$1" --install "$2" 2>/dev/null' _ "$bin" "$tmp/regular"

check "unknown mode fails with exit 2" bash -c '"$1" frobnicate 2>/dev/null; test $? -eq 2' _ "$bin"
err="$("$bin" frobnicate 2>&1)"
check "unknown mode says what to do" grep -q "bpfd --help" <<<"$err"

# Every mode answers --help through both spellings, and none is a placeholder.
# (`bpfd --help` is the multicall usage, so the daemon's own help is `bpfd daemon --help`.)
for pair in daemon:bpfd probes:bpf-probes mapdump:bpf-mapdump selftest:bpf-selftest remote:bpfd-remote ausyscall:ausyscall; do
  mode=${pair%%:*} applet=${pair#*:}
  out1="$("$bin" "$mode" --help 2>&1)"; rc1=$?
  if [[ $mode != daemon ]]; then
    out2="$("$tmp/bin/$applet" --help 2>&1)"; rc2=$?
    check "$mode --help same via applet" test "$out1" = "$out2" -a $rc1 -eq $rc2
  fi
  check "$mode --help exits 0" test $rc1 -eq 0
  check "$mode is built (no placeholder)" bash -c '! grep -q "not built yet" <<<"$1"' _ "$out1"
done

# The daemon's probe API (kprobe/uprobe PMU or tracefs): a bad choice is refused before any
# session, from the option or the environment; a good one serves.
for bad in "--probe-api bogus" "BPFD_PROBE_API=bogus"; do
  if [[ $bad == --* ]]; then err=$(echo exit | "$bin" daemon $bad 2>&1); else err=$(echo exit | env "$bad" "$bin" 2>&1); fi
  check "daemon refuses $bad with exit 2" test $? -eq 2
  check "daemon says why for $bad" grep -q "is not auto, pmu or tracefs" <<<"$err"
done
for api in auto pmu tracefs; do
  check "daemon --probe-api $api serves" bash -c 'echo exit | "$1" daemon --probe-api "$2" | grep -qx STARTED_BPFD' _ "$bin" "$api"
done

# Closed stdio (OpenSSH's sanitise_stdfd): fds 0-2 closed at exec become /dev/null, so a file
# the daemon opens cannot take their place. With stderr closed, a FILE_OPEN would get fd 2 and
# the policy's refusal line would be written into that file.
f="$tmp/opened_as_fd2"
: >"$f"
p64=$(printf '%s' "$f" | base64 -w0)
printf 'FILE_OPEN %s 1 0\nSYS_BPF 6 AAAAAAAAAAAAAAAAAAAAAA==\nexit\n' "$p64" |
  "$bin" daemon >"$tmp/fd2_out" 2>&-
check "closed stderr: the daemon still serves" grep -qx STARTED_BPFD "$tmp/fd2_out"
check "closed stderr: the refusal did not go into the file it opened" test ! -s "$f"
"$bin" daemon 0<&- 1>&- 2>&-
check "stdin, stdout and stderr closed: the daemon sees EOF and exits 0" test $? -eq 0
finish
