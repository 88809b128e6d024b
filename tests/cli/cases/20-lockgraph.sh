# Item 20: lockgraph says why it fails in every format, accepts --design all, and draws a
# violating hold unlike an allowed one.
expect 1 "global-pool-lock: no-deadlock" lockgraph --design global-pool-lock --scenario long-prompt --schedules 20 --format dot
check "the graph is still DOT on stdout" grep -q "^digraph" "$W/out"
check "the violating hold is red" grep -q "VIOLATION: held across a wait.*color=red" "$W/out"
run lockgraph --design current --scenario long-prompt --schedules 20 --format dot
check "an allowed hold is not red" lacks "color=red"
expect 1 "VIOLATION" lockgraph --design global-pool-lock --scenario long-prompt --schedules 20 --format mermaid
check "mermaid: styled" grep -q "stroke:red" "$W/out"
expect 1 "lock order of design current" lockgraph --design all --schedules 5
