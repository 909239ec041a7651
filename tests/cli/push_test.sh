#!/usr/bin/env bash
# bpfd push adb[:SERIAL]: picks the release binary for the device's `uname -m`, copies it and
# checks it runs there. The device is a stand-in adb (first in PATH) whose shell runs here.
set -u
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"
bin="$(realpath "$1")" arch="$2"
tmp=$(mktemp -d "${TEST_TMPDIR:-/tmp}/push.XXXXXX")
declare -A uname_m=([x86_64]=x86_64 [aarch64]=aarch64 [armv7]=armv7l)
mkdir -p "$tmp/bin" "$tmp/rel" "$tmp/dev"
cat >"$tmp/bin/adb" <<A
#!/bin/sh
echo "adb \$*" >>"$tmp/adb.log"
[ "\$1" = -s ] && shift 2
case "\$1" in
  push) cp "\$2" "\$3" ;;
  shell) shift; [ "\$*" = "uname -m" ] && { echo ${uname_m[$arch]}; exit 0; }; exec sh -c "\$*" ;;
  *) exit 1 ;;
esac
A
chmod +x "$tmp/bin/adb"
export PATH="$tmp/bin:$PATH"
cp "$bin" "$tmp/rel/bpfd"
cp "$bin" "$tmp/rel/bpfd-$arch"

out=$("$tmp/rel/bpfd" push adb:SER123 --to "$tmp/dev" 2>&1); rc=$?
echo "$out"
check "push exits 0" test $rc = 0
check "push says what it pushed" grep -q "pushed .*/bpfd-$arch to $tmp/dev/bpfd ($arch)" <<<"$out"
check "the device has an executable bpfd" test -x "$tmp/dev/bpfd"
check "adb was told the serial" grep -q -- "-s SER123 push" "$tmp/adb.log"
rm "$tmp/rel/bpfd-$arch"
out=$("$tmp/rel/bpfd" push adb --to "$tmp/dev" 2>&1); rc=$?
check "missing release binary: exit 1 and what to do" bash -c \
  "test $rc = 1 && grep -q 'bazel build //:release' <<<'$out'"
out=$("$tmp/rel/bpfd" push ssh:host 2>&1); rc=$?
check "push needs adb: exit 2" test $rc = 2
finish
