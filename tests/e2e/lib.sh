# Shared helpers for the end-to-end tests. Each test sources this file; $LUMO
# is the binary under test (set by ctest), $LUMO_SRC the source tree.
set -u
: "${LUMO:?set LUMO to the lumo binary}"
TMP=$(mktemp -d)
PASSED=0
FAILED=0
PIDS=""
cleanup() {
  for p in $PIDS; do kill "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT

pass() { PASSED=$((PASSED + 1)); }
fail() {
  FAILED=$((FAILED + 1))
  echo "FAIL: $*" >&2
}

# check_status WHAT EXPECTED ACTUAL
check_status() {
  if [ "$3" = "$2" ]; then pass; else fail "$1: exit status $3, expected $2"; fi
}

# check_contains WHAT FILE TEXT: FILE has TEXT (a fixed string).
check_contains() {
  if grep -qF -- "$3" "$2"; then pass; else
    fail "$1: '$3' not found in:"
    sed 's/^/    | /' "$2" >&2
  fi
}

check_not_contains() {
  if ! grep -qF -- "$3" "$2"; then pass; else fail "$1: '$3' unexpectedly found in $2"; fi
}

# wait_for FILE TEXT [SECONDS]: waits until FILE contains TEXT.
wait_for() {
  local deadline=$((SECONDS + ${3:-10}))
  while [ $SECONDS -lt $deadline ]; do
    grep -qF -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

# count_of FILE TEXT: how many lines of FILE contain TEXT.
count_of() { grep -cF -- "$2" "$1" 2>/dev/null || true; }

# check_run NAME STATUS OUT LABEL LOG LINES: passes when a run's STATUS is
# 0; otherwise fails and shows its output OUT and the last LINES of LOG.
check_run() {
  if [ "$2" -eq 0 ]; then
    pass
  else
    fail "$1 exited $2"
    sed 's/^/    | /' "$3" >&2
    echo "    $4:" >&2
    tail -"$6" "$5" 2>/dev/null | sed 's/^/    | /' >&2
  fi
}

# wait_count FILE TEXT N [SECONDS]: waits until N lines of FILE contain TEXT.
wait_count() {
  local deadline=$((SECONDS + ${4:-10}))
  while [ $SECONDS -lt $deadline ]; do
    [ "$(count_of "$1" "$2")" -ge "$3" ] && return 0
    sleep 0.05
  done
  return 1
}

finish() {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}
