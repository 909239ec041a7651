# bench/startup_lib.sh: the start-up timing the bpfd run benchmarks share. Needs $tmp.
# started CMD...: prints the ms from exec to the first line (stdout or stderr) matching
# $STARTED_RE (default: "Tracing" or bpfd run's "attached"), then Ctrl-Cs the command; -1 if no
# such line came within 60 s. The output goes to $tmp/last.
# median: "median(min-max)" of the numbers on stdin.
started() {
  PYTHONUNBUFFERED=1 python3 - "$tmp/last" "${STARTED_RE:-Tracing|attached}" "$@" <<'PY'
import os, re, signal, subprocess, sys, time
last, pattern, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
t0 = time.monotonic()
ms = -1
with open(last, "w") as log:
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    signal.signal(signal.SIGALRM, lambda *a: os.killpg(p.pid, signal.SIGKILL))
    signal.alarm(60)  # a variant that never says it started is a -1, not a hang
    for raw in p.stdout:
        line = raw.decode(errors="replace")
        log.write(line)
        if re.search(pattern, line):
            ms = (time.monotonic() - t0) * 1000
            break
    signal.alarm(0)
    # Ctrl-C to the tool itself first (the link's relay must live to count the bytes), then
    # to its whole group.
    for sig, kill in ((signal.SIGINT, os.kill), (signal.SIGINT, os.killpg), (signal.SIGKILL, os.killpg)):
        try: kill(p.pid, sig)
        except ProcessLookupError: pass
        try: log.write(p.communicate(timeout=10)[0].decode(errors="replace")); break
        except subprocess.TimeoutExpired: pass
print("%.0f" % ms)
PY
}
median() { sort -n | awk '{v[NR] = $1} END {printf "%s(%s-%s)\n", v[int((NR + 1) / 2)], v[1], v[NR]}'; }
