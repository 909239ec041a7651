#!/bin/bash
# Issue 17: `bpfd run` against a qemu-system guest (run_guest.sh) through
# `--remote unix:<guest socket>`: the guest's daemon loads the object bpfd ships for the
# guest's architecture with its own libbpf and attaches it; the host prints. hardirqs uses
# classic tracepoints only, so it runs on armv7's kernel, which has no BTF. The guest's init
# makes disk I/O on request ("disk": interrupts of virtio-blk). No kernel headers anywhere:
# BCC_KERNEL_SOURCE is unset. biotop and filetop (the seed's other two demos) follow. Nothing
# may be left in the guest afterwards (no map: an
# object's programs hold its maps).
# A kprobe object built apart (no CO-RE, so no BTF needed) runs on every guest, armv7 included;
# one with a program per section prefix on the guests with BTF.
# Usage: run_guest_test.sh GUEST HOST_BPFD KPROBE_OBJECT SECTIONS_OBJECT GUEST_BPFD GUEST_INIT
set -u
for f in sh_testing guest_suite; do source "$(dirname "$0")/../lib/$f.sh"; done  # runfiles or tree
usage="usage: run_guest_test.sh GUEST HOST_BPFD KPROBE_OBJECT SECTIONS_OBJECT GUEST_BPFD GUEST_INIT"
guest=${1:?$usage} host=$(realpath "${2:?$usage}") kprobe_obj=$(realpath "${3:?$usage}")
sections_obj=$(realpath "${4:?$usage}")

if [[ -z ${GUEST_SOCK:-} ]]; then  # on the host: boot, then run this script inside
  guest_outer "bpfd run" "" "$guest" "$host" "$5" "$6" "$0" "$@"
fi

# --- in run_guest.sh's COMMAND: the guest is up --------------------------------------------
tmp=$(mktemp -d "${TEST_TMPDIR:-/tmp}/rg.XXXXXX")
ctl() {  # one line to the init's control port ("KIND RATE MS"), checked to have started
  local r; r=$(python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(30)
s.sendall(sys.argv[2].encode() + b"\n"); print(s.makefile().readline().strip())' "$GUEST_CTL" "$1")
  check "guest $guest: the init's '$1' load started ($r)" eval "[[ '$r' =~ ^${1%% *}\ [0-9]+$ ]]"
}
run() {  # NAME ARGS...: bpfd run ARGS... against the guest, output in $tmp/NAME{,.err}
  local name=$1; shift
  local start; start=$(date +%s%N)
  env -u BCC_KERNEL_SOURCE timeout 120 "$host" run "$@" --remote "unix:$GUEST_SOCK" >"$tmp/$name" 2>"$tmp/$name.err"
  rc=$? ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "--- bpfd run $* (exit $rc, ${ms} ms)"; head -8 "$tmp/$name"; head -4 "$tmp/$name.err"
}

ctl "disk 50 60000"
run hardirqs hardirqs -d 5
check "guest $guest: bpfd run hardirqs: BCC's header and an IRQ with its time" \
  eval "(( rc == 0 )) && head -1 '$tmp/hardirqs' | grep -qE '^HARDIRQ +TOTAL_usecs$' && grep -qE '^[a-z0-9_.-]+ +[0-9]+$' '$tmp/hardirqs'"
run hardirqs_json hardirqs -d 3 -j
check "guest $guest: bpfd run hardirqs -j: rows of {HARDIRQ, TOTAL_usecs}" \
  eval "(( rc == 0 )) && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d and all(set(r)=={\"HARDIRQ\",\"TOTAL_usecs\"} for r in d)' '$tmp/hardirqs_json'"

# biosnoop: CO-RE tracepoint contexts, relocated against the guest kernel's BTF, or on armv7
# (no BTF) against the BTF the daemon makes from the events' tracefs format files.
run biosnoop biosnoop -d 6
check "guest $guest: bpfd run biosnoop: BCC's header and rows of vda's I/O (exit $rc)" \
  eval "(( rc == 0 )) && head -1 '$tmp/biosnoop' | grep -qE '^TIME\\(s\\) +COMM +PID +DISK +T +SECTOR +BYTES +LAT\\(ms\\)$' && grep -qE '^[0-9]+\\.[0-9]{6} +.+ +[0-9]+ +vda +[RW] +[0-9]+ +[0-9]+ +[0-9]+\\.[0-9]{2}$' '$tmp/biosnoop'"

# biotop: tracepoints only, so on armv7 too; a table every second, cleared after each print.
ctl "disk 50 60000"
run biotop biotop -d 4
check "guest $guest: bpfd run biotop: loadavg lines, BCC's header and a row of vda's I/O (exit $rc)" \
  eval "(( rc == 0 )) && (( \$(grep -cE '^[0-9]{2}:[0-9]{2}:[0-9]{2} loadavg: [0-9.]+ ' '$tmp/biotop') >= 2 )) && grep -qE '^PID +COMM +D +MAJ +MIN +DISK +I/O +Kbytes +AVGms$' '$tmp/biotop' && grep -qE '^[0-9]+ +[^ ]+ +[RW] +[0-9]+ +[0-9]+ +vda +[0-9]+ +[0-9]+ +[0-9]+\.[0-9]{2}$' '$tmp/biotop'"

# filetop: the init's children read 4 KiB of /init each (a regular file). It finds the file
# behind each fd in the task's fd table (CO-RE): armv7's kernel has no BTF for that.
ctl "exec 20 60000"
run filetop filetop -d 4
if [[ $guest == armv7 ]]; then
  check "guest $guest: bpfd run filetop: exit 1, says the kernel has no BTF and to pass --btf" \
    eval "(( rc == 1 )) && grep -q 'has no BTF' '$tmp/filetop.err' && grep -q -- '--btf FILE' '$tmp/filetop.err'"
else
  check "guest $guest: bpfd run filetop: BCC's header and the init's reads of /init (exit $rc)" \
    eval "(( rc == 0 )) && grep -qE '^TID +COMM +READS +WRITES +R_Kb +W_Kb +T FILE$' '$tmp/filetop' && grep -qE '^[0-9]+ +init +[0-9]+ +0 +[0-9]+ +0 +R init$' '$tmp/filetop'"
fi

# kprobe/vfs_read, attached by the guest daemon's libbpf: the init's children read /init.
run kprobe "$kprobe_obj" -d 3
check "guest $guest: a kprobe object built apart: vfs_read calls by init (exit $rc)" \
  eval "(( rc == 0 )) && grep -qE '^key: \{\"comm\":\"init\"\} +value: [1-9][0-9]*$' '$tmp/kprobe'"

# Every section prefix: each program's slot of `hits` counted, or (fentry on arm64 before 6.4,
# which cannot attach a trampoline to a kernel function: no ftrace direct calls) the program
# reported as loaded but not attached, with the kernel's reason.
if [[ $guest == armv7 ]]; then
  skip "guest $guest: a program per section prefix" "tp_btf and fentry need the kernel's BTF, which armv7's kernel lacks"
else
  run sections "$sections_obj" -d 3 -j
  check "guest $guest: tracepoint, raw_tp, tp_btf, kprobe, kretprobe, uprobe, fentry, perf_event: each attached and hit (fentry on arm64: refused by the kernel, ENOTSUPP) (exit $rc)" \
    python3 -c 'import json, re, sys
names = ["tracepoint", "raw_tp", "tp_btf", "kprobe", "kretprobe", "uprobe", "fentry", "perf_event"]
out, err, guest = open(sys.argv[1]).read(), open(sys.argv[2]).read(), sys.argv[3]
hits = {e["formatted"]["key"]: e["formatted"]["value"] for e in json.loads(out.strip().splitlines()[-1])}
for i, n in enumerate(names):
    if hits.get(i, 0) > 0: continue
    if n == "fentry" and guest.startswith("aarch64") and re.search(r"s_fentry .*not attached: .*ENOTSUPP", err):
        print("fentry: not attached on arm64 before 6.4, as its kernel says"); continue
    sys.exit("%s: %d hits; stderr: %s" % (n, hits.get(i, 0), err.strip()))
print("hits:", [hits.get(i, 0) for i in range(len(names))])' "$tmp/sections" "$tmp/sections.err" "$guest"
fi

left=""
for _ in $(seq 10); do
  left=$("$host" mapdump --remote "unix:$GUEST_SOCK" list 2>&1 | tail -n +2)
  [[ -z $left ]] && break
  sleep 1
done
[[ -z $left ]] || echo "left in the guest: $left"
check "guest $guest: no map (so no object) left in the guest" test -z "$left"
rm -rf "$tmp"
finish
