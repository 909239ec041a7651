#!/bin/sh
# embed.sh NAME ARCH FILE... > objects.cc: the BPF objects, gzipped (their DWARF, which the
# BTF needs at compile time, is most of their size and compresses well), as byte arrays and
# the table core/bpf/builtin.cc looks them up in (gzip and od only: both on every Debian).
set -eu
echo '#include "core/bpf/builtin.h"'
echo 'namespace bpfd {'
echo 'namespace {'
i=0
table=""
while [ $# -ge 3 ]; do
  echo "alignas(8) const unsigned char kObject$i[] = {"
  gzip -9 -n -c "$3" | od -An -v -tx1 | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'
  echo '};'
  table="$table  {\"$1\", \"$2\", {kObject$i, sizeof(kObject$i)}},
"
  i=$((i + 1))
  shift 3
done
echo '}  // namespace'
echo 'extern const BuiltinObject kBuiltinObjects[] = {'
printf '%s' "$table"
echo '};'
echo "extern const size_t kBuiltinObjectCount = $i;"
echo '}  // namespace bpfd'
