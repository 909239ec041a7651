# bpftrace one-liners through bpfd remote, shared by tests/remote/bpftrace_remote_test.sh (this
# machine, compared with local runs) and tests/guest/bpftrace_remote_guest_test.sh (guests).
# Each one-liner ends itself (exit() in an interval probe) and prints its maps at exit.

# bt_run OUT SECS CMD...: CMD's stdout in OUT, stderr in OUT.err; SIGINT after SECS (like
# Ctrl-C; bpftrace then prints its maps too), SIGKILL 10 s later. Sets rc.
bt_run() {
  local out=$1 secs=$2; shift 2
  timeout -s INT -k 10 "$secs" "$@" >"$out" 2>"$out.err"; rc=$?
}

# bt_shape FILE: the kinds of lines bpftrace printed, numbers and keys dropped, sorted and
# unique: the "Attaching N probes..." line, each map's name with the kind of its rows (a
# value, a keyed value, a histogram bucket, a stack frame). printf lines are left out.
bt_shape() {
  sed -nE -e '/^Attaching [0-9]+ probes?\.\.\.$/p' \
    -e 's/^(@[A-Za-z_0-9]*)\[.+\]: -?[0-9]+$/\1[key]: N/p' \
    -e 's/^(@[A-Za-z_0-9]*): -?[0-9]+$/\1: N/p' \
    -e 's/^(@[A-Za-z_0-9]*)(\[)?: ?$/\1\2 (multi-line)/p' \
    -e 's/^[[(][^])]*[])] +[0-9]+ \|[@ ]*\|$/bucket N |bars|/p' \
    -e 's/^ +[A-Za-z_.][^ ]*\+[0-9]+$/  symbol+offset/p' \
    -e 's/^ +0x[0-9a-f]+$/  0xaddress/p' \
    -e 's/^\]: [0-9]+$/]: N/p' "$1" | sort -u
}

# The tutorial's one-liners (https://github.com/bpftrace/bpftrace/blob/master/docs/tutorial_one_liners.md),
# each as NAME|PROGRAM|DATA (an extended regex for one line of its output). END is appended to
# programs that end by themselves after 2 s.
END='interval:s:2 { exit(); }'
BT_TRACEPOINT_CASES=(
  "hello world (BEGIN, printf)|BEGIN { printf(\"hello world\\n\"); exit(); }|^hello world$"
  "syscalls by process (tracepoint, count)|tracepoint:raw_syscalls:sys_enter { @[comm] = count(); } $END|^@\\[.+\\]: [0-9]+$"
  "programs executed (tracepoint args, str, printf)|tracepoint:syscalls:sys_enter_execve { printf(\"%s %s\\n\", comm, str(args->filename)); } $END|^[^ ]+ /[^ ]*$"
  "read size distribution (hist)|tracepoint:syscalls:sys_exit_read { @bytes = hist(args->ret); } $END|^\\[[0-9]+[KM]?, [0-9]+[KM]?\\) +[0-9]+ \\|@+ *\\|$"
  "read size (lhist)|tracepoint:syscalls:sys_exit_read { @bytes = lhist(args->ret, 0, 2000, 200); } $END|^\\[[0-9]+, [0-9]+\\) +[0-9]+ \\|@+ *\\|$"
  "sched tracepoints (wildcard, probe)|tracepoint:sched:sched* { @[probe] = count(); } $END|^@\\[tracepoint:sched:sched_[a-z_]+\\]: [0-9]+$"
  "kernel stacks on a tracepoint (kstack, symbolized)|tracepoint:sched:sched_switch { @[kstack] = count(); } $END|^ +[a-z_][A-Za-z_0-9.]*\\+[0-9]+$"
)
# kprobe/kretprobe with comm (arch-neutral: no register is read), then with retval and argN
# (loads from pt_regs, laid out for the host: refused against a target of another machine).
BT_KPROBE_CASES=(
  "vfs_read by process (kprobe, comm)|kprobe:vfs_read { @[comm] = count(); } $END|^@\\[.+\\]: [0-9]+$"
  "vfs_read latency (kprobe+kretprobe, hist)|kprobe:vfs_read { @start[tid] = nsecs; } kretprobe:vfs_read /@start[tid]/ { @ns[comm] = hist(nsecs - @start[tid]); delete(@start[tid]); } $END|^\\[[0-9]+[KM]?, [0-9]+[KM]?\\) +[0-9]+ \\|@+ *\\|$"
  "kernel stacks on a kprobe (kstack)|kprobe:vfs_read { @[kstack] = count(); } $END|^ +vfs_read\\+[0-9]+$"
)
BT_REGS_CASES=(
  "vfs_read return values (kretprobe, retval, lhist)|kretprobe:vfs_read { @bytes = lhist(retval, 0, 2000, 200); } $END|^\\[[0-9]+, [0-9]+\\) +[0-9]+ \\|@+ *\\|$"
  "do_sys_openat2 arg1 (kprobe, argN, printf)|kprobe:do_sys_openat2 { printf(\"%d\\n\", arg1); exit(); }|^-?[0-9]+$"
)
