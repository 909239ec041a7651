# Shell test helpers: `check NAME CMD...` records PASS/FAIL; `skip NAME REASON`; `finish`
# prints "N passed, N failed, N skipped" and exits 1 if anything failed. For a daemon run as
# `coproc D { exec bpfd ...; }`: `send LINE` sends one command line and `read_reply` reads one
# framed reply into $reply (status 1 when none came within 10 s). `mount_ns_unavailable`
# says why a private mount namespace cannot be made (nothing when it can). `host_library_ready`
# gates the tests of bpfd remote's host library on this kernel.
passed=0 failed=0 skipped=0
check() {
  local name="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "PASS $name"
  else failed=$((failed + 1)); echo "FAIL $name"; fi
}
skip() { skipped=$((skipped + 1)); echo "SKIP $1: $2"; }
finish() {
  echo "$passed passed, $failed failed, $skipped skipped"
  [[ $failed -eq 0 ]]
}

# host_library_ready WHAT ARCH WHY_ROOT: true on the x86_64 host as root (tracefs mounted),
# where bpfd remote's host library and bpf() work; else one SKIP for WHAT and the summary.
host_library_ready() {
  if [[ $2 != x86_64 ]]; then
    skip "$1" "the host library is for the x86_64 host; bpf() is ENOSYS under qemu-user ($2)"
  elif [[ $EUID != 0 ]]; then
    skip "$1" "needs root ($3)"
  else
    mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
    return 0
  fi
  finish
  return 1
}

read_reply() {
  reply=""
  local line
  while IFS= read -r -t 10 line <&"${D[0]}"; do
    [ "$line" = START_BPFD_OUTPUT ] && continue
    [ "$line" = END_BPFD_OUTPUT ] && return 0
    reply+="$line"$'\n'
  done
  return 1
}
send() { printf '%s\n' "$1" >&"${D[1]}"; read_reply; }

# Whether a private mount namespace can be made here: "" when it can, else why not. In a
# chroot whose root is not a mount point (a fresh-debian root), unshare -m cannot make "/"
# private, and mounting without that could leak into the machine's namespace.
mount_ns_unavailable() {
  local err
  err=$(unshare -m --propagation private true 2>&1) && return 0
  echo "unshare -m fails here (${err:-no reason}): the root is not a mount point, as in a chroot"
}
