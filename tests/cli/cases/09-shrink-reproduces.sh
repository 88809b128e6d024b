# Item 9: shrink refuses a trace whose failure does not reproduce (it wrote a "shrunk" trace).
t=$(variant_trace)
sed 's/"property": "no-phantom-subscribers"/"property": "per-thread-order"/' "$t" >edited.json
expect 2 "cannot shrink: replayed, property per-thread-order does not fail" shrink edited.json --out s.json
check "nothing written" test ! -e s.json
sed 's/"op": "lock"/"op": "yield"/' "$t" >diverged.json
expect 2 "cannot shrink: it does not replay" shrink diverged.json --out s.json
