#!/usr/bin/env bash
# bpf-probes against this machine's kernel: the tracepoint listing equals tracefs (count too),
# --format equals the event's format file, the kprobes listing equals the kernel's function
# list minus the blacklist, uprobe offsets of a known ELF equal readelf's symbol/segment
# mapping (computed here independently), features agree with /proc and /sys, every --json
# parses. Under qemu-user bpf() is ENOSYS: features must fail clearly (the rest still works).
set -u
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/lib/sh_testing.sh"
bin="$(realpath "$1")" arch="$2"
tests_dir="${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/cli"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
probes() { "$bin" probes "$@"; }
is_json() { python3 -c 'import json,sys; json.load(sys.stdin)'; }
# Prints a Python expression over the document d (a tuple's items space-separated).
json_get() { python3 -c "import json,sys; d=json.load(sys.stdin); r=($1); print(' '.join(map(str, r)) if isinstance(r, tuple) else r)"; }
under_qemu=false; [[ $arch != "$(uname -m)" ]] && under_qemu=true

# ---- usage ----
help="$(probes --help)"; rc=$?
check "--help exits 0" test $rc -eq 0
for w in tracepoints kprobes uprobes features --format --json --remote "Exit codes"; do
  check "--help mentions $w" grep -q -- "$w" <<<"$help"
done
exit_is() { local want=$1; shift; probes "$@" >/dev/null 2>&1; test $? -eq "$want"; }
check "no command: exit 2" exit_is 2
check "unknown command: exit 2" exit_is 2 frobnicate
check "unknown option: exit 2" exit_is 2 tracepoints --bogus
check "uprobes without BINARY: exit 2" exit_is 2 uprobes
check "--format with kprobes: exit 2" exit_is 2 kprobes --format
err="$(probes frobnicate 2>&1)"
check "usage error is one line naming --help" test "$(wc -l <<<"$err")" -eq 1 -a -n "$(grep -- "--help" <<<"$err")"

# ---- uprobes: offsets checked against readelf (st_value -> PT_LOAD -> file offset) ----
# Prints "offset size name" (hex offset without 0x) for every defined function, from readelf.
expected_funcs() {
  readelf -lsW "$1" | python3 -c '
import sys
arm = sys.argv[1] == "armv7"
segs, syms = [], set()
for line in sys.stdin:
    f = line.split()
    if len(f) >= 6 and f[0] == "LOAD":
        segs.append((int(f[1], 16), int(f[2], 16), int(f[4], 16)))  # offset vaddr filesz
    elif len(f) >= 8 and f[0].endswith(":") and f[3] in ("FUNC", "IFUNC") and f[6] not in ("UND", "ABS"):
        v = int(f[1], 16) & (~1 if arm else ~0)
        if v:
            syms.add((v, int(f[2], 0), f[7].split("@")[0]))
for v, size, name in sorted(syms):
    for off, vaddr, filesz in segs:
        if vaddr <= v < vaddr + filesz:
            print("%x %d %s" % (v - vaddr + off, size, name))
' "$arch"
}
for elf in probes_target libprobes_target.so; do
  path="$tests_dir/$elf"
  expected_funcs "$path" >"$tmp/exp_$elf"
  out="$(probes uprobes "$path")"; rc=$?
  check "uprobes $elf exits 0" test $rc -eq 0
  check "uprobes $elf has a header" test "$(head -1 <<<"$out" | tr -s ' ')" = "OFFSET SIZE NAME"
  for pair in "bpfd_probes_c_target:bpfd_probes_c_target" \
              "_ZN11bpfd_probes9CxxTargetEil:bpfd_probes::CxxTarget(int, long)" \
              "_ZNK11bpfd_probes6Widget6MethodEi:bpfd_probes::Widget::Method(int) const"; do
    sym=${pair%%:*} shown=${pair#*:}
    want="$(awk -v s="$sym" '$3 == s { printf "0x%s %s", $1, $2; exit }' "$tmp/exp_$elf")"
    got="$(awk -v n="$shown" '{ o=$1; z=$2; $1=""; $2=""; sub(/^  /, ""); if ($0 == n) printf "%s %s", o, z }' <<<"$out")"
    check "uprobes $elf: $shown at readelf's offset ($want)" test -n "$want" -a "$got" = "$want"
  done
  check "uprobes $elf: count equals readelf's functions" \
    test "$(($(wc -l <<<"$out") - 1))" -eq "$(awk '{print $1, $3}' "$tmp/exp_$elf" | sort -u | wc -l)"
  g="$(probes uprobes "$path" 'bpfd_probes::*' | tail -n +2 | wc -l)"
  check "uprobes $elf: GLOB on demangled names" test "$g" -eq 2
  g="$(probes uprobes "$path" '_ZN11*' | tail -n +2)"
  check "uprobes $elf: GLOB on mangled names" grep -q "CxxTarget(int, long)$" <<<"$g"
  js="$(probes uprobes -j "$path")"
  check "uprobes $elf --json parses" is_json <<<"$js"
  check "uprobes $elf --json count" test "$(json_get 'd["count"] == len(d["functions"])' <<<"$js")" = True
done
if [[ -x /bin/ls && $arch == "$(uname -m)" ]] && readelf -h /bin/ls 2>/dev/null | grep -q DYN; then
  expected_funcs /bin/ls | awk '{print "0x" $1, $2, $3}' | sort >"$tmp/exp_ls"
  probes uprobes -j /bin/ls | json_get '"\n".join("0x%x %d %s" % (f["offset"], f["size"], f["symbol"]) for f in d["functions"])' | sort -u >"$tmp/got_ls"
  check "uprobes /bin/ls (PIE) equals readelf" cmp -s "$tmp/exp_ls" "$tmp/got_ls"
else
  skip "uprobes /bin/ls" "no host PIE /bin/ls for this architecture"
fi
err="$(probes uprobes /nonexistent/bpfd 2>&1)"; rc=$?
check "uprobes of a missing file: exit 1, says so" test $rc -eq 1 -a -n "$(grep "No such file" <<<"$err")"
echo "not an elf" >"$tmp/text"
err="$(probes uprobes "$tmp/text" 2>&1)"; rc=$?
check "uprobes of a text file: exit 1, not an ELF" test $rc -eq 1 -a -n "$(grep "not an ELF" <<<"$err")"

# ---- tracepoints: equal to tracefs ----
tfs="$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)"
if [[ -z $tfs ]] && mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null; then tfs=/sys/kernel/tracing; fi
if [[ -z $tfs || ! -d $tfs/events ]]; then
  skip "tracepoints" "no tracefs here and it cannot be mounted"
else
  (cd "$tfs/events" && ls -d -- */*/ | sed 's#/$##; s#/#:#') | LC_ALL=C sort >"$tmp/exp_tp"
  probes tracepoints >"$tmp/got_tp"; rc=$?
  check "tracepoints exits 0" test $rc -eq 0
  check "tracepoints equal tracefs events/*/*" cmp -s "$tmp/exp_tp" <(LC_ALL=C sort "$tmp/got_tp")
  js="$(probes -j tracepoints)"
  check "tracepoints --json parses" is_json <<<"$js"
  check "tracepoints --json count equals tracefs ($(wc -l <"$tmp/exp_tp"))" \
    test "$(json_get 'd["count"]' <<<"$js")" -eq "$(wc -l <"$tmp/exp_tp")"
  check "tracepoints GLOB sched:* equals events/sched" \
    test "$(probes tracepoints 'sched:*' | wc -l)" -eq "$(ls -d "$tfs"/events/sched/*/ | wc -l)"
  check "tracepoints GLOB matching nothing: empty, exit 0" test -z "$(probes tracepoints 'no_such_*:x')"
  fmt="$tfs/events/sched/sched_switch/format"
  if [[ -r $fmt ]]; then
    want="$(awk -F'\t' '/field:char prev_comm\[16\]/ { sub(/offset:/, "", $3); sub(/size:/, "", $4); print "prev_comm char[16]", $3+0, $4+0 }' "$fmt")"
    got="$(probes tracepoints --format sched:sched_switch | awk '$1 == "prev_comm" { print $1, $2, $3, $4 }')"
    check "--format prev_comm equals the format file ($want)" test -n "$want" -a "$got" = "$want"
    js="$(probes --json tracepoints --format 'sched:sched_switch')"
    check "--format --json parses" is_json <<<"$js"
    check "--format --json: fields count and id equal the file" test \
      "$(json_get '(len(d["tracepoints"][0]["fields"]), d["tracepoints"][0]["id"])' <<<"$js")" = \
      "$(grep -c 'field:' "$fmt") $(awk '/^ID:/ { print $2 }' "$fmt")"
  else
    skip "--format" "no sched:sched_switch format file here"
  fi
  n="$(probes -j tracepoints --format 'sched:*' | json_get 'len(d["tracepoints"])')"
  check "--format sched:* --json has every sched event" test "$n" -eq "$(ls -d "$tfs"/events/sched/*/ | wc -l)"
fi

# ---- kprobes: available_filter_functions (or kallsyms text symbols) minus the blacklist ----
probes kprobes >"$tmp/got_kp" 2>"$tmp/err_kp"; rc=$?
check "kprobes exits 0" test $rc -eq 0
pmu_or_events=false
[[ -e /sys/bus/event_source/devices/kprobe/type || ( -n $tfs && -e $tfs/kprobe_events ) ]] && pmu_or_events=true
if $pmu_or_events; then
  check "kprobes attachable: no 'cannot attach' line" bash -c '! grep -q "cannot attach" "$1"' _ "$tmp/err_kp"
else
  check "kprobes not attachable: one stderr line says so" \
    test "$(grep -c "kprobes cannot attach on this kernel" "$tmp/err_kp")" -eq 1 -a "$(wc -l <"$tmp/err_kp")" -eq 1
fi
bl=/sys/kernel/debug/kprobes/blacklist
if [[ -n $tfs ]] && cat "$tfs/available_filter_functions" >"$tmp/aff" 2>/dev/null; then
  src=available_filter_functions
  sed 's/[[:space:]]\+\[/ [/' "$tmp/aff" | grep -v '^__ftrace_invalid_address___' >"$tmp/funcs"
else
  src=kallsyms
  awk '$2 == "t" || $2 == "T" { print $3 ($4 == "" ? "" : " " $4) }' /proc/kallsyms >"$tmp/funcs"
fi
if [[ -r $bl ]]; then awk '{ print $2 }' "$bl" | sort -u >"$tmp/bl"; else : >"$tmp/bl"; fi
# JIT'ed BPF programs ("[bpf]" in kallsyms) come and go with every test loading one beside
# this one, between the tool's read and ours: compared without them.
awk 'FILENAME == ARGV[1] { bl[$1] = 1; next } !($1 in bl) && $2 != "[bpf]"' "$tmp/bl" "$tmp/funcs" |
  LC_ALL=C sort -u >"$tmp/exp_kp"
check "kprobes equal $src minus blacklist ($(wc -l <"$tmp/exp_kp"))" \
  cmp -s "$tmp/exp_kp" <(grep -v ' \[bpf\]$' "$tmp/got_kp" | LC_ALL=C sort)
# kallsyms changes while other tests load BPF programs (their bpf_prog_* symbols): the count
# is compared with a text listing made right after, up to three tries.
for _ in 1 2 3; do
  js="$(probes kprobes --json 2>/dev/null)"
  n=$(probes kprobes 2>/dev/null | wc -l)
  [[ $(json_get 'd["count"]' <<<"$js" 2>/dev/null) == "$n" ]] && break
done
check "kprobes --json parses" is_json <<<"$js"
check "kprobes --json count and source" \
  test "$(json_get 'd["count"], d["source"], d["attachable"]' <<<"$js")" = "$n $src ${pmu_or_events^}"
check "kprobes GLOB" test "$(probes kprobes 'vfs_rea*' 2>/dev/null | grep -vc '^vfs_rea')" -eq 0

# ---- features ----
out="$(probes features 2>"$tmp/err_f")"; rc=$?
js="$(probes features --json 2>/dev/null)"
check "features --json parses" is_json <<<"$js"
yesno() { if [[ -e $1 ]]; then echo yes; else echo no; fi; }
row() { awk -v l="$1" 'index($0, "  " l "  ") == 1 { sub(/^ +/, ""); n = split($0, f, /  +/); print f[n] }' <<<"$out"; }
check "features: BTF row equals /sys/kernel/btf/vmlinux" test "$(row "BTF (/sys/kernel/btf/vmlinux)")" = "$(yesno /sys/kernel/btf/vmlinux)"
check "features: kprobe PMU row equals sysfs" test "$(row "kprobe PMU")" = "$(yesno /sys/bus/event_source/devices/kprobe/type)"
check "features: uprobe PMU row equals sysfs" test "$(row "uprobe PMU")" = "$(yesno /sys/bus/event_source/devices/uprobe/type)"
check "features: JIT row equals /proc" test "$(row "JIT (net.core.bpf_jit_enable)")" = "$(cat /proc/sys/net/core/bpf_jit_enable)"
check "features: unprivileged row equals /proc" \
  test "$(row kernel.unprivileged_bpf_disabled)" = "$(cat /proc/sys/kernel/unprivileged_bpf_disabled)"
if $under_qemu; then
  check "features under qemu: exit 1" test $rc -eq 1
  check "features under qemu: says bpf() is not implemented" grep -q "bpf() is not implemented" "$tmp/err_f"
  check "features under qemu: lists no program types as 'no'" bash -c '! grep -q "Program types" <<<"$1"' _ "$out"
  skip "features program/map/helper probes" "bpf() is ENOSYS under qemu-user"
else
  check "features exits 0" test $rc -eq 0
  check "features: bpf() syscall yes" test "$(row "bpf() syscall")" = yes
  check "features: ringbuf map type yes" test "$(row "ring buffer (map type ringbuf)")" = yes
  check "features: prog types kprobe and tracepoint yes" \
    test "$(json_get 'd["prog_types"]["kprobe"], d["prog_types"]["tracepoint"]' <<<"$js")" = "True True"
  check "features --json: helper map_lookup_elem for kprobe, hash map" \
    test "$(json_get 'd["helpers"]["kprobe"]["map_lookup_elem"], d["map_types"]["hash"], d["system"]["kprobe_pmu"]' <<<"$js")" = \
    "True True $(yesno /sys/bus/event_source/devices/kprobe/type | sed 's/yes/True/; s/no/False/')"
  check "features --json: sk_redirect_map not allowed for kprobe" \
    test "$(json_get 'd["helpers"]["kprobe"]["sk_redirect_map"]' <<<"$js")" = False
fi
finish
