# Item 18: shrinking has a budget and shows progress (it sat silent for minutes).
run explore --design split-lock-domains --strategy pct --schedules 2000 --seed 1 --shrink-attempts 5 --out f
check "exit 0" rc_is 0
check "progress of the shrinking on stderr" grep -q "shrinking: " "$W/err"
check "the spent budget is said" has "budget spent"
t=$(ls f/*.json | grep -v shrunk | head -1)
run shrink "$t" --max-attempts 3 --out s.json
check "shrink --max-attempts" has "the budget was spent"
