#!/bin/bash
# Boots bpfd in a qemu-system guest with Debian's kernel (cached by tools/guest-setup) and
# hands the host its daemon as a unix socket that `--remote unix:SOCK` names.
# Usage: run_guest.sh GUEST BPFD INIT DIR [COMMAND...]
#   GUEST    a guest id of tools/guest-setup: aarch64 | armv7 | x86_64 (Debian bookworm's 6.1)
#            or ARCH-SERIES, another kernel of that ARCH (aarch64-5.10, x86_64-5.10); its
#            ARCH (the part before '-') names the qemu; BPFD and INIT are static binaries for it
#   DIR      a new or empty directory (short path: it holds unix sockets) for the initramfs,
#            the sockets, console.log (the guest's kernel console) and scratch.img (16 MiB,
#            the guest's /dev/vda)
#   COMMAND  run on the host once the guest's daemon answered its banner, with GUEST_SOCK
#            (the daemon's socket), GUEST_SOCK_TRACEFS (a daemon whose kprobes and uprobes go
#            through kprobe_events/uprobe_events: BPFD_PROBE_API=tracefs), GUEST_CTL (the
#            init's control socket: tests/guest/init.cc) and GUEST_CONSOLE in its environment;
#            then the guest is powered off and COMMAND's status is returned. Without COMMAND:
#            prints the socket and waits until interrupted.
# Env: GUEST_BOOT_TIMEOUT (s, default 180), GUEST_COMMAND_TIMEOUT (s, default 600: then the
# guest's console is printed and the exit is 4), GUEST_HOST_BPFD (the client used for the ready
# check; default: `bpfd` in PATH), BPFD_CACHE. Exit: COMMAND's status; 3 guest assets not
# cached (run tools/guest-setup); 4 the guest failed (its last console lines are printed).
set -u
usage="usage: run_guest.sh GUEST BPFD INIT DIR [COMMAND...]"
arch=${1:?$usage} bpfd=${2:?$usage} init=${3:?$usage} dir=${4:?$usage}
shift 4
home=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}  # Bazel's tests have no HOME
cache="${BPFD_CACHE:-${XDG_CACHE_HOME:-$home/.cache}/bpfd}/guest/$arch"
boot_timeout=${GUEST_BOOT_TIMEOUT:-180} command_timeout=${GUEST_COMMAND_TIMEOUT:-600}
client=${GUEST_HOST_BPFD:-bpfd}

case ${arch%%-*} in
  aarch64) qemu=(qemu-system-aarch64 -M virt -cpu cortex-a57 -device virtio-serial-device
                 -device virtio-blk-device,drive=scratch)
           console=ttyAMA0 ;;
  armv7)   qemu=(qemu-system-arm -M virt -cpu cortex-a15 -device virtio-serial-device
                 -device virtio-blk-device,drive=scratch)
           console=ttyAMA0 ;;
  x86_64)  qemu=(qemu-system-x86_64 -M q35 -device virtio-serial-pci
                 -device virtio-blk-pci,drive=scratch) console=ttyS0 ;;
  *) echo "$usage (unknown GUEST '$arch')" >&2; exit 2 ;;
esac
command -v "$client" >/dev/null ||
  { echo "run_guest.sh: no host bpfd '$client': set GUEST_HOST_BPFD (e.g. bazel-bin/cmd/bpfd)" >&2; exit 2; }
if [[ ! -f $cache/vmlinuz || ! -f $cache/config || ! -f $cache/modules.order ]] ||
   ! command -v "${qemu[0]}" >/dev/null || ! command -v cpio >/dev/null; then
  echo "guest $arch: kernel or qemu not installed: run tools/guest-setup" >&2; exit 3
fi
(cd "$cache" && sha256sum -c --status SHA256SUMS) ||
  { echo "guest $arch: $cache does not match its SHA256SUMS: run tools/guest-setup" >&2; exit 3; }

mkdir -p "$dir" && dir=$(cd "$dir" && pwd)
sock=$dir/bpfd.sock tsock=$dir/bpfd-tracefs.sock ctl=$dir/ctl.sock log=$dir/console.log

# The initramfs: /init, /bpfd, /modules/{order,*.ko}, /boot/config-RELEASE; built
# unprivileged (owner set to root in the archive).
root=$dir/root
rm -rf "$root" && mkdir -p "$root/modules" "$root/boot"
cp "$cache/config" "$root/boot/config-$(cat "$cache/KERNEL_RELEASE")"
install -m 0755 "$init" "$root/init" && install -m 0755 "$bpfd" "$root/bpfd"
cp "$cache"/modules/*.ko "$root/modules/" && cp "$cache/modules.order" "$root/modules/order"
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$dir/initramfs.cpio" ||
  { echo "guest $arch: building the initramfs failed" >&2; exit 4; }

# A scratch disk (the guest's /dev/vda; init's "disk" load writes its first 4 MiB).
truncate -s 16M "$dir/scratch.img"

console_tail() { echo "--- guest $arch: last console lines ($log) ---" >&2; tail -n 30 "$log" >&2; }
rm -f "$sock" "$tsock" "$ctl" "$log"
"${qemu[@]}" -m 512 -smp 1 -nic none -display none -monitor none -no-reboot \
  -serial "file:$log" -kernel "$cache/vmlinuz" -initrd "$dir/initramfs.cpio" \
  -append "console=$console panic=-1 loglevel=4" \
  -drive "if=none,id=scratch,file=$dir/scratch.img,format=raw" \
  -chardev "socket,id=bpfd,path=$sock,server=on,wait=off" -device virtserialport,chardev=bpfd,name=bpfd \
  -chardev "socket,id=tfs,path=$tsock,server=on,wait=off" -device virtserialport,chardev=tfs,name=bpfd-tracefs \
  -chardev "socket,id=ctl,path=$ctl,server=on,wait=off" -device virtserialport,chardev=ctl,name=bpfd-ctl \
  2>"$dir/qemu.err" &
qpid=$!

poweroff() {  # asks init to power off; kills qemu if it is still there after 20 s
  kill -0 $qpid 2>/dev/null || return 0
  python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"poweroff\n"); s.recv(1)' \
    "$ctl" 2>/dev/null &
  local _
  for _ in $(seq 200); do kill -0 $qpid 2>/dev/null || break; sleep 0.1; done
  kill $qpid 2>/dev/null && echo "guest $arch: did not power off within 20 s; killed" >&2
  wait $qpid 2>/dev/null
}
trap 'poweroff' EXIT
trap 'exit 130' INT TERM

# Ready: the daemon's banner through the socket (each try waits up to 10 s for it).
t0=$(date +%s.%N) ready=""
while (($(date +%s) - ${t0%.*} < boot_timeout)); do
  if ! kill -0 $qpid 2>/dev/null; then
    echo "guest $arch: qemu ended before the daemon was ready: $(cat "$dir/qemu.err")" >&2
    console_tail; exit 4
  fi
  if grep -qE 'Kernel panic|init: powering off' "$log" 2>/dev/null; then
    echo "guest $arch: the guest failed while booting" >&2; sleep 1; console_tail; exit 4
  fi
  if [[ -S $sock ]] && printf 'exit\n' | timeout 15 "$client" connect "unix:$sock" 2>/dev/null | grep -qx STARTED_BPFD; then
    ready=1; break
  fi
  sleep 0.2
done
[[ -n $ready ]] || { echo "guest $arch: no daemon banner within $boot_timeout s" >&2; console_tail; exit 4; }
echo "guest $arch: ready in $(awk "BEGIN {printf \"%.1f\", $(date +%s.%N) - $t0}") s ($(cat "$cache/PACKAGE")); socket $sock" >&2

export GUEST_SOCK=$sock GUEST_SOCK_TRACEFS=$tsock GUEST_CTL=$ctl GUEST_CONSOLE=$log
if (($#)); then
  timeout -k 5 "$command_timeout" "$@"; rc=$?
  if ((rc == 124 || rc == 137)); then
    echo "guest $arch: COMMAND did not finish within $command_timeout s" >&2; rc=4
  elif grep -qE 'Kernel panic|Oops|BUG:' "$log"; then
    echo "guest $arch: the kernel complained" >&2; rc=4
  fi
  ((rc == 0)) || console_tail
  exit $rc
fi
echo "$sock"
wait $qpid
