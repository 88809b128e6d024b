# Item 6: outputs are checked before the run; a write error after a failure still prints the
# failure, then the error; a failed run never exits 0.
expect 2 "--junit /nonexistent/x.xml" explore --design split-lock-domains --junit /nonexistent/x.xml --out f
check "checked before the run: nothing ran" test ! -e f
run explore --design split-lock-domains --strategy pct --schedules 2000 --no-shrink --junit /dev/full --out g
check "full disk for JUnit: exit 2" rc_is 2
check "the failure is still printed" has "FAILURE in design split-lock-domains"
check "then the error" has "JUnit report: cannot write /dev/full"
# A trace write that fails (file size limit) after a failure was found.
bash -c 'trap "" XFSZ; ulimit -f 4; exec "$0" "$@"' "$L" explore --design split-lock-domains \
  --strategy pct --schedules 2000 --no-shrink --out h 2>"$W/err" | cat >"$W/out"
echo "${PIPESTATUS[0]}" >"$W/rc"
check "failed trace write: exit 2" rc_is 2
check "the failure is still printed" has "property no-phantom-subscribers violated"
check "and the write error" has "cannot write"
check "no temporary file left" test -z "$(ls h | grep tmp)"
