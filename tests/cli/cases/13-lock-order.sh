# Item 13: a failure found only by the lock-order check is reported with its sites and a
# trace of the execution that took it (it printed a bare property, "first-failure": null).
run explore --design global-pool-lock --schedules 1 --no-shrink --out f
check "exit 1" rc_is 1
check "reported as a lock-order finding" has "found by the lock-order check"
check "with the hold's sites" has "pool held at session_pool.h:83"
t=$(ls f/*lock-order1-exec1.json 2>/dev/null | head -1)
check "a trace of the execution that took it" test -s "$t"
check "its path is printed" has "$t"
run replay "$t" --check
check "that trace replays" rc_is 0
run explore --design global-pool-lock --schedules 1 --no-shrink --out f --json
check "JSON lists it with its trace" has '"took": "pool held at session_pool.h:83'
