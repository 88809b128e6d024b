# Item 19: errors are one clear line, exit 2, never a hang or a crash.
expect 2 "--depth: must be an integer from 1 to 1000" explore --strategy pct --depth 4294967295
mkdir adir
expect 2 "is a directory" explore --workload adir
check "not \"malformed JSON\"" lacks "malformed"
expect 2 "No such file or directory" explore --workload nothere.json
expect 2 "No such file or directory" replay nothere.json
mkfifo fifo
timeout 20 "$L" explore --workload fifo >"$W/out" 2>"$W/err"
echo $? >"$W/rc"
check "a FIFO does not hang: exit 2" rc_is 2
check "a FIFO: says why" has "not a regular file"
expect 2 "not a regular file" replay /dev/zero
"$L" explore --design current --scenario hung-start --schedules 5 --out f >/dev/full 2>"$W/err"
echo $? >"$W/rc"
check "full stdout: exit 2" rc_is 2
check "full stdout: says so" has "cannot write to standard output"
t=$(variant_trace)
cp "$t" orig.json
expect 2 "is the input trace" shrink orig.json --out orig.json
check "the original is untouched" cmp -s orig.json "$t"
