#!/bin/bash
# bpfd remote without the host library: argument errors, finding the library, the
# environment and connection it hands to the tool (ARCH, LD_PRELOAD, BPFD_REMOTE_FDS usable
# for protocol lines), exit statuses, Ctrl-C reaching the tool only, --kheaders, and that the
# daemon's session ends with the tool (exits, is killed, or leaves a child holding it).
# The daemon is tests/lib/fake_fwd_daemon.sh (SYS_UNAME, FILE_READ); a real one where it can
# answer. $1 is bpfd, $2 the expected architecture.
set -u
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"
bpfd=$(realpath "$1") arch=$2
fake="${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/fake_fwd_daemon.sh"
tmp=$(mktemp -d "${TEST_TMPDIR:-/tmp}/remote-mode.XXXXXX")
bg=()
trap 'for p in "${bg[@]}"; do kill -9 $p 2>/dev/null; done; rm -rf "$tmp"' EXIT
unset ARCH BCC_KERNEL_SOURCE BPFD_REMOTE_LIB BCC_REMOTE BCC_REMOTE_ARGS LD_PRELOAD
export BPFD_CACHE="$tmp/cache"
: >"$tmp/dummy.so"  # ld.so ignores it (with a warning): the mode is tested, not the library
lib="$tmp/dummy.so" F="cmd:exec bash $fake"
remote() { "$bpfd" remote --lib "$lib" --remote "$F" "$@"; }
gone() { ! kill -0 "$1" 2>/dev/null; }
quiet() { ! grep -v "^ERROR: ld.so: object '$lib'" "$1" | grep -q .; }  # but the dummy's warning
waitfile() { for _ in $(seq 200); do [[ -s $1 ]] && return 0; sleep 0.05; done; return 1; }

# --- arguments -------------------------------------------------------------------------
"$bpfd" remote --help >"$tmp/out"; rc=$?
check "--help: exit 0, the usage" eval "[[ $rc == 0 ]] && grep -q '^Usage: bpfd remote' '$tmp/out'"
for bad in "" "--" "--bogus -- true" "--remote" "--lib" "--remote nope:x -- true"; do
  "$bpfd" remote $bad >/dev/null 2>"$tmp/err"; rc=$?
  check "usage error '$bad': exit 2, says why" eval "[[ $rc == 2 ]] && head -1 '$tmp/err' | grep -q '^bpfd remote: '"
done

# --- finding the library ---------------------------------------------------------------
mkdir -p "$tmp/bin" "$tmp/rel/bin" "$tmp/rel/lib/bpfd"
cp "$bpfd" "$tmp/bin/bpfd"; cp "$bpfd" "$tmp/rel/bin/bpfd"; ln -s bpfd "$tmp/bin/bpfd-remote"
"$tmp/bin/bpfd" remote --remote "$F" -- true 2>"$tmp/err"; rc=$?
check "no library: exit 2, one line naming the bazel target" \
  eval "[[ $rc == 2 && \$(wc -l <'$tmp/err') == 1 ]] && grep -q 'bazel build //cmd:libbpfd-remote.so' '$tmp/err'"
cat "$tmp/err"
"$bpfd" remote --lib "$tmp/nonexistent.so" --remote "$F" -- true 2>"$tmp/err"; rc=$?
check "--lib missing: exit 2, says --lib" eval "[[ $rc == 2 ]] && grep -q -- '--lib $tmp/nonexistent.so' '$tmp/err'"
BPFD_REMOTE_LIB="$tmp/nonexistent.so" "$tmp/bin/bpfd" remote --remote "$F" -- true 2>"$tmp/err"; rc=$?
check "BPFD_REMOTE_LIB missing: exit 2, says so" eval "[[ $rc == 2 ]] && grep -q BPFD_REMOTE_LIB '$tmp/err'"
BPFD_REMOTE_LIB="$lib" "$tmp/bin/bpfd" remote --remote "$F" -- printenv LD_PRELOAD >"$tmp/out" 2>/dev/null
check "BPFD_REMOTE_LIB is used" grep -qx "$lib" "$tmp/out"
: >"$tmp/bin/libbpfd-remote.so"; : >"$tmp/rel/lib/bpfd/libbpfd-remote.so"
"$tmp/bin/bpfd-remote" --remote "$F" -- printenv LD_PRELOAD >"$tmp/out" 2>/dev/null; rc=$?
check "applet bpfd-remote finds the library beside the binary" \
  eval "[[ $rc == 0 ]] && grep -qx '$tmp/bin/libbpfd-remote.so' '$tmp/out'"
"$tmp/rel/bin/bpfd" remote --remote "$F" -- printenv LD_PRELOAD >"$tmp/out" 2>/dev/null
check "the library in ../lib/bpfd/ (release layout)" grep -qx "$tmp/rel/lib/bpfd/libbpfd-remote.so" "$tmp/out"

# --- the environment and the connection the tool gets ---------------------------------
LD_PRELOAD=/keep/me.so remote -- env >"$tmp/env" 2>/dev/null; rc=$?
check "env: exit 0" test $rc = 0
check "env: LD_PRELOAD is the library, then what was there" grep -qx "LD_PRELOAD=$lib:/keep/me.so" "$tmp/env"
check "env: BPFD_REMOTE_FDS=<read>,<write>" grep -qE '^BPFD_REMOTE_FDS=[0-9]+,[0-9]+$' "$tmp/env"
check "env: ARCH from the target's machine (x86_64 -> x86)" grep -qx "ARCH=x86" "$tmp/env"
check "env: no BCC_KERNEL_SOURCE without --kheaders" eval "! grep -q '^BCC_KERNEL_SOURCE=' '$tmp/env'"
for m in aarch64:arm64 arm64:arm64 armv7l:arm armv6l:arm arm:arm i686:x86 i386:x86 x86_64:x86 \
         riscv64:riscv64 ppc64le:ppc64le; do
  out=$(FAKE_MACHINE=${m%%:*} remote -- printenv ARCH 2>/dev/null)
  check "ARCH for machine ${m%%:*} is ${m#*:}" test "$out" = "${m#*:}"
done
out=$(ARCH=custom remote -- printenv ARCH 2>/dev/null)
check "ARCH already set is kept" test "$out" = custom
# The hand-over: nothing pending, both fds open and inheritable, the protocol usable on them.
remote -- bash -c 'IFS=, read -r r w <<<"$BPFD_REMOTE_FDS"
  echo SYS_UNAME >&$w
  while read -r l <&$r; do echo "$l"; [[ $l == END_BPFD_OUTPUT ]] && break; done' >"$tmp/out" 2>/dev/null
check "the tool speaks the protocol on BPFD_REMOTE_FDS (banner consumed, nothing pending)" \
  eval "[[ \$(head -1 '$tmp/out') == START_BPFD_OUTPUT ]] && grep -qx 'sys_uname: ret=0' '$tmp/out'"
remote -- bash -c 'IFS=, read -r r w <<<"$BPFD_REMOTE_FDS"; ((r > 2 && w > 2))' 2>/dev/null
check "the connection fds are not stdin/stdout/stderr" test $? = 0

# --- exit statuses ---------------------------------------------------------------------
remote -- sh -c 'exit 3' 2>/dev/null
check "the tool's exit status is ours (3)" test $? = 3
remote -- sh -c 'kill -TERM $$' 2>/dev/null
check "a tool ended by SIGTERM: exit 143" test $? = 143
remote -- /nonexistent/tool 2>"$tmp/err"; rc=$?
check "a tool that cannot run: exit 127, one line" \
  eval "[[ $rc == 127 && \$(wc -l <'$tmp/err') == 1 ]] && grep -q \"cannot run '/nonexistent/tool'\" '$tmp/err'"
cat "$tmp/err"
FAKE_OLD=1 remote -- true 2>"$tmp/err"; rc=$?
check "a daemon without the forwarding commands: exit 1, says to update it" \
  eval "[[ $rc == 1 ]] && grep -q 'predates' '$tmp/err'"
"$bpfd" remote --lib "$lib" --remote cmd:/nonexistent/bpfd -- true 2>"$tmp/err"; rc=$?
check "an unreachable daemon: exit 1" test $rc = 1

# --- the session ends with the tool ----------------------------------------------------
FAKE_PIDFILE="$tmp/d1" remote -- true 2>/dev/null
check "tool exits: the daemon has ended when bpfd remote returns" eval "waitfile '$tmp/d1' && gone \$(cat '$tmp/d1')"
FAKE_PIDFILE="$tmp/d2" remote -- bash -c "echo \$\$ >'$tmp/t2'; exec sleep 60" 2>"$tmp/err2" & p=$!; bg+=($p)
waitfile "$tmp/t2" && waitfile "$tmp/d2"
start=$(date +%s%N); kill -KILL "$(cat "$tmp/t2")"; wait $p; rc=$?; ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "tool SIGKILLed: exit 137 in ${ms} ms, the daemon ended on its own (EOF)" \
  eval "[[ $rc == 137 ]] && gone \$(cat '$tmp/d2') && ((ms < 2000)) && quiet '$tmp/err2'"
FAKE_PIDFILE="$tmp/d3" remote -- bash -c "sleep 60 & echo \$! >'$tmp/t3'" 2>"$tmp/err3"; rc=$?
bg+=("$(cat "$tmp/t3")")
check "a child of the tool keeps the session: the daemon is stopped anyway, with a note" \
  eval "[[ $rc == 0 ]] && gone \$(cat '$tmp/d3') && grep -q 'stopped it' '$tmp/err3'"
kill -9 "$(cat "$tmp/t3")" 2>/dev/null

# --- Ctrl-C: the terminal's process group gets it; the daemon (own session) does not ----
cat >"$tmp/tool.sh" <<EOF
trap 'echo interrupted; exit 5' INT
echo ready >'$tmp/ready'
while :; do sleep 0.1; done
EOF
FAKE_PIDFILE="$tmp/d4" FAKE_SIGLOG="$tmp/siglog" setsid "$bpfd" remote --lib "$lib" --remote "$F" \
  -- sh "$tmp/tool.sh" >"$tmp/out4" 2>/dev/null & p=$!; bg+=($p)
waitfile "$tmp/ready" && waitfile "$tmp/d4"
pgid=$(ps -o pgid= -p $p | tr -d ' ')
kill -INT -- "-$pgid"; wait $p; rc=$?
check "Ctrl-C (SIGINT to the process group): the tool handles it, its status is ours (5)" \
  eval "[[ $rc == 5 ]] && grep -qx interrupted '$tmp/out4'"
check "Ctrl-C did not reach the daemon, which ended with the session" \
  eval "[[ ! -s '$tmp/siglog' ]] && gone \$(cat '$tmp/d4')"

# --- --kheaders --------------------------------------------------------------------------
if command -v xz >/dev/null; then
  mkdir -p "$tmp/kh/include/linux"; echo '#define FAKE_KHEADERS 1' >"$tmp/kh/include/linux/fake.h"
  tar -cJf "$tmp/kh.tar.xz" -C "$tmp/kh" .
  want="$BPFD_CACHE/kheaders/6.1.0-kh-aarch64"
  for run in first second; do
    out=$(FAKE_RELEASE=6.1.0-kh FAKE_MACHINE=aarch64 FAKE_KHEADERS="$tmp/kh.tar.xz" FAKE_LOG="$tmp/khlog" \
          remote --kheaders -- printenv BCC_KERNEL_SOURCE 2>"$tmp/err"); rc=$?
    check "--kheaders ($run run): BCC_KERNEL_SOURCE is the cache dir with the headers" \
      eval "[[ $rc == 0 && '$out' == '$want' ]] && grep -q FAKE_KHEADERS '$want/include/linux/fake.h' && quiet '$tmp/err'"
  done
  check "--kheaders: fetched once, then cached" test "$(grep -c '^FILE_READ' "$tmp/khlog")" = 1
  out=$(BCC_KERNEL_SOURCE=/mine FAKE_LOG="$tmp/khlog2" remote --kheaders -- printenv BCC_KERNEL_SOURCE 2>/dev/null)
  check "--kheaders with BCC_KERNEL_SOURCE set: kept, nothing fetched" \
    eval "[[ '$out' == /mine ]] && ! grep -q FILE_READ '$tmp/khlog2'"
  FAKE_RELEASE=6.1.0-none remote --kheaders -- true 2>"$tmp/err"; rc=$?
  check "--kheaders, target without kheaders: exit 2, says modprobe kheaders" \
    eval "[[ $rc == 2 && \$(wc -l <'$tmp/err') == 1 ]] && grep -q 'modprobe kheaders' '$tmp/err'"
  cat "$tmp/err"
else
  skip "--kheaders" "xz is not installed here (apt-get install xz-utils)"
fi

# --- a real daemon (process transport) ---------------------------------------------------
"$bpfd" remote --lib "$lib" --remote process -- printenv ARCH >"$tmp/out" 2>"$tmp/err"; rc=$?
case $arch in x86_64) want=x86 ;; aarch64) want=arm64 ;; armv7) want=arm ;; esac
if grep -q predates "$tmp/err"; then
  skip "process daemon: ARCH from SYS_UNAME" "this daemon has no SYS_UNAME yet (branch fwd-daemon)"
  check "process daemon without SYS_UNAME: exit 1 with a clear line" eval "[[ $rc == 1 ]]"
else
  check "process daemon: exit 0, ARCH=$want from its SYS_UNAME" eval "[[ $rc == 0 ]] && grep -qx '$want' '$tmp/out'"
fi
finish
