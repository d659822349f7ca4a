#!/usr/bin/env bats
# Limits that bite: the OOM killer at the memory limit (and the events
# that report it), a fork bomb stopped at pids.max.

load helpers
load cgroups_helpers

setup() {
	setup_bundle
}

teardown() {
	cleanup_cgroups
}

# 32 MiB, no swap: dd's 64 MiB buffer cannot fit.
limit_memory() {
	set_resources '{"memory":{"limit":33554432,"swap":33554432}}'
}

@test "a memory-hungry process is OOM-killed at the limit (137), and the cgroup says so" {
	limit_memory
	set_script 'echo start; exec dd if=/dev/zero of=/dev/null bs=64M count=1'
	run berth run --keep --bundle "$BUNDLE" ctr
	assert_failure 137
	assert_output_contains start
	if is_unified; then
		grep -Eq "^oom_kill [1-9]" "$(cgroup_dir)/memory.events"
	else
		grep -Eq "^oom_kill [1-9]" "$(ctl_dir memory)/memory.oom_control"
	fi
	# The cgroup of an OOM-killed container goes with delete too.
	berth delete ctr
	assert_no_cgroups
}

@test "events reports the OOM" {
	limit_memory
	set_script 'echo READY; read x </dev/null; sleep 1; dd if=/dev/zero of=/dev/null bs=64M count=1'
	start_detached
	wait_for grep -q READY "$OUT"
	timeout 20 "$BERTH" --root "$ROOT" events --interval 10s ctr >"$BATS_TEST_TMPDIR/events" &
	local ev=$!
	wait_for status_is ctr stopped
	wait "$ev"
	cat "$BATS_TEST_TMPDIR/events"
	grep -q '^{"type":"oom","id":"ctr"}$' "$BATS_TEST_TMPDIR/events"
}

@test "a fork bomb stops at pids.max" {
	set_resources '{"pids":{"limit":20}}'
	set_script 'bomb() { bomb | bomb & }; bomb; echo READY; sleep 1000'
	start_detached
	wait_for grep -q READY "$OUT"
	sleep 1
	local cur
	cur=$(cat "$(ctl_dir pids)/pids.current")
	[ "$cur" -le 20 ]
	# The bomb's processes come and go, so how many there are at one
	# moment says little; that forks were refused at the limit says it all.
	grep -Eq "^max [1-9]" "$(ctl_dir pids)/pids.events"
	grep -q "can't fork" "$OUT"
	# kill --all ends it.
	berth kill --all ctr KILL
	wait_for status_is ctr stopped
	run berth ps --format json ctr
	assert_equal "$output" "[]"
	berth delete ctr
	assert_no_cgroups
}
