# The main flow: explore finds a variant's bug and writes its trace first; replay --check
# reproduces it; shrink gives a smaller trace that still fails; current passes and writes
# nothing; the same command twice gives the same bytes; usage errors are one line, exit 2.
run explore --design split-lock-domains --strategy pct --schedules 2000 --seed 1 --out f
check "variant caught: exit 0 (caught is the expected verdict)" rc_is 0
trace=$(ls f/*.json | grep -v shrunk | head -1)
check "failing trace written" test -s "$trace"
check "shrunk trace written beside it" test -s "${trace%.json}.shrunk.json"
check "last line replays it" bash -c "tail -1 '$W/out' | grep -q '^replay: /.*lockstep replay /'"
run replay "$trace" --check
check "replay --check exits 0" rc_is 0
check "replay shows the interleaving" has "interleaving"
run shrink "$trace" --out small.json
check "shrink exits 0" rc_is 0
run replay small.json --check
check "shrunk trace fails the same way" rc_is 0
steps() { grep -c '"task":' "$1"; }
check "shrunk trace is no longer" test "$(steps small.json)" -le "$(steps "$trace")"
run explore --design current --scenario phantom-attach --strategy pct --schedules 300 --out f2
check "current passes: exit 0" rc_is 0
check "current writes no trace (and makes no directory)" test ! -e f2
run explore --design all --strategy pct --schedules 500 --seed 7 --json --no-shrink --out d
cp "$W/out" s1 && mkdir d1 && cp d/*.json d1/
run explore --design all --strategy pct --schedules 500 --seed 7 --json --no-shrink --out d
check "main job passes" rc_is 0
check "summaries identical" cmp -s s1 "$W/out"
same=1
for f in d1/*.json; do cmp -s "$f" "d/$(basename "$f")" || same=0; done
check "traces identical, none duplicated" test "$same" = 1 -a "$(ls d | wc -l)" = "$(ls d1 | wc -l)"
for args in "explore --design nope" "explore --strategy nope" "explore --scenario nope" \
            "explore --schedules abc" "explore --bogus-flag" "explore --shard 3/2" \
            "explore --strategy pct --preemption-bound 1" "explore --records-commute" \
            "lockgraph --format png" "lockgraph --design nope" "replay" "shrink" \
            "scenario nope" "merge"; do
  run $args
  check "$args: exit 2" rc_is 2
  check "$args: one line" one_line_error
done
run
check "no command: exit 2" rc_is 2
run explore --design current --scenario attach-during-unload --strategy dpor --preemption-bound 1 --schedules 0
check "bounded dpor says the bound" has "space exhausted within 1 preemption)"
