#!/bin/bash
# Issue 17: `bpfd run` loads BPF objects with the daemon's static libbpf and attaches them by
# section name, here (in-process) and through a daemon (--remote process). A shipped tool
# (hardirqs) prints BCC's columns; an object compiled apart from bpfd (openat.bpf.o: a
# tracepoint, a ring buffer, a struct event) prints its records; a bad ELF, a verifier
# rejection, a CO-RE relocation no kernel satisfies, an acting helper or kfunc and a pinned map each
# fail with a clear error; records also arrive through a perf event array (openat_perf.bpf.o);
# nothing is left behind, SIGKILL included; and no kernel header is
# there to be read. $1 bpfd, $2 the expected architecture, then the test objects.
set -u
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"
bpfd=$(realpath "$1") arch=$2
filetop_obj=$(realpath "$3")  # the shipped filetop's x86_64 build, as a file
shift 3
# The objects built apart (tests/run/BUILD.bazel's _OBJECTS, in its order).
openat=$(realpath "$1") verifier=$(realpath "$2") core=$(realpath "$3") acting=$(realpath "$4")
pinned=$(realpath "$5") openat_perf=$(realpath "$6") readhist=$(realpath "$7")
profile=$(realpath "$8") kfunc=$(realpath "$9")
tmp=$(mktemp -d /tmp/bpfd-run.XXXXXX)
busy=""
trap '[[ -n $busy ]] && kill $busy 2>/dev/null; rm -rf "$tmp"' EXIT

check "--list names the shipped tools" eval "'$bpfd' run --list | grep -qx hardirqs"
if [[ $arch != x86_64 ]]; then
  out=$("$bpfd" run hardirqs -d 1 2>&1); rc=$?
  check "under qemu-user ($arch) it fails clearly, exit 1" eval "(( rc == 1 )) && grep -q 'bpfd run' <<<\"\$out\""
  echo "$out"
  skip "loading objects" "bpf() is ENOSYS under qemu-user ($arch)"
  finish; exit
fi
if [[ $EUID != 0 ]]; then skip "bpfd run" "needs root (bpf())"; finish; exit; fi

ours() { bpftool prog show 2>/dev/null | grep -cE "name (handle_openat|on_entry|on_exit|on_queue|on_issue|on_complete|enter_[a-z0-9]+|exit_[a-z0-9]+|on_sample|unchecked|missing_field|kill_openers|count) " ; }
nothing_left() { check "$1: none of its programs is left in the kernel" eval "(( \$(ours) == 0 ))"; }
# Activity for the tools: opens of a known file, and direct disk I/O (interrupts).
(while :; do cat /etc/hostname >/dev/null; dd if=/dev/zero of="$tmp/io" bs=64k count=16 oflag=direct 2>/dev/null; sleep 0.05; done) &
busy=$!

nothing_left "before"
# No kernel headers anywhere: BCC_KERNEL_SOURCE unset, /usr/src and /lib/modules empty.
# nobtf CMD...: CMD with /sys/kernel/btf hidden, as on a kernel without BTF (armv7's).
nons=$(mount_ns_unavailable)
if [[ -z $nons ]]; then
  noheaders() { env -u BCC_KERNEL_SOURCE unshare -m --propagation private sh -c 'mount -t tmpfs none /usr/src && mount -t tmpfs none /lib/modules && exec "$@"' sh "$@"; }
  nobtf() { env -u BCC_KERNEL_SOURCE unshare -m --propagation private sh -c 'mount -t tmpfs none /sys/kernel/btf && exec "$@"' sh "$@"; }
else
  skip "no kernel headers on the machine during the runs" "$nons; they run with BCC_KERNEL_SOURCE unset only"
  noheaders() { env -u BCC_KERNEL_SOURCE "$@"; }
fi

noheaders "$bpfd" run hardirqs -d 3 >"$tmp/irq" 2>"$tmp/irq.err"; rc=$?
cat "$tmp/irq" "$tmp/irq.err"
check "hardirqs here: BCC's header and a row with a time, no headers on the machine (exit $rc)" \
  eval "(( rc == 0 )) && head -1 '$tmp/irq' | grep -qE '^HARDIRQ +TOTAL_usecs$' && awk 'NR>1 && \$NF ~ /^[0-9]+\$/' '$tmp/irq' | grep -q ."
nothing_left "hardirqs"

noheaders "$bpfd" run hardirqs -d 2 -j --remote process >"$tmp/irqj" 2>"$tmp/irqj.err"; rc=$?
cat "$tmp/irqj"
check "hardirqs through a daemon, -j: an array of {HARDIRQ, TOTAL_usecs} (exit $rc)" \
  eval "(( rc == 0 )) && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d and all(set(r)=={\"HARDIRQ\",\"TOTAL_usecs\"} for r in d)' '$tmp/irqj'"
nothing_left "hardirqs through a daemon"

src=$(df --output=source "$tmp" | tail -1)
if [[ $src != /dev/* ]]; then
  skip "biosnoop" "$tmp is on $src, not a block device: the test's direct I/O would not show"
else
  disk=$(lsblk -ndo PKNAME "$src" 2>/dev/null); [[ -n $disk ]] || disk=$(basename "$src")
  noheaders "$bpfd" run biosnoop -d 3 --remote process >"$tmp/bio" 2>"$tmp/bio.err"; rc=$?
  head -4 "$tmp/bio"; cat "$tmp/bio.err"
  check "biosnoop (CO-RE tracepoint contexts) through a daemon: BCC's columns, a row of the test's direct writes to $disk (exit $rc)" \
    eval "(( rc == 0 )) && head -1 '$tmp/bio' | grep -qE '^TIME\(s\) +COMM +PID +DISK +T +SECTOR +BYTES +LAT\(ms\)$' && grep -qE '^[0-9.]+ +dd +[0-9]+ +$disk +W +[0-9]+ +65536 +[0-9]+\.[0-9]{2}$' '$tmp/bio'"
  if [[ -z $nons ]]; then
    # A kernel without BTF (as armv7's): the daemon makes the contexts' BTF from tracefs formats.
    nobtf \
      "$bpfd" run biosnoop -d 3 >"$tmp/bio2" 2>"$tmp/bio2.err"; rc=$?
    head -2 "$tmp/bio2"; cat "$tmp/bio2.err"
    check "biosnoop with no /sys/kernel/btf: relocated against BTF made from tracefs formats (exit $rc)" \
      eval "(( rc == 0 )) && grep -qE '^[0-9.]+ +dd +[0-9]+ +$disk +W +[0-9]+ +65536 +[0-9]+\.[0-9]{2}$' '$tmp/bio2'"
  else
    skip "biosnoop with no /sys/kernel/btf" "$nons"
  fi
  nothing_left "biosnoop"

  # biotop: BCC's columns every second, the map cleared after each print; as armv7 would, with
  # no /sys/kernel/btf (its block tracepoint contexts come from tracefs formats).
  biotop_row="^[0-9]+ +dd +W +[0-9]+ +[0-9]+ +$disk +[0-9]+ +[0-9]+ +[0-9]+\.[0-9]{2}$"
  noheaders "$bpfd" run biotop -d 3 --remote process >"$tmp/top" 2>"$tmp/top.err"; rc=$?
  head -6 "$tmp/top"; cat "$tmp/top.err"
  check "biotop through a daemon: a loadavg line, BCC's header and the test's writes to $disk, each second (exit $rc)" \
    eval "(( rc == 0 )) && (( \$(grep -cE '^[0-9]{2}:[0-9]{2}:[0-9]{2} loadavg: [0-9.]+ ' '$tmp/top') >= 3 )) && (( \$(grep -cE '^PID +COMM +D +MAJ +MIN +DISK +I/O +Kbytes +AVGms$' '$tmp/top') >= 3 )) && grep -qE '$biotop_row' '$tmp/top'"
  if [[ -z $nons ]]; then
    nobtf \
      "$bpfd" run biotop -d 2 >"$tmp/top2" 2>"$tmp/top2.err"; rc=$?
    check "biotop with no /sys/kernel/btf (exit $rc)" eval "(( rc == 0 )) && grep -qE '$biotop_row' '$tmp/top2'"
  else
    skip "biotop with no /sys/kernel/btf" "$nons"
  fi
  nothing_left "biotop"
fi

# filetop: a writer with one thread writes 256 KiB ~8 times a second to a file of its own (so
# that it ranks in the top 20 on a busy machine); each second's table counts only that
# second's writes (the map is cleared after each print).
name=bpfd-ft-$$
python3 -c 'import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
while True:
    os.pwrite(fd, bytes(256 << 10), 0)  # one pwrite64 of 256 KiB
    time.sleep(0.12)' "$tmp/$name" &
writer=$!
noheaders "$bpfd" run filetop -d 4 >"$tmp/ft" 2>"$tmp/ft.err"; rc=$?
kill $writer; wait $writer 2>/dev/null
grep -E "^TID|$name" "$tmp/ft"; cat "$tmp/ft.err"
writes=$(awk -v f="$name" '$NF == f { print $4 }' "$tmp/ft" | tr '\n' ' ')
check "filetop: BCC's header each second and the writer's row (exit $rc)" \
  eval "(( rc == 0 )) && (( \$(grep -cE '^TID +COMM +READS +WRITES +R_Kb +W_Kb +T FILE$' '$tmp/ft') >= 3 )) && grep -qE '^[0-9]+ +[^ ]+ +0 +[0-9]+ +0 +[0-9]+ +R $name$' '$tmp/ft'"
# ~8 a second; were the map not cleared, the third table would hold 16 or more.
check "filetop counts from zero each second: the writer's WRITES were 1..12 in every table ($writes)" \
  eval "[[ -n '$writes' ]] && (( \$(wc -w <<<'$writes') >= 3 )) && (for w in $writes; do (( w >= 1 && w <= 12 )) || exit 1; done)"
noheaders "$bpfd" run filetop -d 2 -j --remote process >"$tmp/ftj" 2>"$tmp/ftj.err"; rc=$?
head -c 300 "$tmp/ftj"; echo
check "filetop -j through a daemon: an array of BCC's columns each second (exit $rc)" \
  eval "(( rc == 0 )) && python3 -c 'import json,sys
docs=[json.loads(l) for l in open(sys.argv[1])]
assert len(docs) >= 2 and all(isinstance(d, list) for d in docs)
assert all(set(r)=={\"TID\",\"COMM\",\"READS\",\"WRITES\",\"R_Kb\",\"W_Kb\",\"T\",\"FILE\"} for d in docs for r in d)' '$tmp/ftj'"
# Without kernel BTF, filetop (it reads task_struct, files_struct, file and dentry) cannot be
# relocated: it says what is missing and what to do.
if [[ -z $nons ]]; then
  nobtf \
    "$bpfd" run filetop -d 2 >"$tmp/ft2" 2>"$tmp/ft2.err"; rc=$?
  cat "$tmp/ft2.err" | tail -3
  check "filetop with no /sys/kernel/btf: exit 1, says the kernel has no BTF and to pass --btf" \
    eval "(( rc == 1 )) && grep -q 'has no BTF' '$tmp/ft2.err' && grep -q -- '--btf FILE' '$tmp/ft2.err'"
else
  skip "filetop with no /sys/kernel/btf" "$nons"
fi
# The remedy it names: BTF made on the host for that kernel, minimised to the types the object
# relocates (bpftool gen min_core_btf, as a user would), sent with --btf.
if [[ -n $nons ]]; then
  skip "filetop with --btf and no /sys/kernel/btf" "$nons"
elif bpftool gen min_core_btf /sys/kernel/btf/vmlinux "$tmp/min.btf" "$filetop_obj" 2>"$tmp/min.err"; then
  nobtf \
    "$bpfd" run "$filetop_obj" --btf "$tmp/min.btf" -d 2 --remote process >"$tmp/ft3" 2>"$tmp/ft3.err"; rc=$?
  head -4 "$tmp/ft3"; cat "$tmp/ft3.err"
  check "filetop with no /sys/kernel/btf but --btf (host-made, minimised: $(stat -c %s "$tmp/min.btf") bytes): BCC's columns (exit $rc)" \
    eval "(( rc == 0 )) && grep -qE '^TID +COMM +READS +WRITES +R_Kb +W_Kb +T FILE$' '$tmp/ft3' && grep -qE '^[0-9]+ +[^ ]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +R .' '$tmp/ft3'"
else
  skip "filetop with --btf" "this bpftool cannot minimise BTF: $(head -1 "$tmp/min.err")"
fi
nothing_left "filetop"

noheaders "$bpfd" run "$openat" -d 2 >"$tmp/open" 2>"$tmp/open.err"; rc=$?
head -3 "$tmp/open"; cat "$tmp/open.err"
check "an object built apart: its struct event records, by field (exit $rc)" \
  eval "(( rc == 0 )) && grep -qE '^pid=[0-9]+ comm=cat filename=/etc/hostname$' '$tmp/open'"
noheaders "$bpfd" run "$openat" -d 2 -j --remote process >"$tmp/openj" 2>"$tmp/openj.err"; rc=$?
head -2 "$tmp/openj"
check "the same through a daemon, -j: one JSON object per record (exit $rc)" \
  eval "(( rc == 0 )) && grep -q '\"comm\":\"cat\",\"filename\":\"/etc/hostname\"' '$tmp/openj'"
nothing_left "openat"

# The same records through a perf event array (one perf buffer per CPU, as older libbpf-tools
# send theirs), here and through a daemon.
noheaders "$bpfd" run "$openat_perf" -d 2 >"$tmp/perf" 2>"$tmp/perf.err"; rc=$?
head -2 "$tmp/perf"; cat "$tmp/perf.err"
check "perf event array records, by field (exit $rc)" \
  eval "(( rc == 0 )) && grep -qE '^pid=[0-9]+ comm=cat filename=/etc/hostname$' '$tmp/perf'"
noheaders "$bpfd" run "$openat_perf" -d 2 -j --remote process >"$tmp/perfj" 2>"$tmp/perfj.err"; rc=$?
head -2 "$tmp/perfj"; cat "$tmp/perfj.err"
check "perf event array records through a daemon, -j (exit $rc)" \
  eval "(( rc == 0 )) && grep -q '\"comm\":\"cat\",\"filename\":\"/etc/hostname\"' '$tmp/perfj'"
nothing_left "openat_perf"

# A libbpf-tools histogram (a struct with `slots`): printed as log2 bars per key. cat reads
# /etc/hostname (a few bytes) then gets 0: at least one bar in the low buckets.
noheaders "$bpfd" run "$readhist" -d 2 >"$tmp/hist" 2>"$tmp/hist.err"; rc=$?
sed -n '/^hists: comm=cat$/,/^$/p' "$tmp/hist" | head -8; cat "$tmp/hist.err"
check "a histogram map as log2 bars, one per key (exit $rc)" \
  eval "(( rc == 0 )) && sed -n '/^hists: comm=cat\$/,/^\$/p' '$tmp/hist' | grep -qE '^ +value +: count +distribution$' && sed -n '/^hists: comm=cat\$/,/^\$/p' '$tmp/hist' | grep -qE '^ +[0-9]+ -> [0-9]+ +: [1-9][0-9]* +\|\*+ *\|$'"
nothing_left "readhist"

# A perf_event program sampling every 10 ms of each online CPU's clock, for 2 s: about 200
# samples per CPU (the CPU clock ticks while the CPU idles too).
ncpu=$(getconf _NPROCESSORS_ONLN)
noheaders "$bpfd" run "$profile" -d 2 -j --remote process >"$tmp/prof" 2>"$tmp/prof.err"; rc=$?
cat "$tmp/prof" "$tmp/prof.err"
check "perf_event/period=10000000 on each of $ncpu CPUs: 100..300 samples per CPU in 2 s (exit $rc)" \
  eval "(( rc == 0 )) && python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
counts=[e[\"formatted\"][\"value\"] for e in d]
assert len(counts) == int(sys.argv[2]), counts
assert all(100 <= c <= 300 for c in counts), counts' '$tmp/prof' $ncpu"
nothing_left "profile"

# fails NAME PATTERN CMD...: exit 1 and PATTERN (ERE) on stderr.
fails() {
  local name=$1 pat=$2; shift 2
  timeout 30 "$@" -d 2 >"$tmp/f.out" 2>"$tmp/f.err"; local rc=$?
  sed 's/^/    /' "$tmp/f.err" | grep -E -m1 -B3 -A1 -- "$pat" || sed 's/^/    /' "$tmp/f.err" | head -5
  check "$name (exit $rc)" said "$rc" "$pat"
}
said() { (( $1 == ${3:-1} )) && grep -qE -- "$2" "$tmp/f.err"; }
head -c 4096 /dev/urandom >"$tmp/junk.bpf.o"
fails "not an ELF: said so" "cannot load .*junk.bpf.o: not a BPF object libbpf can open" "$bpfd" run "$tmp/junk.bpf.o"
fails "a verifier rejection: the verifier's log" "invalid mem access 'map_value_or_null'" "$bpfd" run "$verifier" --remote process
fails "a CO-RE relocation this kernel cannot satisfy: named" "bpfd_no_such_field" "$bpfd" run "$core"
fails "an acting helper: the daemon's policy refuses it" "policy: kill_openers: it calls bpf_send_signal" "$bpfd" run "$acting" --remote process
fails "a kfunc that acts (bpf_send_signal_task): the policy refuses it, naming it" "policy: kfunc: it calls kfunc bpf_send_signal_task" "$bpfd" run "$kfunc" --remote process
fails "a pinned map: refused, nothing pinned" "map kept asks for a pin" "$bpfd" run "$pinned"
check "nothing was pinned" test ! -e /sys/fs/bpf/kept
"$bpfd" run nosuchtool >/dev/null 2>"$tmp/f.err"; rc=$?
check "an unknown tool: a usage error naming it (exit $rc)" said "$rc" "no tool named nosuchtool" 2
nothing_left "the failures"

# Ctrl-C ends it cleanly (exit 0, the maps printed), and SIGKILL of the client too, in-process
# and with a daemon: the kernel or the daemon cleans up.
for how in "" "--remote process"; do
  "$bpfd" run "$openat" $how >/dev/null 2>"$tmp/i.err" & pid=$!
  for _ in $(seq 100); do grep -q attached "$tmp/i.err" && break; sleep 0.1; done
  kill -INT $pid; wait $pid; rc=$?
  for _ in $(seq 50); do (( $(ours) == 0 )) && break; sleep 0.1; done
  check "Ctrl-C of bpfd run ${how:-in-process}: exit $rc, nothing left" eval "(( rc == 0 && \$(ours) == 0 ))"
done
for how in "" "--remote process"; do
  "$bpfd" run "$openat" $how >/dev/null 2>"$tmp/k.err" & pid=$!
  for _ in $(seq 100); do grep -q attached "$tmp/k.err" && break; sleep 0.1; done
  n=$(ours)
  kill -9 $pid; wait $pid 2>/dev/null
  for _ in $(seq 50); do (( $(ours) == 0 )) && break; sleep 0.1; done
  check "SIGKILL of bpfd run ${how:-in-process} while attached ($n program before): nothing left" eval "(( n == 1 && \$(ours) == 0 ))"
done
finish
