#!/bin/bash
# Every test of berth, ending with one line: "N passed, N failed[, N skipped]".
#
# Stages: unit tests (plain, then under ASan+UBSan), the fuzz harnesses for
# a short fixed number of runs each, the bats suite on this host, and the
# bats suite again inside a pure cgroup v2 VM (tests/vm).
# Each stage speaks TAP; the counts come from its "ok" / "not ok" lines,
# and a stage that dies without reporting counts as one failure.
#
# A skip ("ok N NAME # skip REASON" from bats, "not ok N # SKIP NAME" from
# cmocka) must be listed in tests/expected-skips, else it counts as a
# failure: a condition that newly holds must not turn tests into skips
# that nobody reads.  Every skip is listed at the end with its reason.
#
#   tests/check.sh
#   tests/check.sh --write-expected-skips
#       run everything, then rewrite tests/expected-skips from this run's
#       skips (the stages that did not run keep their entries)
#   tests/check.sh --write-expected-skips STAGE=FILE.tap...
#       run nothing: rewrite the entries of those stages from saved TAP,
#       e.g. host=host.tap from "bats --tap tests/integration > host.tap"
#
# BERTH_SKIP_VM=1 leaves the VM stage out; its tests then count as skipped
# and the summary says so.
set -u
cd "$(dirname "$0")/.." || exit

EXPECTED=tests/expected-skips

# write: --write-expected-skips; saved: its STAGE=FILE.tap arguments, which
# stand for the stages (stage and vm_stage then run nothing).
write='' saved=''
if [ "${1:-}" = --write-expected-skips ]; then
	write=1
	shift
	[ $# -eq 0 ] || saved=1
fi
vm_not_run=0

results=$(mktemp -d)
vm_pid=
trap '[ -z "$vm_pid" ] || kill -- -"$vm_pid" 2>/dev/null; rm -rf "$results"' EXIT
# bash skips the EXIT trap when a signal it does not trap ends it; without
# these a killed run would leave the VM's qemu running.
trap 'exit 130' INT
trap 'exit 143' TERM

# real_failure FILE: whether FILE has a "not ok" line that is not a skip.
real_failure() {
	grep '^not ok' "$1" | grep -qiv ' # skip'
}

# planned FILE: the sum of FILE's plans ("1..N"; the unit stage has one per
# binary).
planned() {
	sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$1" | awk '{ n += $1 } END { print n + 0 }'
}

# verdict NAME STATUS: one "not ok" line for what a stage's own lines do
# not show: a failure exit with no failed test, or a success with fewer
# results than its plan (a stage cut short whose runner still exits 0).
# A failure exit with failed tests adds nothing: the run fails already,
# and tests/unit/run.sh reports a binary's crash itself.
verdict() {
	local tap=$results/$1.tap plan reported
	plan=$(planned "$tap")
	reported=$(grep -cE '^(not )?ok( |$)' "$tap")
	if [ "$2" -ne 0 ] && ! real_failure "$tap"; then
		echo "not ok - stage $1 exited with status $2"
	elif [ "$2" -eq 0 ] && [ "$reported" -lt "$plan" ]; then
		echo "not ok - stage $1 reported $reported of $plan planned tests (status $2)"
	fi
}

# vm_suite: what tests/vm/suite names: vm_files, the files that run whole,
# and for a line "GLOB REGEX", each of its files in vm_part_files with
# REGEX at the same index of vm_part_res: they run only the tests whose
# names match it (bats -f).  A glob that matches
# nothing (a renamed file) would drop its tests without a word: it is a
# failure, reported in the stage "vm-suite".
vm_suite() {
	local pattern filter f matched
	vm_files=() vm_part_files=() vm_part_res=()
	while read -r pattern filter; do
		[[ -z "$pattern" || "$pattern" == \#* ]] && continue
		matched=
		for f in tests/integration/$pattern; do
			[ -e "$f" ] || continue
			matched=1
			if [ -n "$filter" ]; then
				vm_part_files+=("$f")
				vm_part_res+=("$filter")
			else
				vm_files+=("$f")
			fi
		done
		[ -n "$matched" ] ||
			echo "not ok - tests/vm/suite: '$pattern' matches no file in tests/integration" |
			tee -a "$results/vm-suite.tap"
		[[ $filter != *\'* ]] ||
			echo "not ok - tests/vm/suite: the filter of '$pattern' has a quote" |
			tee -a "$results/vm-suite.tap"
	done <tests/vm/suite
}

# vm_count: how many tests the suite holds (for BERTH_SKIP_VM).
vm_count() {
	local n=0 i
	[ ${#vm_files[@]} -eq 0 ] || n=$(bats --count "${vm_files[@]}")
	for i in "${!vm_part_files[@]}"; do
		n=$((n + $(bats --count -f "${vm_part_res[i]}" "${vm_part_files[i]}")))
	done
	echo "$n"
}

# vm_command: the guest's shell command: one bats run for the whole files,
# one per filtered file (TAP allows a plan per run; verdict sums them),
# failing when any failed.
vm_command() {
	local cmd='s=0' i
	[ ${#vm_files[@]} -eq 0 ] || cmd+="; bats --tap ${vm_files[*]} || s=1"
	for i in "${!vm_part_files[@]}"; do
		cmd+="; bats --tap -f '${vm_part_res[i]}' ${vm_part_files[i]} || s=1"
	done
	echo "$cmd; exit \$s"
}

# vm_stage_start: the VM stage, in the background from the start, beside
# the other stages.  The VM emulates its CPU (no KVM here), and with one
# vCPU keeps at most one core busy, for its whole run, waiting on nothing
# else; the host's stages have the other core.  Measured in a whole CI
# run on a fresh machine: after the host stage, the run took 56 minutes
# (host 1203 s, VM 1572 s); beside it, 38 minutes (host 1386 s, VM 1578
# s, which ended about a minute before the host's).  One vCPU, not two: the
# guest's programs ran 15 to 25% faster so, and the guest never takes
# both cores from the host's stage.  Its lines are held in vm.out and
# shown by vm_stage_end, after the host's, so the two do not mix.  set -m
# gives it a process group of its own, which the EXIT trap kills when
# this script ends early.
vm_stage_start() {
	[ -z "$saved" ] || return 0
	vm_suite
	if [ -n "${BERTH_SKIP_VM:-}" ]; then
		vm_not_run=$(vm_count) || vm_not_run=0
		echo "=== vm: not run (BERTH_SKIP_VM is set): $vm_not_run tests left out"
		return
	fi
	set -m
	stage vm tests/vm/run --cpus 1 --timeout 2700 -- "$(vm_command)" >"$results/vm.out" 2>&1 &
	vm_pid=$!
	set +m
}

vm_stage_end() {
	[ -n "$vm_pid" ] || return 0
	wait "$vm_pid"
	vm_pid=
	cat "$results/vm.out"
}

# classify FILE...: one line per test result: "pass", "fail" or
# "skip<TAB>STAGE<TAB>NAME<TAB>REASON", the stage being the file's name.
# cmocka gives no reason, and its skip line names only the test: the
# binary comes from the "# BINARY" line tests/unit/run.sh prints first.
classify() {
	awk '
		FNR == 1 { stage = FILENAME; sub(/.*\//, "", stage); sub(/\.tap$/, "", stage); bin = "" }
		/^# [A-Za-z0-9_.-]+$/ { bin = substr($0, 3) }
		!/^(not )?ok( |$)/ { next }
		# The last " # skip", as bats reads it back.
		match($0, /.* # [Ss][Kk][Ii][Pp]( |$)/) {
			name = substr($0, 1, RLENGTH)
			reason = substr($0, RLENGTH + 1)
			sub(/ # [Ss][Kk][Ii][Pp] ?$/, "", name)
			sub(/^(not )?ok [0-9]* *(- )?/, "", name)
			if (name == "") {
				name = (bin != "" ? bin ": " : "") reason
				reason = "(cmocka gives no reason)"
			}
			print "skip\t" stage "\t" name "\t" (reason == "" ? "(no reason given)" : reason)
			next
		}
		/^ok/ { print "pass"; next }
		{ print "fail" }
	' "$@"
}

# expected_keys: "STAGE<TAB>NAME" of each entry of the expected-skips file
# that names one test.
expected_keys() {
	[ -f "$EXPECTED" ] || return 0
	awk -F '\t' '/^[^#]/ && NF >= 2 && $2 !~ /^reason: / { print $1 "\t" $2 }' "$EXPECTED"
}

# expected_reason STAGE REASON: whether an entry "STAGE<TAB>reason: PREFIX"
# expects any skip of STAGE whose reason starts with PREFIX.  Only for a
# condition of the machine that no test can change, named precisely: a
# chroot, where the kernel refuses user namespaces to everyone.
expected_reason() {
	[ -f "$EXPECTED" ] || return 1
	awk -F '\t' -v stage="$1" -v reason="$2" '
		/^[^#]/ && $1 == stage && $2 ~ /^reason: / &&
			index(reason, substr($2, 9)) == 1 { found = 1 }
		END { exit !found }' "$EXPECTED"
}

# check_skips SKIPS STAGES: lists every skip; one that is not expected
# becomes a "not ok" line in the stage "skips".  An expected skip that did
# not happen, of a stage that ran, is a note only: its test now runs and
# is counted as passed or failed, so nothing hides (failing would make
# every fix of a skip break the run until the list is rewritten); the note
# says to drop it, so that a stale entry cannot let the skip come back.
check_skips() {
	local skips=$1 stages=$2 stage name reason
	[ -s "$skips" ] && echo "=== skips (stage: test: reason)"
	while IFS=$'\t' read -r _ stage name reason; do
		echo "# skip $stage: $name: $reason"
		expected_keys | grep -qxF "$stage"$'\t'"$name" && continue
		expected_reason "$stage" "$reason" && continue
		echo "not ok - unexpected skip in $stage: $name ($reason); not in $EXPECTED" |
			tee -a "$results/skips.tap"
	done <"$skips"
	expected_keys | while IFS=$'\t' read -r stage name; do
		grep -qxF "$stage" <<<"$stages" || continue
		cut -f2,3 "$skips" | grep -qxF "$stage"$'\t'"$name" && continue
		echo "note: expected skip did not happen (drop it from $EXPECTED): $stage: $name"
	done
}

# write_expected SKIPS STAGES: rewrites the expected-skips file: the entries
# of STAGES from SKIPS (keeping the comment of an entry that stays, else
# the skip's reason), the other stages' entries and the header as they were.
write_expected() {
	local skips=$1 stages=$2 tmp
	tmp=$(mktemp)
	touch "$EXPECTED"
	awk -F '\t' -v stages="$stages" '
		BEGIN { n = split(stages, s, "\n"); for (i = 1; i <= n; i++) regen[s[i]] = 1 }
		FILENAME == ARGV[1] {
			if (/^#/ || /^$/) { if (!entries) print; next }
			entries = 1
			if ($2 ~ /^reason: /) { print; by_reason[$1] = by_reason[$1] "\n" substr($2, 9); next }
			why[$1 "\t" $2] = $3
			if (!($1 in regen)) print
			next
		}
		{
			n = split(by_reason[$2], r, "\n")
			for (i = 2; i <= n; i++) if (index($4, r[i]) == 1) next
			key = $2 "\t" $3
			print key "\t" (key in why ? why[key] : "# " $4)
		}
	' "$EXPECTED" "$skips" >"$tmp"
	cat "$tmp" >"$EXPECTED"
	rm -f "$tmp"
	echo "wrote $EXPECTED: $(expected_keys | wc -l) expected skips"
}

# from_saved STAGE=FILE...: the saved TAP files, as if their stages ran.
from_saved() {
	local arg
	for arg in "$@"; do
		[[ $arg == ?*=?* ]] || { echo "usage: $0 --write-expected-skips [STAGE=FILE.tap...]" >&2; exit 2; }
		cp "${arg#*=}" "$results/${arg%%=*}.tap" || exit 2
	done
}

stage() {
	local name=$1 start=$SECONDS
	[ -z "$saved" ] || return 0
	shift
	echo "=== $name"
	"$@" 2>&1 | tee "$results/$name.tap"
	local rc=${PIPESTATUS[0]}
	verdict "$name" "$rc" | tee -a "$results/$name.tap"
	# Where CI's time goes (a comment in TAP, so it counts as nothing).
	echo "# stage $name took $((SECONDS - start)) s"
}

# The VM's stage first: it runs beside all the others (vm_stage_start).
vm_stage_start
stage lint tests/lint_bats.py
stage unit make -s unit
stage unit-sanitize make -s unit-sanitize
# The rooms of the source and the arrows between them (runtime/README.md).
stage rooms tests/rooms.sh
# Each parser's libFuzzer harness, built with clang, from its seed corpus
# for a short fixed number of runs (tests/fuzz/run.sh).
stage fuzz tests/fuzz/run.sh
stage host bats --tap tests/integration
# The VM emulates its CPU, so every process costs tens of milliseconds
# there: it runs the files whose subject differs between a hybrid and a
# pure cgroup v2 host (tests/vm/suite lists them).
vm_stage_end
[ -z "$saved" ] || from_saved "$@"

skips=$results/skips
classify "$results"/*.tap >"$results/classified"
grep $'^skip\t' "$results/classified" >"$skips"
stages=$(for f in "$results"/*.tap; do basename "$f" .tap; done)
if [ -n "$write" ]; then
	write_expected "$skips" "$stages"
	exit 0
fi
check_skips "$skips" "$stages"

# An unexpected skip counts as the failure it became, not as a skip too.
unexpected=0
[ -f "$results/skips.tap" ] && unexpected=$(grep -c '^not ok' "$results/skips.tap")
classify "$results"/*.tap >"$results/classified"
passed=$(grep -cx pass "$results/classified")
failed=$(grep -cx fail "$results/classified")
skipped=$(($(grep -c $'^skip\t' "$results/classified") - unexpected + vm_not_run))
if [ "$vm_not_run" -gt 0 ]; then
	echo "note: BERTH_SKIP_VM is set: the VM stage did not run; its $vm_not_run tests count as skipped"
fi
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
