#!/usr/bin/env bats
# A restart of berthd loses nothing: containers keep running without it,
# their output goes on into their logs, and the new berthd finds them with
# their exit codes, including exits that happened while it was away.

load berthd_helpers
berthd_file_hooks keep-containers

ticks() {
	dk logs "$1" | wc -l
}

@test "berthd restart: SIGTERM, then start: running containers keep running, exits are recorded" {
	dk run -d --name ticker berthd-test/bb:1 sh -c 'while true; do echo tick; sleep 0.1; done' >/dev/null
	dk run -d --name quitter berthd-test/bb:1 sh -c 'sleep 1; echo bye; exit 7' >/dev/null
	dk run -d --name looper --restart always berthd-test/bb:1 sleep 1000 >/dev/null
	wait_status ticker running
	wait_status looper running
	local pid before
	pid=$(dk inspect -f '{{.State.Pid}}' ticker)
	before=$(ticks ticker)
	berthd_stop TERM
	# Without berthd: the container runs and its output is kept.
	sleep 2
	kill -0 "$pid"
	berthd_start
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.State.Pid}}' ticker)" "running $pid"
	[ "$(ticks ticker)" -gt $((before + 10)) ]
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' quitter)" "exited 7"
	assert_equal "$(dk logs quitter)" "bye"
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.RestartCount}}' looper)" "running 0"
	run dk ps --format '{{.Names}}'
	assert_output_contains "ticker"
	assert_output_contains "looper"
	# The re-found container is fully managed again.
	run dk stop -t 1 ticker
	assert_success
	assert_equal "$(dk inspect -f '{{.State.Status}}' ticker)" "exited"
	dk rm -f ticker quitter looper >/dev/null
}

@test "berthd restart: kill -9, a container killed meanwhile, then start: its real status" {
	dk run -d --name victim berthd-test/bb:1 sh -c 'echo alive; sleep 1000' >/dev/null
	dk run -d --name survivor berthd-test/bb:1 sleep 1000 >/dev/null
	wait_status victim running
	wait_status survivor running
	local pid
	pid=$(dk inspect -f '{{.State.Pid}}' victim)
	berthd_stop KILL
	kill -KILL "$pid"
	sleep 0.5
	berthd_start
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' victim)" "exited 137"
	assert_equal "$(dk logs victim)" "alive"
	assert_equal "$(dk inspect -f '{{.State.Status}}' survivor)" "running"
	# A die event for the exit berthd learned after its start: a wait
	# begun before the kill ends with it, and docker events has it.
	local since waiter out=$BATS_TEST_TMPDIR/wait.out
	since=$(date +%s)
	(
		set +e
		timeout 10 "$DOCKER" wait survivor
		echo "status=$?"
	) >"$out" 2>&1 &
	waiter=$!
	# Still blocked a second later: it waits for the exit, not for the
	# state recorded at the restart.
	sleep 1
	kill -0 "$waiter"
	dk kill survivor >/dev/null
	wait "$waiter"
	assert_equal "$(cat "$out")" "137
status=0"
	run dk events --since "$since" --until "$(($(date +%s) + 1))" --filter container=survivor \
		--filter event=die --format '{{.Action}} {{.Actor.Attributes.exitCode}}'
	assert_success
	assert_equal "$output" "die 137"
	dk rm -f victim survivor >/dev/null
	assert_equal "$(dk ps -aq)" ""
}
