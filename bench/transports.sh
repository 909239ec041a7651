#!/usr/bin/env bash
# bench/transports.sh BPFD PROTOCOL_BENCH — the protocol's costs through each transport:
# protocol_bench --quick as a child on pipes (process), through `--listen` on unix and tcp
# sockets, and over ssh to a throw-away OpenSSH server on 127.0.0.1; then sessions per second
# accepted by a listener (connect, banner, exit; sequential), on unix (peer credentials), tcp
# with the token challenge and tcp without it. Needs root. ~2 min.
set -u
bpfd=$(realpath "${1:?usage: bench/transports.sh BPFD PROTOCOL_BENCH}")
pb=$(realpath "${2:?usage: bench/transports.sh BPFD PROTOCOL_BENCH}")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../tests/lib/sshd.sh"
tmp=$(mktemp -d /tmp/bpfd-bench.XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"' EXIT
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing

(umask 077; head -c 24 /dev/urandom | base64 >"$tmp/token")
"$bpfd" --listen "unix:$tmp/s.sock" >"$tmp/u.out" 2>/dev/null & pids+=($!)
"$bpfd" --listen tcp:0 --token-file "$tmp/token" >"$tmp/t.out" 2>/dev/null & pids+=($!)
# The same without the token challenge: the handshake's own cost, as a ratio in one run.
"$bpfd" --listen tcp:0 --allow-unauthenticated >"$tmp/o.out" 2>/dev/null & pids+=($!)
sleep 0.5
unix_spec=$(awk '{print $2}' "$tmp/u.out") tcp_spec=$(awk '{print $2}' "$tmp/t.out")
open_spec=$(awk '{print $2}' "$tmp/o.out")
export BPFD_TOKEN_FILE="$tmp/token"
specs=("" "$unix_spec" "$tcp_spec")
if start_sshd "$tmp"; then pids+=($sshd_pid); specs+=("ssh:root@127.0.0.1:$sshd_port:$bpfd")
else echo "ssh: skipped ($sshd_why)"; fi

for spec in "${specs[@]}"; do
  echo "=== ${spec:-process (child on pipes)} ==="
  if [[ -z $spec ]]; then "$pb" "$bpfd" --quick; else "$pb" "$bpfd" --quick --remote "$spec"; fi |
    grep -E '^(a\. (startup|connect)|b\. BPF_LOOKUP_ELEM round trip \(|c\. dump  100000|d\. )'
done

for spec in "$unix_spec" "$tcp_spec" "$open_spec"; do
  n=200
  t0=$(date +%s.%N)
  for _ in $(seq $n); do echo exit; done | while read -r _; do
    echo exit | "$bpfd" connect "$spec" >/dev/null || echo "connect failed"
  done
  t1=$(date +%s.%N)
  what=${spec%%:*}; [[ $spec == "$tcp_spec" ]] && what="tcp, token challenge"
  [[ $spec == "$open_spec" ]] && what="tcp, --allow-unauthenticated"
  python3 -c "print('sessions/s accepted by the listener on $what (connect + banner + exit, sequential, client process included): %.0f' % ($n / ($t1 - $t0)))"
done
