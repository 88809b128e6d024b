#!/usr/bin/env bash
# End-to-end tests of the lockstep binary: explore -> trace written -> replay --check ->
# shrink -> smaller trace still fails; bad input for every command (one line, exit 2);
# determinism (the same explore twice: byte-identical traces and summaries).
set -u
L="$1"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
check() {
  local name="$1"
  shift
  if "$@"; then pass=$((pass + 1)); else echo "FAIL: $name"; fail=$((fail + 1)); fi
}
run() {
  "$L" "$@" >"$T/out" 2>"$T/err"
  echo $? >"$T/rc"
}
rc_is() { [ "$(cat "$T/rc")" = "$1" ]; }
one_line_error() { [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q '^lockstep: ' "$T/err"; }
bad_input() {  # name, args...: exit 2 with one clear line
  local name="$1"
  shift
  run "$@"
  check "$name: exit 2" rc_is 2
  check "$name: one line on stderr" one_line_error
}

# 1. A variant is caught: exit 1, the trace is on disk, the last line replays it.
run explore --design split-lock-domains --strategy pct --schedules 2000 --seed 1 --out "$T/f"
check "variant explore exits 1" rc_is 1
trace=$(ls "$T"/f/*.json 2>/dev/null | grep -v shrunk | head -1)
check "failing trace written" test -s "$trace"
check "shrunk trace written beside it" test -s "${trace%.json}.shrunk.json"
check "last line is the replay command" bash -c "tail -1 '$T/out' | grep -q '^replay: lockstep replay '"

# 2. replay --check reproduces it.
run replay "$trace" --check
check "replay --check exits 0" rc_is 0
check "replay prints the interleaving" grep -q "interleaving" "$T/out"

# 3. shrink gives a trace that is no larger and still fails the same way.
run shrink "$trace" --out "$T/small.json"
check "shrink exits 0" rc_is 0
run replay "$T/small.json" --check
check "shrunk trace replays to the same failure" rc_is 0
steps() { grep -c '"task":' "$1"; }
check "shrunk trace has no more steps" test "$(steps "$T/small.json")" -le "$(steps "$trace")"

# 4. The current design passes the same scenario.
run explore --design current --scenario phantom-attach --strategy pct --schedules 300 --out "$T/f2"
check "current passes: exit 0" rc_is 0
check "current writes no trace" bash -c "! ls '$T'/f2/*.json >/dev/null 2>&1"

# 5. Bad input: one line, exit 2, never a crash.
bad_input "unknown design" explore --design nope
bad_input "unknown strategy" explore --strategy nope
bad_input "unknown scenario" explore --scenario nope
bad_input "non-numeric schedules" explore --schedules abc
bad_input "unknown flag" explore --bogus-flag
bad_input "bad shard" explore --shard 3/2
bad_input "missing workload file" explore --workload "$T/none.json"
echo '{"format":"lockstep-workload","version":1,"clients":[{"connection":0,"ops":[{"op":"fly"}]}]}' >"$T/w.json"
bad_input "invalid workload" explore --workload "$T/w.json"
bad_input "unwritable out dir" explore --design current --out /proc/lockstep-nope
echo '{' >"$T/bad.json"
bad_input "malformed trace" replay "$T/bad.json"
head -c 200 "$trace" >"$T/trunc.json"
bad_input "truncated trace" replay "$T/trunc.json"
sed 's/"version": 1/"version": 99/' "$trace" >"$T/v99.json"
bad_input "unknown trace version" replay "$T/v99.json"
sed 's/"design": "[a-z-]*"/"design": "no-such-design"/' "$trace" >"$T/d.json"
bad_input "unknown design in trace" replay "$T/d.json"
bad_input "missing trace" replay "$T/none.json"
bad_input "shrink of a malformed trace" shrink "$T/bad.json"
bad_input "unknown graph format" lockgraph --format png
bad_input "unknown design for lockgraph" lockgraph --design nope
bad_input "no command" 
bad_input "preemption bound for pct" explore --strategy pct --preemption-bound 1
bad_input "records-commute for random" explore --strategy random --records-commute

# 5b. DPOR bounded in preemptions says the space was exhausted within the bound.
run explore --design current --scenario attach-during-unload --strategy dpor --preemption-bound 1 --schedules 0
check "bounded dpor: current holds" rc_is 0
check "bounded dpor: exhausted within the bound" grep -q "space exhausted within 1 preemption)" "$T/out"

# 5c. DPOR with the probe's records commuting says so where it claims exhaustion.
run explore --design current --scenario hung-start --strategy dpor --records-commute --schedules 0 --json
check "records-commute: current holds" rc_is 0
check "records-commute: in the summary" grep -q '"records-commute": true' "$T/out"
check "records-commute: exhausted" grep -q '"exhausted": true' "$T/out"
run explore --design current --scenario hung-start --strategy dpor --records-commute --schedules 0
check "records-commute: the claim names it" grep -q "space exhausted, records commuting)" "$T/out"

# 5d. No silent gap: the abandoned count is in JSON and JUnit; 65 clients are no limit for DPOR.
W="$(dirname "$0")/../variants/workloads/idle-clients-hung-start.json"
run explore --design blocking-start --workload "$W" --strategy dpor --schedules 0 --json --junit "$T/j.xml" --out "$T/f5"
check "65 clients: dpor catches blocking-start (exit 1)" rc_is 1
check "65 clients: abandoned count in JSON" grep -q '"abandoned": 0' "$T/out"
check "65 clients: not exhausted" grep -q '"exhausted": false' "$T/out"
check "65 clients: JUnit has the row, no error" grep -q 'failures="0" errors="0"' "$T/j.xml"

# 6. Determinism: the same command twice gives the same summary and the same trace bytes.
run explore --design all --strategy pct --schedules 500 --seed 7 --json --no-shrink --out "$T/d"
cp "$T/out" "$T/s1"
mkdir -p "$T/d1" && cp "$T"/d/*.json "$T/d1/"
run explore --design all --strategy pct --schedules 500 --seed 7 --json --no-shrink --out "$T/d"
check "summaries identical" cmp -s "$T/s1" "$T/out"
same_traces=1
for f in "$T"/d1/*.json; do cmp -s "$f" "$T/d/$(basename "$f")" || same_traces=0; done
check "traces identical" test "$same_traces" = 1
check "main job: every variant caught, current held (exit 0)" rc_is 0

# 7. lockgraph renders the current design's order.
run lockgraph --design current --schedules 50 --format mermaid
check "lockgraph mermaid" grep -q "flowchart LR" "$T/out"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
