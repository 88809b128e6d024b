# Item 4: a fatal signal in the system under test leaves the execution's trace, which names
# its design and replays (to the same crash).
run explore --workload "$CORPUS/test-crash.json" --schedules 5 --out f
check "explore dies of the signal" test "$(cat "$W/rc")" -gt 128
check "it says where the trace is" has "fatal signal"
t=$(ls f/*-crash.json 2>/dev/null | head -1)
check "the recovered trace is written" test -s "$t"
check "it names its design" grep -q '"design": "current"' "$t"
check "no temporary file left" test -z "$(ls f | grep tmp)"
step=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['failure']['step'])" "$t")
run replay "$t"
check "replay reproduces the crash" test "$(cat "$W/rc")" -gt 128
check "at the recorded step" has "at step $step;"
