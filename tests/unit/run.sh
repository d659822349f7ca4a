#!/bin/sh
# Run each unit test binary given; their results come out as TAP lines
# ("ok N - name", "not ok N - name") so that tests/check.sh can count them.
# Exits non-zero if any binary failed.
#
#   tests/unit/run.sh build/tests/test_names build/tests/test_state ...

if [ "$#" -eq 0 ]; then
	echo "usage: $0 UNIT_TEST_BINARY..." >&2
	exit 2
fi

failed=0
for bin in "$@"; do
	name=$(basename "$bin")
	echo "# $name"
	if ! CMOCKA_MESSAGE_OUTPUT=TAP "$bin"; then
		echo "# FAIL $name"
		failed=$((failed + 1))
	fi
done
[ "$failed" -eq 0 ]
