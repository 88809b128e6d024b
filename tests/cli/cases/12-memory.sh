# Item 12: "distinct" is a bounded sketch (exact up to 4096, then HyperLogLog) and --stats
# reports max RSS. (The sketch's accuracy and bound: tests/traces/distinct_test.cc.)
expect 0 "max RSS" explore --design current --scenario hung-start --schedules 50 --stats --out f
run explore --design current --scenario hung-start --schedules 50 --stats --json --out f
check "JSON max-rss-kb" has '"max-rss-kb":'
check "JSON says whether distinct is estimated" has '"distinct-estimated": false'
