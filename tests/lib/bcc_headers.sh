# bcc_headers TMP: exports BCC_KERNEL_SOURCE for BCC tools run here (BCC compiles on the host)
# unless it is set: tools/setup's merged tree of Debian's linux-headers-amd64, else one merged
# into TMP/headers. Returns 1 (nothing exported) when there are none.
bcc_headers() {
  local tmp=$1 home c d common
  [[ -n ${BCC_KERNEL_SOURCE:-} ]] && return 0
  home=$(getent passwd "$(id -un)" | cut -d: -f6)
  for c in "${BPFD_CACHE:-}" "${XDG_CACHE_HOME:-$home/.cache}/bpfd" "$home/.cache/bpfd"; do
    [[ -n $c ]] || continue
    d=$(ls -d "$c"/bcc-headers/*/ 2>/dev/null | sort -V | tail -1)
    [[ -n $d && -f $d/.bpfd-complete ]] && { export BCC_KERNEL_SOURCE=${d%/}; return 0; }
  done
  common=$(ls -d /usr/src/linux-headers-*-common 2>/dev/null | sort -V | tail -1)
  if [[ -n $common && -d ${common%-common}-amd64 ]]; then
    mkdir -p "$tmp/headers" && cp -a "$common/." "${common%-common}-amd64/." "$tmp/headers/" &&
      export BCC_KERNEL_SOURCE="$tmp/headers" && return 0
  fi
  return 1
}
