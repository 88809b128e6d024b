# Item 11: one rule for exit code, JSON "ok" and JUnit: a variant NOT CAUGHT fails all three.
run explore --design split-lock-domains --schedules 1 --json --junit j.xml --out f
check "NOT CAUGHT: exit 1" rc_is 1
check "JSON ok false" has '"ok": false'
check "JUnit failure" grep -q 'failures="1"' j.xml
run explore --design split-lock-domains --strategy pct --schedules 2000 --no-shrink --json --junit k.xml --out g
check "caught: exit 0" rc_is 0
check "JSON ok true" has '"ok": true'
check "JUnit no failure" grep -q 'failures="0"' k.xml
