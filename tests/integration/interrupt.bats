#!/usr/bin/env bats
# SIGTERM, SIGINT and SIGHUP during create or run: the set-up stops, what
# it made goes (container processes, hooks, state, cgroups, mounts) and
# berth exits as the signal would have ended it (128 + N).  A create made
# slow by a hook stands for any slow one.

load helpers

setup() { setup_bundle; }
teardown() { cleanup_containers; }

# A hook that records its pid in $1, ignores the signals berth is sent
# (timeout signals its whole process group) and would sleep for $2 s:
# only berth's own SIGKILL ends it.
slow_hook() {
	jq -n --arg f "$1" --arg s "$2" '{path: "/bin/sh",
		args: ["sh", "-c", "echo $$ >\($f); trap \"\" TERM INT HUP; exec sleep \($s)"]}'
}

# Nothing of ctr left: state, cgroups in every hierarchy (and the test's
# parent, which this container made), berth or hook processes, a mount
# of the bundle on the host.
assert_nothing_left() {
	[ -z "$(ls -A "$ROOT")" ] || fail "state left: $(ls -A "$ROOT")"
	assert_no_leftovers
	assert_no_berth_processes
	if pgrep -f -x "sleep $1" >/dev/null; then fail "the hook (sleep $1) still runs"; fi
	if grep -q -- "$BUNDLE" /proc/self/mountinfo; then fail "a mount of the bundle is left"; fi
}

# Run berth with ARGS under timeout, send signal $1 (which timeout passes
# on) once the hook wrote $2, and collect berth's status and output.  A
# berth that held the signal is killed 30 s later (status 137), not
# waited for.
interrupt_when_hooked() {
	local sig=$1 pidfile=$2 pid
	shift 2
	timeout --preserve-status -k 30 600 "$BERTH" --root "$ROOT" "$@" </dev/null \
		>"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	wait_for test -s "$pidfile"
	kill -"$sig" "$pid"
	status=0
	wait "$pid" || status=$?
	output=$(cat "$BATS_TEST_TMPDIR/out")
}

@test "SIGTERM from timeout during a createRuntime hook: create stops, kills the hook, leaves nothing" {
	local pidfile=$BATS_TEST_TMPDIR/hook.pid
	update_config ".process.args = [\"sleep\", \"100\"]
		| .hooks.createRuntime = [$(slow_hook "$pidfile" 4211)]"
	# -k: were SIGTERM still held, SIGKILL would end berth (status 137).
	# Output through a file: a container process left behind would hold
	# a pipe open.
	status=0
	timeout --preserve-status -k 30 -s TERM 3 "$BERTH" --root "$ROOT" \
		create --bundle "$BUNDLE" ctr </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 || status=$?
	output=$(cat "$BATS_TEST_TMPDIR/out")
	assert_failure 143
	assert_output_contains 'hook createRuntime[0] /bin/sh killed: interrupted by SIGTERM'
	# The signal came while the hook ran.
	[ -s "$pidfile" ]
	wait_for test ! -d "/proc/$(cat "$pidfile")"
	assert_nothing_left 4211
}

@test "SIGINT while the container runs its createContainer hook: its processes are killed, nothing left" {
	local pidfile=$BATS_TEST_TMPDIR/hook.pid
	update_config ".process.args = [\"sleep\", \"100\"]
		| .hooks.createContainer = [$(slow_hook "$pidfile" 4212)]"
	# The hook runs in the container (its pid there): create waits on
	# the container's process then, which is in the container's cgroup.
	interrupt_when_hooked INT "$pidfile" create --bundle "$BUNDLE" ctr
	assert_failure 130
	assert_output_contains 'create of container "ctr": interrupted by SIGINT'
	assert_nothing_left 4212
}

@test "SIGHUP during a prestart hook of a foreground run, SIGTERM of run -d: nothing left" {
	local pidfile=$BATS_TEST_TMPDIR/hook.pid
	update_config ".process.args = [\"sleep\", \"100\"]
		| .hooks.prestart = [$(slow_hook "$pidfile" 4213)]"
	# A foreground run holds every other signal for its container.
	interrupt_when_hooked HUP "$pidfile" run --bundle "$BUNDLE" ctr
	assert_failure 129
	assert_output_contains "hook prestart[0] /bin/sh killed: interrupted by SIGHUP"
	assert_nothing_left 4213
	rm "$pidfile"
	interrupt_when_hooked TERM "$pidfile" run -d --bundle "$BUNDLE" ctr
	assert_failure 143
	assert_output_contains "hook prestart[0] /bin/sh killed: interrupted by SIGTERM"
	assert_nothing_left 4213
}
