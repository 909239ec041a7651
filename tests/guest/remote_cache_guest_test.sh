#!/bin/bash
# Issue 16: the host's store of target files (BPFD_REMOTE_CACHE, FILE_READ_CACHED) against a
# real kernel that changes: a qemu-system guest removes and loads a module (kallsyms loses and
# regains its symbols; its /sys/kernel/btf file goes and comes) and is then booted again (a new
# kallsyms under KASLR) with the same host store. Every read through bpfd remote must equal a
# read without the store (BPFD_REMOTE_CACHE=off) made right after it; an unchanged file crosses
# as a digest, a changed one whole.
# Usage: remote_cache_guest_test.sh GUEST HOST_BPFD LIBBPFD_REMOTE GUEST_BPFD GUEST_INIT
set -u
for f in sh_testing remote_cache; do source "$(dirname "$0")/../lib/$f.sh"; done  # runfiles or tree
usage="usage: remote_cache_guest_test.sh GUEST HOST_BPFD LIBBPFD_REMOTE GUEST_BPFD GUEST_INIT"
guest=${1:?$usage} host=$(realpath "${2:?$usage}") so=$(realpath "${3:?$usage}")
MODULE=vsock_loopback  # in every guest's initramfs, loaded at boot, used by nothing else
ks=/proc/kallsyms btf=/sys/kernel/btf/vmlinux mbtf=/sys/kernel/btf/$MODULE

if [[ -z ${GUEST_SOCK:-} ]]; then  # on the host: two boots sharing one host store
  if [[ $EUID != 0 ]]; then skip "the host store in the $guest guest" "needs root"; finish; exit; fi
  dir=$(mktemp -d /tmp/bpfd-rcg.XXXXXX)  # short: unix socket paths
  trap 'rm -rf "$dir"' EXIT
  export BPFD_REMOTE_CACHE=$dir/store CACHE_SCRATCH=$dir
  for boot in 1 2; do
    CACHE_BOOT=$boot GUEST_HOST_BPFD=$host "$(dirname "$(realpath "$0")")/run_guest.sh" "$guest" \
      "$(realpath "$4")" "$(realpath "$5")" "$dir/g$boot" "$(realpath "$0")" "$@"
    rc=$?
    [[ $rc == 3 ]] && { skip "the host store in the $guest guest" "kernel or qemu not cached: run tools/guest-setup"; finish; exit; }
    check "guest $guest, boot $boot: the store's suite passes (exit $rc; see above)" test "$rc" == 0
  done
  finish; exit
fi

# --- in run_guest.sh's COMMAND: the guest is up (boot $CACHE_BOOT) --------------------------
tmp=$(mktemp -d "${TEST_TMPDIR:-/tmp}/rcg.XXXXXX")
cache_reader "$tmp/read.py"
ctl() {
  python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(30)
s.sendall(sys.argv[2].encode() + b"\n"); print(s.makefile().readline().strip())' "$GUEST_CTL" "$1"
}
# read NAME: the three files through bpfd remote with the store, then without it (the truth);
# outputs in $tmp/NAME and $tmp/NAME.truth, traffic in $tmp/NAME.err.
read_files() {
  local r=("$host" remote --lib "$so" --remote "unix:$GUEST_SOCK" -- /usr/bin/python3 "$tmp/read.py" "[$MODULE]" "$btf" "$ks" "$mbtf")
  BPFD_REMOTE_STATS=2 "${r[@]}" >"$tmp/$1" 2>"$tmp/$1.err"
  BPFD_REMOTE_CACHE=off "${r[@]}" >"$tmp/$1.truth" 2>/dev/null
  echo "--- $1 (boot $CACHE_BOOT)"; cat "$tmp/$1"; grep _CACHED "$tmp/$1.err"
}
b() { cache_bytes "$tmp/$1.err" "$2"; }
f() { cache_field "$tmp/$1" "$2" "$3"; }
# same NAME: every file as read with the store equals the read without it.
same() { cmp -s "$tmp/$1" "$tmp/$1.truth" || { echo "with the store:"; cat "$tmp/$1"; echo "without:"; cat "$tmp/$1.truth"; return 1; }; }

if [[ $CACHE_BOOT == 1 ]]; then
  read_files first
  check "boot 1, first read: kallsyms crossed whole ($(b first $ks) bytes) and equals a read without the store" \
    eval "(( $(b first $ks) > 100000 )) && same first"
  read_files again
  check "boot 1, again: BTF and kallsyms are digests ($(b again $btf) and $(b again $ks) bytes), the same bytes" \
    eval "(( $(b again $btf) < 200 && $(b again $ks) < 200 )) && same again"
  r=$(ctl "module unload $MODULE")
  check "the guest removed $MODULE ($r)" test "$r" = "module ok"
  read_files unloaded
  check "after the module's removal: kallsyms whole again ($(b unloaded $ks) bytes), none of its symbols, its BTF gone; as without the store" \
    eval "(( $(b unloaded $ks) > 100000 && $(f unloaded $ks 4) == 0 )) && [[ $(f unloaded $mbtf 2) == -1 ]] && same unloaded"
  r=$(ctl "module load $MODULE")
  check "the guest loaded $MODULE again ($r)" test "$r" = "module ok"
  read_files loaded
  # Loaded where it was before, kallsyms is byte for byte the first boot's, which the store
  # still holds (it keeps 8 contents per path): then a digest is the right answer.
  [[ $(f loaded $ks 3) == $(f first $ks 3) ]] && how="as at first: a digest" || how="new: whole"
  check "after loading it: kallsyms $how ($(b loaded $ks) bytes), with its $(f loaded $ks 4) symbols; as without the store" \
    eval "(( $(f loaded $ks 4) > 0 )) && same loaded && { [[ '$how' == new* ]] && (( $(b loaded $ks) > 100000 )) || { [[ '$how' == as* ]] && (( $(b loaded $ks) < 200 )); }; }"
  f loaded $ks 3 >"$CACHE_SCRATCH/boot1.kallsyms"
else
  read_files rebooted
  before=$(cat "$CACHE_SCRATCH/boot1.kallsyms" 2>/dev/null)
  moved=$([[ $(f rebooted $ks 3) != "$before" ]] && echo "changed (KASLR)" || echo "unchanged")
  check "boot 2: kallsyms $moved across the reboot, $(b rebooted $ks) bytes; BTF a digest ($(b rebooted $btf) bytes); as without the store" \
    eval "(( $(b rebooted $btf) < 200 )) && same rebooted && { [[ '$moved' == unchanged ]] || (( $(b rebooted $ks) > 100000 )); }"
fi
rm -rf "$tmp"
finish
