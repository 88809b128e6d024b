#!/usr/bin/env bash
# End-to-end tests of the lockstep binary. Usage: run.sh LOCKSTEP [CASE-GLOB]
#
# Each file in cases/ is one case (one item of the command line's contract: an exit code and a
# message for one kind of run or bad input); it is sourced in its own fresh working directory
# ($W) with these helpers. Inputs that are files live in corpus/ ($CORPUS).
#   run ARGS...            run lockstep (killed after 120 s: a hang fails); leaves $W/out,
#                          $W/err, $W/rc
#   expect RC FRAG ARGS... run, then: the exit code is RC and FRAG is in stdout or stderr
#   check NAME CMD...      CMD must succeed
#   rc_is N / has FRAG / lacks FRAG / one_line_error  predicates on the last run
# A case prints nothing unless something failed. The runner exits 1 if any check failed.
set -u
L="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
GLOB="${2:-*}"
HERE="$(cd "$(dirname "$0")" && pwd)"
CORPUS="$HERE/corpus"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
CASE=""

check() {
  local name="$1"
  shift
  if "$@"; then
    pass=$((pass + 1))
  else
    echo "FAIL [$CASE]: $name"
    echo "  rc=$(cat "$W/rc" 2>/dev/null) stderr: $(head -c 400 "$W/err" 2>/dev/null)"
    fail=$((fail + 1))
  fi
}
run() {
  timeout -s KILL "${LOCKSTEP_TEST_TIMEOUT:-120}" "$L" "$@" >"$W/out" 2>"$W/err"
  echo $? >"$W/rc"
}
rc_is() { [ "$(cat "$W/rc")" = "$1" ]; }
has() { grep -qF -- "$1" "$W/out" "$W/err"; }
lacks() { ! grep -qF -- "$1" "$W/out" "$W/err"; }
one_line_error() { [ "$(wc -l <"$W/err")" -eq 1 ] && grep -q '^lockstep: ' "$W/err"; }
expect() {
  local rc="$1" frag="$2"
  shift 2
  run "$@"
  check "lockstep $* -> exit $rc" rc_is "$rc"
  check "lockstep $* -> says \"$frag\"" has "$frag"
}
# A failing trace of a design variant, made once per case that needs one.
variant_trace() {
  "$L" explore --design split-lock-domains --strategy pct --schedules 2000 --seed 1 --no-shrink \
    --out "$W/vt" >/dev/null 2>&1
  ls "$W"/vt/*.json | head -1
}

for f in "$HERE"/cases/$GLOB.sh; do
  CASE="$(basename "$f" .sh)"
  W="$T/$CASE"
  mkdir -p "$W/work"
  before=$fail
  (cd "$W/work" && source "$f"; echo "$pass $fail" >"$W/counts")
  read -r pass fail <"$W/counts"
  [ "$fail" -eq "$before" ] || echo "case $CASE failed"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
