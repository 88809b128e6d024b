# Item 17: task columns name their connection; internal ids never appear; a shrunk trace names
# the search that found it.
run explore --design split-lock-domains --strategy pct --schedules 2000 --seed 1 --shrink-attempts 20 --out f
check "column named by connection" has "client c0"
check "no internal task ids" lacks "task 21474836"
s=$(ls f/*.shrunk.json | head -1)
run replay "$s"
check "shrunk trace names the original strategy" has "recorded by pct, then shrunk"
check "not the shrinker's" lacks "recorded by guided"
# This execution also fails linearizability, whose report names the checker's final query.
run explore --design no-unload-guard --strategy random --schedules 3000 --no-shrink --out g
run replay "$(ls g/*.json | head -1)"
check "a linearizability report" has "property linearizable violated"
check "names the checker's query, not an internal task id" has "checker query 2"
check "no internal task ids" lacks "task 21474836"
