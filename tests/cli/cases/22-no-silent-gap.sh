# No silent gap: 64 idle clients and one whose start hangs, under blocking-start. DPOR once
# abandoned every execution at its 65th task and said "NOT CAUGHT (space exhausted)", exit 0.
# Now it catches the variant on execution 1 (a caught variant is the expected result: exit 0);
# the abandoned count is in JSON, and JUnit has the row.
WL="$HERE/../variants/workloads/idle-clients-hung-start.json"
run explore --design blocking-start --workload "$WL" --strategy dpor --schedules 0 --json \
  --junit "$W/j.xml" --out "$W/f"
check "65 clients: dpor catches blocking-start (exit 0)" rc_is 0
check "65 clients: the verdict is caught" grep -q '"verdict": "caught"' "$W/out"
check "65 clients: abandoned count in JSON" grep -q '"abandoned": 0' "$W/out"
check "65 clients: not exhausted (stopped at the failure)" grep -q '"exhausted": false' "$W/out"
check "65 clients: JUnit has the row, no error" grep -q 'errors="0"' "$W/j.xml"
