# Item 7: negative numbers are refused (they wrapped: -1 ran forever).
expect 2 "--schedules: must be an integer" explore --schedules -1
expect 2 "--seed: must be an integer" explore --seed -1
expect 2 "--budget: must be an integer" shrink x.json --budget -1
expect 2 "--schedules: must be an integer" lockgraph --schedules -1
check "one line" one_line_error
