#!/bin/sh
# Run each unit test binary given, print one line per binary, and exit
# non-zero if any failed.  A failing binary's own output is shown in full.
#
#   tests/unit/run.sh build/tests/test_names build/tests/test_state ...

if [ "$#" -eq 0 ]; then
	echo "usage: $0 UNIT_TEST_BINARY..." >&2
	exit 2
fi

passed=0
failed=0
for bin in "$@"; do
	name=$(basename "$bin")
	if out=$("$bin" 2>&1); then
		count=$(printf '%s\n' "$out" | sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
		echo "PASS $name (${count:-?} tests)"
		passed=$((passed + 1))
	else
		rc=$?
		printf '%s\n' "$out"
		echo "FAIL $name (exit $rc)"
		failed=$((failed + 1))
	fi
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
