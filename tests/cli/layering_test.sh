#!/usr/bin/env bash
# The direction of dependencies, file by file (docs/architecture.md): Bazel's deps and
# visibility stop a package from linking the wrong side, but a header reached through a
# permitted dep could still be included from a side that must not see it. Every
# #include "core/<pkg>/..." of every source is checked against the rules below.
# Args: the source files (core/*/, cmd/, preload/).
set -uo pipefail
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"

# Which core packages each place may include, besides its own.
declare -A allowed=(
  [core/base]=""
  [core/bpf]=""
  [core/wire]="base"
  [core/kernel]="base wire"
  [core/selftest]="base wire kernel"
  [core/daemon]="base wire kernel selftest client/backend.h"
  [core/client]="base wire"
  [core/output]="base wire client"
  [cmd]="base wire client daemon output bpf"
  [preload]="base wire client"
)

# violations FILE...: prints "file: includes core/x/y.h" for each include the rules forbid.
violations() {
  local f dir inc target ok a
  for f in "$@"; do
    dir=${f%/*}
    dir=${dir#*/bpfd/}  # runfiles paths end in the workspace-relative path
    [[ -v "allowed[$dir]" ]] || { echo "$f: not in any known package"; continue; }
    while read -r inc; do
      target=${inc#core/}
      [[ "core/${target%%/*}" == "$dir" ]] && continue
      ok=0
      for a in ${allowed[$dir]}; do
        [[ $a == "${target%%/*}" || $a == "$target" ]] && ok=1
      done
      ((ok)) || echo "$f: includes $inc"
    done < <(sed -n 's/^#include "\(core\/[^"]*\)".*/\1/p' "$f")
  done
}

files=()
for f in "$@"; do files+=("$f"); done
check "sources given" test ${#files[@]} -gt 50
out=$(violations "${files[@]}")
check "every include follows the layering rules" test -z "$out"
[[ -z $out ]] || echo "$out"

# The check itself can fail: a client file including a kernel header, a preload file
# including the daemon, and a kernel file including the client are all caught.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/core/client" "$tmp/preload" "$tmp/core/kernel"
printf '#include "core/kernel/tracefs.h"\n' >"$tmp/core/client/bad.cc"
printf '#include "core/daemon/session.h"\n' >"$tmp/preload/bad.cc"
printf '#include "core/client/call.h"\n#include "core/wire/tokens.h"\n' >"$tmp/core/kernel/bad.cc"
bad=$(cd "$tmp" && violations core/client/bad.cc preload/bad.cc core/kernel/bad.cc)
check "a forbidden include is reported (3 of 3)" test "$(wc -l <<<"$bad")" -eq 3
finish
