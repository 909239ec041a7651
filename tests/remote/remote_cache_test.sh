#!/bin/bash
# Issue 16: the host's store of large target files across runs (core/client/file_cache.h,
# FILE_READ_CACHED), through a real daemon (process transport). A second run receives BTF as a
# digest, not 5 MB, and reads the same bytes; /proc/kallsyms after a BPF program was loaded
# (new symbols, as after a module load or a reboot) crosses again whole and has them; a
# damaged stored copy is never served; the kernel's BTF read through bpf() (bpftool, bpftrace)
# is a digest on a second run too (SYS_BPF_CACHED); BPFD_REMOTE_CACHE=off stores nothing. Bytes are the
# library's own count (BPFD_REMOTE_STATS=2: per command and path). $1 bpfd, $2 the
# expected architecture.
set -u
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/remote_cache.sh"
bpfd=$(realpath "$1") arch=$2
lib=$(dirname "$bpfd")/libbpfd-remote.so
tmp=$(mktemp -d /tmp/bpfd-cache.XXXXXX)
holder=""
trap '[[ -n $holder ]] && kill "$holder" 2>/dev/null; rm -rf "$tmp"' EXIT

host_library_ready "the host's store of target files" "$arch" "bpf(), kallsyms addresses" || exit 0
[[ -r /sys/kernel/btf/vmlinux ]] || { skip "the host's store of target files" "no /sys/kernel/btf/vmlinux"; finish; exit; }

cache_reader "$tmp/read.py"  # each file's size and SHA-256 as the tool sees it; bpfdcache symbols
export BPFD_REMOTE_CACHE=$tmp/store
# run N: read.py through bpfd remote; its lines in $tmp/N, stderr (the traffic) in $tmp/N.err.
run() {
  BPFD_REMOTE_STATS=2 "$bpfd" remote --lib "$lib" --remote process -- /usr/bin/python3 "$tmp/read.py" \
    _bpfdcache /sys/kernel/btf/vmlinux /proc/kallsyms >"$tmp/$1" 2>"$tmp/$1.err"
  echo "--- run $1 (exit $?)"; cat "$tmp/$1"; grep -E "round trips|_CACHED" "$tmp/$1.err"
}
bytes() { cache_bytes "$tmp/$1.err" "$2"; }  # N PATH: FILE_READ_CACHED's bytes in run N
field() { cache_field "$tmp/$1" "$2" "$3"; }
btf=/sys/kernel/btf/vmlinux ks=/proc/kallsyms
local_btf=$(sha256sum <"$btf" | cut -d' ' -f1)

run 1
check "run 1: BTF read whole through the daemon ($(bytes 1 $btf) bytes), its bytes the kernel's" \
  eval "(( $(bytes 1 $btf) > $(stat -c %s $btf) )) && [[ $(field 1 $btf 3) == $local_btf ]]"
run 2
check "run 2: BTF is a digest from the store ($(bytes 2 $btf) bytes received), the same bytes" \
  eval "(( $(bytes 2 $btf) < 200 )) && [[ $(field 2 $btf 3) == $local_btf ]]"

# A BPF program named bpfdcache adds its symbol to kallsyms (bpf_jit_kallsyms), as a module
# load adds a module's: the stored kallsyms must not be served.
python3 -c 'import ctypes, struct, sys, time
insns = struct.pack("<BBhi", 0xb7, 0, 0, 0) + struct.pack("<BBhi", 0x95, 0, 0, 0)  # r0 = 0; exit
buf = ctypes.create_string_buffer(insns)
lic = ctypes.create_string_buffer(b"GPL")
attr = ctypes.create_string_buffer(128)
struct.pack_into("<IIQQIIQI", attr, 0, 1, 2, ctypes.addressof(buf), ctypes.addressof(lic), 0, 0, 0, 0)
attr[48:57] = b"bpfdcache"  # prog_name (socket filter, BPF_PROG_LOAD)
fd = ctypes.CDLL(None).syscall(321, 5, attr, 128)
print(fd, flush=True); time.sleep(60)' >"$tmp/holder" 2>&1 & holder=$!
for _ in $(seq 50); do [[ -s $tmp/holder ]] && break; sleep 0.1; done
jit=$(cat /proc/sys/net/core/bpf_jit_kallsyms 2>/dev/null)
if [[ $(grep -c _bpfdcache "$ks") -gt 0 ]]; then
  run 3
  check "run 3: kallsyms changed on the target, so it crossed whole ($(bytes 3 $ks) bytes) and has the new symbol" \
    eval "(( $(bytes 3 $ks) > 100000 )) && (( $(field 3 $ks 4) > 0 ))"
else
  skip "kallsyms after a program load" "the program did not reach kallsyms (bpf_jit_kallsyms=$jit; holder: $(head -c 80 "$tmp/holder"))"
fi
kill "$holder"; wait "$holder" 2>/dev/null; holder=""

# A damaged stored copy (every stored object changed in its last byte): all of it again.
for f in "$BPFD_REMOTE_CACHE"/objects/*; do printf 'X' | dd of="$f" bs=1 seek=$(($(stat -c %s "$f") - 1)) conv=notrunc status=none; done
run 4
check "run 4: a damaged stored BTF is not served: whole again ($(bytes 4 $btf) bytes), the kernel's bytes" \
  eval "(( $(bytes 4 $btf) > $(stat -c %s $btf) )) && [[ $(field 4 $btf 3) == $local_btf ]]"

# The kernel's BTF read through bpf() (BTF_GET_FD_BY_ID, OBJ_GET_INFO_BY_FD: bpftool, bpftrace,
# libbpf's btf__load_from_kernel_by_id), not the file: SYS_BPF_CACHED against the same store.
if command -v bpftool >/dev/null; then
  id=$(bpftool btf show | awk -F: '/name \[?vmlinux/ {print $1; exit}')
  local_dump=$(bpftool btf dump id "$id" format raw | sha256sum | cut -d' ' -f1)
  # dump N: bpftool's raw dump of the kernel's BTF through bpfd remote; its SHA-256 in $tmp/N.
  dump() {
    BPFD_REMOTE_STATS=2 "$bpfd" remote --lib "$lib" --remote process -- bpftool btf dump id "$id" format raw \
      2>"$tmp/$1.err" | sha256sum | cut -d' ' -f1 >"$tmp/$1"
    echo "--- dump $1"; grep -E "round trips|SYS_BPF" "$tmp/$1.err"
  }
  received() { awk '/received$/ {print $(NF-1)}' "$tmp/$1.err"; }  # N: all a run received
  dump b1
  check "bpftool btf dump id $id: the BTF crosses whole once ($(received b1) bytes), the kernel's types" \
    eval "(( $(received b1) > $(stat -c %s $btf) )) && [[ $(cat $tmp/b1) == $local_dump ]]"
  dump b2
  check "bpftool btf dump id $id again: $(received b2) bytes in all (a digest for the BTF), the same types" \
    eval "(( $(received b2) < 20000 )) && grep -q 'SYS_BPF_CACHED' '$tmp/b2.err' && [[ $(cat $tmp/b2) == $local_dump ]]"
  for f in "$BPFD_REMOTE_CACHE"/objects/*; do printf 'X' | dd of="$f" bs=1 seek=$(($(stat -c %s "$f") - 1)) conv=notrunc status=none; done
  dump b3
  check "bpftool btf dump id $id with the stored BTF damaged: whole again ($(received b3) bytes), the same types" \
    eval "(( $(received b3) > $(stat -c %s $btf) )) && [[ $(cat $tmp/b3) == $local_dump ]]"
else
  skip "the kernel's BTF through bpf() from the store" "no bpftool on this host"
fi

BPFD_REMOTE_CACHE=off run 5
check "BPFD_REMOTE_CACHE=off: plain FILE_READ, nothing stored" \
  eval "[[ $(bytes 5 $btf) == 0 ]] && grep -q 'FILE_READ $btf' '$tmp/5.err' && [[ $(field 5 $btf 3) == $local_btf ]]"
finish
