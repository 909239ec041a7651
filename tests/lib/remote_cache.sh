# Helpers of the host store's tests (tests/remote/remote_cache_test.sh here, and
# tests/guest/remote_cache_guest_test.sh across module loads and reboots of a guest).

# cache_reader FILE: writes a Python script to FILE that prints, for each path in its
# arguments, "PATH SIZE SHA256 COUNT" (COUNT: occurrences of its first argument's bytes) as
# the tool sees them through bpfd remote; a missing file prints "PATH -1 - 0".
cache_reader() {
  cat >"$1" <<'PY'
import hashlib, sys
needle = sys.argv[1].encode()
for path in sys.argv[2:]:
    try:
        with open(path, "rb") as f: data = f.read()
    except OSError:
        print(path, -1, "-", 0); continue
    print(path, len(data), hashlib.sha256(data).hexdigest(), data.count(needle))
PY
}

# cache_bytes STATS PATH: what FILE_READ_CACHED of PATH received in a run whose stderr (with
# BPFD_REMOTE_STATS=2) is STATS; 0 when it made no such call.
cache_bytes() {
  awk -v p="$2" '$NF == p && $(NF-1) == "FILE_READ_CACHED" {print $2; f=1} END {if (!f) print 0}' "$1"
}

# cache_field OUT PATH N: field N of PATH's line in a reader's output OUT.
cache_field() { awk -v p="$2" -v n="$3" '$1 == p {print $n}' "$1"; }
