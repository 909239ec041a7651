#!/bin/sh
# gen_syscall_names.sh musl/arch/<a>/bits/syscall.h.in... : one C++ array per file,
# kSyscalls_<a>[] = {{nr, "name"}, ...}, from its "#define __NR_<name> <nr>" lines.
set -eu
for f in "$@"; do
  a=$(basename "$f" .h.in)
  echo "constexpr SyscallName kSyscalls_${a}[] = {"
  sed -n 's/^#define __NR_\([a-z0-9_]*\)[[:space:]]*\([0-9][0-9]*\)[[:space:]]*$/    {\2, "\1"},/p' "$f"
  echo "};"
done
