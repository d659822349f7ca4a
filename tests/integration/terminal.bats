#!/usr/bin/env bats
# process.terminal: a pty from the container's own devpts, handed over a
# console socket (one SCM_RIGHTS message), or used by `run` itself.

load helpers

setup() {
	setup_bundle
	SOCK=$BATS_TEST_TMPDIR/console.sock
}
teardown() {
	local failed=0
	cleanup_containers || failed=1
	[ -z "${RECV:-}" ] || kill "$RECV" 2>/dev/null
	return "$failed"
}

start_receiver() {
	"$HELPERS/recvtty" "$SOCK" "$@" >"$BATS_TEST_TMPDIR/tty.out" &
	RECV=$!
	wait_for test -S "$SOCK"
}

@test "console socket: the container's stdio is a terminal of its own devpts" {
	update_config '.process.terminal = true
		| .process.consoleSize = {"height": 33, "width": 101}
		| .process.args = ["sh", "-c", "[ -t 0 ] && [ -t 1 ] && echo is-a-tty; readlink /proc/self/fd/0; stty size; ls -l /dev/console"]'
	start_receiver
	run_detached run -d --console-socket "$SOCK" --bundle "$BUNDLE" ctr
	assert_success
	wait "$RECV"
	RECV=
	run cat "$BATS_TEST_TMPDIR/tty.out"
	assert_output_contains is-a-tty
	assert_output_contains /dev/pts/0
	assert_output_contains "33 101"
	assert_output_contains "136,"
}

@test "console socket: input typed on the master reaches the program" {
	update_config '.process.terminal = true | .process.args = ["sh", "-c", "read line; echo got:$line"]'
	start_receiver $'hello\n'
	run_detached run -d --console-socket "$SOCK" --bundle "$BUNDLE" ctr
	assert_success
	wait "$RECV"
	RECV=
	grep -q "got:hello" "$BATS_TEST_TMPDIR/tty.out"
}


@test "console socket with terminal false is refused" {
	start_receiver
	run_detached create --console-socket "$SOCK" --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains "terminal is false"
	assert_no_leftovers
}

@test "a console socket nobody listens on is an error with nothing left" {
	update_config '.process.terminal = true'
	run_detached create --console-socket "$BATS_TEST_TMPDIR/nobody.sock" --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains "console socket"
	assert_no_leftovers
}

@test "run in the foreground with a terminal uses the caller's terminal" {
	update_config '.process.terminal = true | .process.args = ["sh", "-c", "[ -t 1 ] && echo tty-inside; exit 5"]'
	run script -qec "$BERTH --root $ROOT run --bundle $BUNDLE ctr" /dev/null
	assert_failure 5
	assert_output_contains tty-inside
	assert_no_leftovers
}

@test "run with a terminal goes on with the setup after the terminal: a seccomp agent that is not there fails it, nothing left" {
	# The terminal reaches run near the end of the setup; the filter
	# with SCMP_ACT_NOTIFY comes after it.  A setup dialog that ended at
	# the terminal let the program run without the agent.
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
		"$BATS_TEST_TMPDIR/nobody.sock"
	update_config '.process.terminal = true | .process.args = ["sh", "-c", "echo ran-without-agent"]
		| .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
			"listenerPath": "'"$BATS_TEST_TMPDIR"'/nobody.sock",
			"syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'
	run script -qec "$BERTH --root $ROOT run --bundle $BUNDLE ctr" /dev/null
	assert_failure
	assert_output_contains "seccomp agent $BATS_TEST_TMPDIR/nobody.sock"
	if [[ $output == *ran-without-agent* ]]; then
		fail "the program ran without its agent"
	fi
	assert_no_leftovers
}
