# Polish: --help shows defaults and lists; --version; scenario --print gives a workload that
# explore reads back; merge of shards' summaries; progress lines when piped.
expect 0 "designs: all, current" --help
check "lists scenarios" has "scenarios: phantom-attach"
run explore --help
check "explore --help shows defaults" has "=1000"
check "and --max-steps" has "--max-steps"
expect 0 "lockstep 0." --version
run scenario hung-start --print
check "scenario --print: exit 0" rc_is 0
cp "$W/out" hung.json
expect 0 "all held" explore --workload hung.json --schedules 20 --out f
for k in 0 1 2; do
  "$L" explore --design split-lock-domains --scenario phantom-attach --strategy pct \
    --schedules 900 --shard $k/3 --no-shrink --json --out m >s$k.json 2>/dev/null
done
run merge s0.json s1.json s2.json
check "merge: exit 0 (caught in some shard)" rc_is 0
check "merge: totals" has "executions in 3 shard(s)"
check "merge: the lowest shard's failure and trace" has "(shard 0, execution "
run merge s0.json s1.json s2.json --json
check "merge --json: lowest shard's failure" has '"first-failure-shard"'
run explore --design current --scenario hung-start --schedules 200 --out f
check "progress line when piped" grep -q "executions of 200" "$W/err"
expect 2 "No such file or directory" merge nothere.json
expect 2 "not a summary written by explore --json" merge "$CORPUS/tiny.json"
expect 2 "scenario --print needs a scenario name" scenario --print
# The README's synopsis lists exactly the options --help shows, command by command.
for c in explore replay shrink lockgraph scenario merge; do
  "$L" $c --help | grep -oE '^  --[a-z-]+' | tr -d ' ' | sort -u >help-$c
  python3 - "$HERE/../../README.md" "$c" >readme-$c <<'PY'
import re, sys
text = open(sys.argv[1]).read()
block = text.split("## The command line", 1)[1].split("```")[1]
lines, cur = {}, None
for line in block.splitlines():
    m = re.match(r"lockstep (\S+)", line)
    if m:
        cur = m.group(1)
    if cur:
        lines.setdefault(cur, []).append(line)
opts = set(re.findall(r"--[a-z-]+", " ".join(lines.get(sys.argv[2], []))))
print("\n".join(sorted(opts)))
PY
  check "README synopsis of $c matches --help" cmp -s help-$c readme-$c
done
