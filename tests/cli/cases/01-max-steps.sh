# Item 1: --max-steps reaches every execution (it was always 200,000).
python3 - <<'PY'
import json
ops = [{"op": "connect"}, {"op": "start", "thread": 1}] + [{"op": "emit", "thread": 1}] * 3000
json.dump({"clients": [{"connection": 0, "ops": ops}]}, open("emits.json", "w"))
PY
expect 1 "step bound of 10 steps exceeded" explore --workload "$CORPUS/tiny.json" --schedules 3 --max-steps 10 --no-shrink --out f
t=$(ls f/*.json | head -1)
check "the livelock trace has 10 steps" test "$(grep -c '"task":' "$t")" = 10
expect 1 "livelock" explore --workload emits.json --schedules 1 --max-steps 5000 --no-shrink --out g
expect 0 "all held" explore --workload emits.json --schedules 1 --max-steps 100000 --no-shrink --out h
expect 2 "--max-steps" explore --max-steps 0
