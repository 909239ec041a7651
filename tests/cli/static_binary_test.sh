#!/usr/bin/env bash
# The binary is a static ELF for the expected machine: no PT_INTERP, no DT_NEEDED, no
# dynamic section at all; and it fits the size budget (stripped, ≤ 1.5 MB).
set -u
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"
bin="$1" arch="$2"
hdr="$(readelf -h "$bin")" phdrs="$(readelf -lW "$bin")" dyn="$(readelf -dW "$bin")"
declare -A machine=([x86_64]="Advanced Micro Devices X86-64" [aarch64]="AArch64" [armv7]="ARM")
declare -A class=([x86_64]=ELF64 [aarch64]=ELF64 [armv7]=ELF32)

check "elf machine is $arch" grep -q "Machine: *${machine[$arch]}\$" <<<"$hdr"
check "elf class ${class[$arch]}" grep -q "Class: *${class[$arch]}" <<<"$hdr"
check "executable (ET_EXEC, not PIE needing a loader)" grep -q "Type: *EXEC" <<<"$hdr"
check "no PT_INTERP" bash -c '! grep -q INTERP <<<"$1"' _ "$phdrs"
check "no DT_NEEDED" bash -c '! grep -q NEEDED <<<"$1"' _ "$dyn"
check "no dynamic section" grep -q "no dynamic section" <<<"$dyn"
check "stripped (no .symtab)" bash -c '! readelf -SW "$1" | grep -q "\.symtab"' _ "$bin"
if [[ $arch == armv7 ]]; then
  attrs="$(readelf -A "$bin")"
  check "armv7 hard-float ABI" grep -q "Tag_ABI_VFP_args: VFP registers" <<<"$attrs"
  check "armv7 CPU arch" grep -q "Tag_CPU_arch: v7$" <<<"$attrs"
  check "armv7 baseline FPU VFPv3-D16" grep -q "Tag_FP_arch: VFPv3-D16" <<<"$attrs"
  check "armv7 does not require NEON" bash -c '! grep -q "Tag_Advanced_SIMD_arch" <<<"$1"' _ "$attrs"
fi
size=$(stat -L -c %s "$bin")
echo "size: $size bytes"
check "size $size ≤ 1.5 MB" test "$size" -le 1572864
finish
