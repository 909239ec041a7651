#!/bin/bash
# A stand-in for a daemon that speaks the forwarding commands bpfd remote itself sends
# (SYS_UNAME, FILE_READ), for tests of the mode that need neither bpf() nor the host library.
# Run through `--remote cmd:'exec bash fake_fwd_daemon.sh'`. Environment:
#   FAKE_MACHINE, FAKE_RELEASE   what SYS_UNAME answers (x86_64, 6.1.0-fake)
#   FAKE_OLD=1                   answer every command "Command not recognized" (an old bpfd)
#   FAKE_KHEADERS=FILE           the content of /sys/kernel/kheaders.tar.xz (unset: ENOENT)
#   FAKE_LOG=FILE                every command line received is appended there
#   FAKE_PIDFILE=FILE            this daemon's pid is written there
#   FAKE_SIGLOG=FILE             "INT"/"QUIT" appended there when one of them reaches us
set -u
[[ -n ${FAKE_PIDFILE:-} ]] && echo $$ >"$FAKE_PIDFILE"
[[ -n ${FAKE_SIGLOG:-} ]] && { trap 'echo INT >>"$FAKE_SIGLOG"' INT; trap 'echo QUIT >>"$FAKE_SIGLOG"' QUIT; }
b64() { printf %s "$1" | base64 -w0; }
reply() { printf 'START_BPFD_OUTPUT\n'; printf '%s\n' "$@"; printf 'END_BPFD_OUTPUT\n'; }
echo STARTED_BPFD
while IFS= read -r line; do
  [[ -n ${FAKE_LOG:-} ]] && echo "$line" >>"$FAKE_LOG"
  read -r cmd arg _ <<<"$line"
  [[ $cmd == exit ]] && exit 0
  if [[ -n ${FAKE_OLD:-} ]]; then reply 'Command not recognized'; continue; fi
  case $cmd in
    SYS_UNAME)
      reply 'sys_uname: ret=0' "$(b64 Linux) $(b64 fakehost) $(b64 "${FAKE_RELEASE:-6.1.0-fake}") $(b64 '#1 SMP') $(b64 "${FAKE_MACHINE:-x86_64}")" ;;
    FILE_READ)
      path=$(base64 -d <<<"$arg")
      if [[ $path == /sys/kernel/kheaders.tar.xz && -n ${FAKE_KHEADERS:-} ]]; then
        reply "file_read: ret=$(stat -c %s "$FAKE_KHEADERS")" "$(base64 -w0 "$FAKE_KHEADERS")"
      else
        reply 'file_read: ret=-2'
      fi ;;
    *) reply 'Command not recognized' ;;
  esac
done
