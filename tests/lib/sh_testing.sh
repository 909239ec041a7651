# Shell test helpers: `check NAME CMD...` records PASS/FAIL; `skip NAME REASON`; `finish`
# prints "N passed, N failed, N skipped" and exits 1 if anything failed.
passed=0 failed=0 skipped=0
check() {
  local name="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "PASS $name"
  else failed=$((failed + 1)); echo "FAIL $name"; fi
}
skip() { skipped=$((skipped + 1)); echo "SKIP $1: $2"; }
finish() {
  echo "$passed passed, $failed failed, $skipped skipped"
  [[ $failed -eq 0 ]]
}
