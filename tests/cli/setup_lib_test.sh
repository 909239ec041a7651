#!/usr/bin/env bash
# The set-up's fetch logic (tools/lib/common.sh) against stand-in indexes and a stand-in apt:
# which suite's pool debian_orig takes a pinned tarball from, that it goes on to the next suite
# when one pool lacks the file, that a pin no suite lists fails in one line naming the suites
# tried, and that apt_get_robust pins a package whose download failed to the other version the
# indexes offer. (tools/fetch-check runs the same functions against Debian's real archive.)
# Usage: setup_lib_test.sh COMMON_SH WORKSPACE
set -uo pipefail
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"
lib=$1 workspace=$2
T=${TEST_TMPDIR:-$(mktemp -d)}
TOOL=t CACHE=$T/cache
mkdir -p "$CACHE"
# shellcheck source=../tools/lib/common.sh
source "$lib"
as_root() { "$@"; }

# --- workspace_pins --------------------------------------------------------------------------
pins=$(workspace_pins "$workspace")
check "WORKSPACE pins three Debian upstream tarballs" \
  test "$(echo "$pins" | grep -cE '^(libbpf|elfutils|zlib)_[0-9.a-z]+\.orig\.tar\.(gz|bz2|xz) [0-9a-f]{64}$')" = 3

# --- debian_orig over two suites ----------------------------------------------------------------
payload="the upstream tarball"
sha=$(printf '%s' "$payload" | sha256sum | cut -d' ' -f1)
other=$(printf 'x' | sha256sum | cut -d' ' -f1)
stanza() {  # PACKAGE VERSION DIRECTORY SHA FILE
  printf 'Package: %s\nVersion: %s\nDirectory: %s\nChecksums-Sha256:\n %s 20 %s\n %s 9 %s_%s.dsc\n\n' \
    "$1" "$2" "$3" "$4" "$5" "$other" "$1" "$2"
}
{ stanza zlib-decoy 1.0-1 pool/main/z/zlib-decoy "$sha" zlib_1.2.13.dfsg.orig.tar.bz2
  stanza zlib 1:1.2.13.dfsg-1+deb12u1 pool/updates/main/z/zlib "$sha" zlib_1.2.13.dfsg.orig.tar.bz2
} >"$T/security.Sources"
{ stanza zlib 1:1.2.13.dfsg-0 pool/main/z/zlib-old "$other" zlib_1.2.13.dfsg.orig.tar.bz2
  stanza zlib 1:1.2.13.dfsg-1 pool/main/z/zlib "$sha" zlib_1.2.13.dfsg.orig.tar.bz2
} >"$T/main.Sources"
source_indexes() {
  echo "$T/security.Sources http://mirror.invalid/debian-security bookworm-security"
  echo "$T/main.Sources http://mirror.invalid/debian bookworm"
}
# apt-helper: cat-file reads; download-file serves the main pool and answers 404 elsewhere, and
# checks the hash it is given, as apt's does.
cat >"$T/apt-helper" <<EOF
#!/bin/bash
case \$1 in
  cat-file) cat "\$2" ;;
  download-file)
    echo "\$2" >>"$T/fetched"
    [[ \$2 == http://mirror.invalid/debian/pool/main/z/zlib/* ]] || { echo "E: Failed to fetch \$2  404  Not Found"; exit 100; }
    printf '%s' "$payload" >"\$3"
    [[ \$4 == SHA256:\$(sha256sum "\$3" | cut -d' ' -f1) ]] || { echo "E: Hash Sum mismatch"; rm -f "\$3"; exit 100; } ;;
esac
EOF
chmod +x "$T/apt-helper"
APT_HELPER=$T/apt-helper

(debian_orig zlib_1.2.13.dfsg.orig.tar.bz2 "$sha" "$T/out") 2>"$T/err"
check "a pin the first suite's pool lacks comes from the next suite" \
  test "$(cat "$T/out" 2>/dev/null)" = "$payload"
check "the first suite was tried first, at its own pool path" \
  test "$(head -1 "$T/fetched")" = "http://mirror.invalid/debian-security/pool/updates/main/z/zlib/zlib_1.2.13.dfsg.orig.tar.bz2"
check "the second at the directory of the version listing the pinned sha256" \
  test "$(sed -n 2p "$T/fetched")" = "http://mirror.invalid/debian/pool/main/z/zlib/zlib_1.2.13.dfsg.orig.tar.bz2"
check "no partial file is left" test ! -e "$T/out.part"

: >"$T/fetched"
(debian_orig zlib_1.2.99.dfsg.orig.tar.bz2 "$sha" "$T/out2") 2>"$T/err"; rc=$?
check "a pin no suite lists fails" test "$rc" -ne 0
check "in one line naming the tarball and every suite tried" \
  bash -c '[[ $(wc -l <"$1") == 1 ]] && grep -q "^t: zlib_1.2.99.dfsg.orig.tar.bz2 .*(tried: bookworm-security bookworm;" "$1"' _ "$T/err"
check "and nothing was downloaded for it" test ! -s "$T/fetched"

# --- apt_get_robust ---------------------------------------------------------------------------
: >"$T/apt-calls"
apt-get() {
  echo "$*" >>"$T/apt-calls"
  if [[ " $* " == *" zlib1g=1:1.2.13.dfsg-1 "* ]]; then return 0; fi
  echo "E: Failed to fetch http://mirror.invalid/debian-security/pool/updates/main/z/zlib/zlib1g_1%3a1.2.13.dfsg-1%2bdeb12u1_amd64.deb  404  Not Found"
  return 100
}
apt-cache() {
  [[ $1 == madison && $2 == zlib1g ]] || return 1
  echo "    zlib1g | 1:1.2.13.dfsg-1+deb12u1 | http://mirror.invalid/debian-security bookworm-security/main amd64 Packages"
  echo "    zlib1g | 1:1.2.13.dfsg-1 | http://mirror.invalid/debian bookworm/main amd64 Packages"
}
apt_get_robust "$T/apt.log" install -y -- zlib1g python3; rc=$?
check "a package whose pool file is missing is retried at the other indexed version" test "$rc" = 0
check "the retry names it with that version, beside the packages asked for" \
  grep -qE '^(-o \S+ )*install -y zlib1g python3 zlib1g=1:1.2.13.dfsg-1$' <(sed -n 2p "$T/apt-calls")
apt-get() { echo "E: Unable to correct problems, you have held broken packages." ; return 100; }
apt_get_robust "$T/apt.log" install -y -- broken; rc=$?
check "a failure that is not a missing pool file is not retried" test "$rc" -ne 0
finish
