# Item 2: numbers out of range are refused, naming the field (they were cut or wrapped).
expect 2 "clients[0].connection: 4294967295 is out of range" explore --workload "$CORPUS/connection-2p32m1.json"
check "one line" one_line_error
expect 2 "unload-delay-ms: 18446744073709551615 is out of range" explore --workload "$CORPUS/unload-delay-2p64m1.json"
expect 2 "clients[0].ops[1].thread: 4294967296 is out of range" explore --workload "$CORPUS/thread-2p32.json"
expect 2 "cleanup.ticks: 4294967296 is out of range" explore --workload "$CORPUS/cleanup-ticks-2p32.json"
expect 2 "cleanup.ticks" lockgraph --workload "$CORPUS/cleanup-ticks-2p32.json"
