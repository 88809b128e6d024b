# Item 14: the report shows the rows around every step the violation cites, even in the
# middle of a long interleaving (it showed only the first and last 30 rows).
run explore --design split-lock-domains --strategy pct --schedules 2000 --seed 1 --no-shrink --out f
check "the violating step's row is shown and marked" grep -qE '^ +45\* ' "$W/out"
check "so is the step the message cites" grep -qE '^ +38\* ' "$W/out"
check "the #i @s notation is explained" has "#i @s: the probe's record number i"
