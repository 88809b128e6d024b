# Item 15: the FAILURE header gives the --seed the user gave (it gave an internal seed).
run explore --design split-lock-domains --strategy pct --schedules 2000 --seed 1 --no-shrink --out f
check "header names --seed 1 and the execution" has "--seed 1, execution 337"
