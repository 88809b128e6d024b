# Item 16: one replay line, with this binary's absolute path and the trace's absolute path;
# the shrunk trace's path; each caught variant's trace under --design all; 1-based execution
# numbers in file names and summaries alike.
run explore --design split-lock-domains --strategy pct --schedules 2000 --seed 1 --out f
check "printed once" test "$(grep -c '^replay:' "$W/out")" = 1
check "with the binary's own path" has "replay: $L replay /"
check "and the shrunk trace's path" grep -q "shrunk to .*: /.*shrunk.json" "$W/out"
check "1-based file name (execution 337 in the summary)" test -s f/split-lock-domains--phantom-attach--pct-seed1-exec337.json
run explore --design all --strategy pct --schedules 500 --seed 7 --no-shrink --out d
check "--design all: each caught variant's trace" test "$(grep -c '^trace of ' "$W/out")" -ge 5
