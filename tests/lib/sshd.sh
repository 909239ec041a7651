# A throw-away OpenSSH server on 127.0.0.1 for the ssh transport (tests and benchmarks).
#   start_sshd DIR   starts Debian's sshd with fresh keys in DIR; sets $sshd_port and
#                    $sshd_pid and puts a `ssh` wrapper first in PATH that uses the key.
#                    Returns 1 when OpenSSH is not usable here, 2 when sshd did not come
#                    up ($sshd_why says which).
start_sshd() {
  local dir=$1 ssh_bin
  sshd_why=""
  ssh_bin=$(command -v ssh)
  if [[ ! -x /usr/sbin/sshd || -z $ssh_bin ]] || ! command -v ssh-keygen >/dev/null; then
    sshd_why="OpenSSH not installed (tools/setup installs openssh-server)"; return 1
  fi
  [[ $(id -u) == 0 ]] || { sshd_why="sshd needs root here"; return 1; }
  ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
  ssh-keygen -q -t ed25519 -N '' -f "$dir/id"
  cp "$dir/id.pub" "$dir/authorized_keys"
  chmod 600 "$dir/authorized_keys"
  sshd_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  cat >"$dir/sshd_config" <<C
Port $sshd_port
ListenAddress 127.0.0.1
HostKey $dir/host_key
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $dir/sshd.pid
C
  mkdir -p /run/sshd
  /usr/sbin/sshd -D -e -f "$dir/sshd_config" 2>"$dir/sshd.log" &
  sshd_pid=$!
  # bpfd runs `ssh -T -o BatchMode=yes -p PORT HOST CMD`; the wrapper only adds the
  # throw-away identity and host-key policy.
  mkdir -p "$dir/bin"
  cat >"$dir/bin/ssh" <<W
#!/bin/sh
exec $ssh_bin -i $dir/id -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "\$@"
W
  chmod +x "$dir/bin/ssh"
  PATH="$dir/bin:$PATH"
  local _
  for _ in $(seq 100); do
    ssh -T -o BatchMode=yes -p "$sshd_port" root@127.0.0.1 true 2>/dev/null && return 0
    sleep 0.1
  done
  sshd_why="sshd did not come up: $(tail -3 "$dir/sshd.log")"
  return 2
}
