#!/bin/bash
# Every test of berth, ending with one line: "N passed, N failed[, N skipped]".
#
# Stages: unit tests (plain, then under ASan+UBSan), the bats suite on this
# host, and the bats suite again inside a pure cgroup v2 VM (tests/vm).
# Each stage speaks TAP; the counts come from its "ok" / "not ok" lines,
# and a stage that dies without reporting counts as one failure.
set -u
cd "$(dirname "$0")/.."

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

stage() {
	local name=$1 start=$SECONDS
	shift
	echo "=== $name"
	"$@" 2>&1 | tee "$results/$name.tap"
	local rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$results/$name.tap"; then
		echo "not ok - stage $name exited with status $rc" | tee -a "$results/$name.tap"
	fi
	# Where CI's time goes (a comment in TAP, so it counts as nothing).
	echo "# stage $name took $((SECONDS - start)) s"
}

stage lint tests/lint_bats.py
stage unit make -s unit
stage unit-sanitize make -s unit-sanitize
# The rooms of the source and the arrows between them (runtime/README.md).
stage rooms tests/rooms.sh
stage host bats --tap tests/integration
# The VM emulates its CPU (no KVM here), so every process costs tens of
# milliseconds there: it runs the files whose subject differs between a
# hybrid and a pure cgroup v2 host (tests/vm/suite lists them).
if [ -z "${BERTH_SKIP_VM:-}" ]; then
	vm_files=()
	while read -r pattern; do
		[[ -z "$pattern" || "$pattern" == \#* ]] && continue
		for f in tests/integration/$pattern; do
			[ -e "$f" ] && vm_files+=("$f")
		done
	done <tests/vm/suite
	stage vm tests/vm/run --timeout 1800 -- bats --tap "${vm_files[@]}"
fi

passed=$(cat "$results"/*.tap | grep -E '^ok ' | grep -vc '# skip')
skipped=$(cat "$results"/*.tap | grep -E '^ok ' | grep -c '# skip')
failed=$(cat "$results"/*.tap | grep -c '^not ok')
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
