# explore --generate: bad values are one-line errors (exit 2); a generated run is the same
# bytes for the same seed; shards split the workload series into a disjoint union; a failure
# is written, shrunk and replayable like a scenario's.
for bad in "--time 0" "--time -1" "--time 1.5" "--time x" "--workloads 0" "--workloads -3" \
           "--workloads 2x" "--shard 3/3" "--shard 1" "--schedules 0"; do
  # shellcheck disable=SC2086
  run explore --generate $bad --out f
  check "--generate $bad -> exit 2" rc_is 2
  check "--generate $bad -> one line" one_line_error
done
expect 2 "applies to --generate only" explore --workloads 5
expect 2 "applies to --generate only" explore --time 5
expect 2 "not with --workload or --scenario" explore --generate --scenario hung-start
expect 2 "not with --workload or --scenario" explore --generate --workload x.json
check "nothing written on bad usage" test ! -e f

# Same seed, same workloads, same output (no timing fields without --stats).
run explore --design current --generate --workloads 6 --seed 3 --out f
check "current holds on 6 generated workloads" rc_is 0
cp "$W/out" first.txt
run explore --design current --generate --workloads 6 --seed 3 --out f
check "same seed -> the same bytes" cmp -s first.txt "$W/out"
check "the row says how many workloads ran" grep -qE "^current +6 +300 " first.txt
check "PCT is the default under --generate" grep -q "strategy pct, seed 3, 50 schedules per workload" first.txt

# Shards: workload i runs in shard i mod N, so the shards' workloads and executions add up to
# the unsharded run's, and each shard ran a different part.
"$L" explore --design current --generate --workloads 9 --schedules 20 --json --out f >all.json 2>/dev/null
for k in 0 1 2; do
  "$L" explore --design current --generate --workloads 9 --schedules 20 --shard $k/3 --json \
    --out f >s$k.json 2>/dev/null
done
check "shards add up to the whole series" python3 - all.json s0.json s1.json s2.json <<'PY'
import json, sys
whole, *shards = [json.load(open(f))["rows"][0] for f in sys.argv[1:]]
assert [s["workloads"] for s in shards] == [3, 3, 3], shards
assert sum(s["workloads"] for s in shards) == whole["workloads"] == 9
assert sum(s["executions"] for s in shards) == whole["executions"]
assert sum(s["distinct-schedules"] for s in shards) == whole["distinct-schedules"]
PY
run merge s0.json s1.json s2.json
check "merge reads generated shards" rc_is 0
check "merge sums their workloads" has "in 3 shard(s), 9 workloads"
# A variant's shards: the merged failure is the lowest failing workload's, as unsharded.
"$L" explore --design leaky-workers --generate --workloads 12 --json --no-shrink --out f \
  >v.json 2>/dev/null
for k in 0 1 2; do
  "$L" explore --design leaky-workers --generate --workloads 12 --shard $k/3 --json \
    --no-shrink --out f >v$k.json 2>/dev/null
done
"$L" merge v0.json v1.json v2.json --json >vm.json 2>/dev/null
check "merged shards report the unsharded run's failing workload" python3 - v.json vm.json <<'PY'
import json, sys
whole = json.load(open(sys.argv[1]))["rows"][0]
merged = json.load(open(sys.argv[2]))["rows"][0]
assert whole["failing-workload"] is not None, whole
assert merged["failing-workload"] == whole["failing-workload"], (merged, whole)
assert merged["ok"] and merged["verdict"] == "caught", merged
PY
run explore --design current --generate --workloads 2 --schedules 5 --junit j.xml --out f
check "JUnit of a generated row" grep -q "2 generated workloads, 10 executions" j.xml

# A variant caught on a generated workload: trace written and shrunk, replay reproduces it.
run explore --design leaky-workers --generate --workloads 20 --out t
check "leaky-workers caught on a generated workload: exit 0" rc_is 0
check "the row names the failing workload" grep -qE '^leaky-workers +[0-9]+ +[0-9]+ no-phantom-subscribers' "$W/out"
check "trace file named by the workload" has "leaky-workers--generated-w"
replay_line="$(grep '^replay: ' "$W/out" | head -1)"
check "a replay line with absolute paths" test -n "$replay_line"
shrunk="${replay_line##* }"
run replay "$shrunk" --check
check "the shrunk generated trace replays to its recorded failure" rc_is 0
check "check: same outcome" has "the recorded outcome happened again"
check "with the same property" has "no-phantom-subscribers"
check "the trace holds its workload" grep -q '"program": *"generated:seed1:w' "$shrunk"

# --time: read between workloads, so the run stops drawing after it and says how many ran.
run explore --design current --generate --time 1 --workloads 1000000 --json --out f
check "--time 1: exit 0 (current held on what ran)" rc_is 0
check "--time 1: the row says time stopped it" grep -q '"time-stopped": true' "$W/out"
run explore --design current --generate --time 1 --out f
check "--time 1: the table says so" has "current: --time ran out after"
