# Item 3: unknown workload fields are refused with their path (a typo dropped a stall).
expect 2 "clients[0].ops[1].stal: unknown field" explore --design single-worker --workload "$CORPUS/stall-typo.json" --schedules 5
check "one line" one_line_error
expect 2 "workload unload-delay: unknown field" explore --workload "$CORPUS/top-typo.json"
expect 2 "unknown operation 'fly'" explore --workload "$CORPUS/unknown-op.json"
