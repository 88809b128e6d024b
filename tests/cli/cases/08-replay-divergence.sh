# Item 8: a diverged replay is reported with its step, exit 2 (it said "all properties held");
# a livelock trace replays as a livelock.
t=$(variant_trace)
python3 - "$t" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
a = json.loads(json.dumps(t)); a["steps"][5]["task"] = 99; json.dump(a, open("task.json", "w"))
b = json.loads(json.dumps(t)); b["steps"][5]["op"] = "yield"; json.dump(b, open("op.json", "w"))
c = json.loads(json.dumps(t)); c["design"] = "current"; json.dump(c, open("design.json", "w"))
PY
expect 2 "replay diverged at step 5" replay task.json
check "no false verdict" lacks "all properties held"
expect 2 "replay diverged at step 5" replay op.json --check
expect 2 "does not match this build" replay design.json
check "no false verdict" lacks "all properties held"
run explore --workload "$CORPUS/tiny.json" --schedules 1 --max-steps 20 --no-shrink --out f
l=$(ls f/*.json | head -1)
expect 1 "livelock at step 19" replay "$l"
expect 0 "the recorded outcome happened again" replay "$l" --check
