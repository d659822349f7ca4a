#!/bin/sh
# Run each unit test binary given; their results come out as TAP lines
# ("ok N - name", "not ok N - name", "not ok N # SKIP name") so that
# tests/check.sh can count them.  Exits non-zero if any binary failed.
#
#   tests/unit/run.sh build/tests/test_names build/tests/test_state ...

if [ "$#" -eq 0 ]; then
	echo "usage: $0 UNIT_TEST_BINARY..." >&2
	exit 2
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT

# verdict NAME STATUS: a "not ok" line for what the binary's own lines do
# not show: an exit status no failed test accounts for (a crash between
# tests, a sanitizer's abort), or fewer results than its plan.  A comment
# would count as nothing.
verdict() {
	planned=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$out" | head -n 1)
	reported=$(grep -cE '^(not )?ok( |$)' "$out")
	if [ -n "$planned" ] && [ "$reported" -lt "$planned" ]; then
		echo "not ok - $1 reported $reported of its $planned tests (status $2)"
	elif [ "$2" -ne 0 ] && ! grep '^not ok' "$out" | grep -qiv ' # skip'; then
		echo "not ok - $1 exited with status $2"
	fi
}

failed=0
for bin in "$@"; do
	name=$(basename "$bin")
	echo "# $name"
	CMOCKA_MESSAGE_OUTPUT=TAP "$bin" >"$out"
	status=$?
	cat "$out"
	verdict "$name" "$status"
	[ "$status" -eq 0 ] || failed=$((failed + 1))
done
[ "$failed" -eq 0 ]
