# Item 5: runs sharing --out never clobber each other: the shard is in the name, temporary
# files are unique, and a different trace of the same name is never overwritten.
run explore --design split-lock-domains --scenario phantom-attach --strategy pct --schedules 600 --shard 0/2 --no-shrink --out f --json
run explore --design split-lock-domains --scenario phantom-attach --strategy pct --schedules 600 --shard 1/2 --no-shrink --out f --json
check "both shards' traces, named by shard" test "$(ls f | grep -c 'shard[01]of2')" = 2
first=$(ls f/*shard0of2*.json)
cp "$first" keep.json
echo '{"not": "this trace"}' >"$first"
run explore --design split-lock-domains --scenario phantom-attach --strategy pct --schedules 600 --shard 0/2 --no-shrink --out f
check "a different file of that name is not overwritten" grep -q 'not' "$first"
check "the new trace went beside it" test -s "${first%.json}-2.json"
check "the printed path is the one written" has "${first%.json}-2.json"
check "no temporary files" test -z "$(ls f | grep tmp)"
