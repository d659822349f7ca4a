#!/usr/bin/env bats
# A killed shim loses no container: berthd kills what a dead shim leaves
# and cleans up after it, as containerd does, and never reports a
# container exited while one of its processes lives.  kill -9 of berthd,
# of a shim or of both, at any moment of create/start/exec/stop/rm, leaves
# no orphan process, mount or cgroup, and keeps logs and exit codes.

load berthd_helpers
berthd_file_hooks

api() {
	local method=$1 path=$2
	shift 2
	curl -sS --unix-socket "$BERTHD_SOCK" -X "$method" "$@" "http://berthd$path"
}

shim_of() {
	pgrep -f "berthd-shim --root $BERTHD_ROOT/oci --id $1( |\$)"
}

# Is pid a live process (a zombie is not: it has run its course)?
alive() {
	[ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

assert_dead() {
	if alive "$1"; then
		echo "process $1 still runs" >&2
		return 1
	fi
}

# Fail when anything of container id is left on the host: a process in
# its cgroup, its cgroup, its overlay mount, its runtime state.
assert_container_gone() {
	local id=$1
	assert_no_own_cgroup "$BERTHD_CGROUP/$id"
	if grep -q " $BERTHD_DATA/containers/$id/rootfs " /proc/self/mountinfo; then
		echo "overlay of $id still mounted" >&2
		return 1
	fi
	if [ -e "$BERTHD_ROOT/oci/$id" ]; then
		echo "runtime state of $id left" >&2
		return 1
	fi
}

# Wait until container id is reported exited; at the first report, its
# process pid must be gone already.
wait_exited_and_dead() {
	local id=$1 pid=$2 i
	for i in $(seq 100); do
		if [ "$(dk inspect -f '{{.State.Status}}' "$id")" = exited ]; then
			if alive "$pid"; then
				echo "$id reported exited while its process $pid lives" >&2
				return 1
			fi
			return 0
		fi
		sleep 0.1
	done
	echo "$id never reported exited ($(dk inspect -f '{{.State.Status}}' "$id"))" >&2
	return 1
}

@test "berthd faults: kill -9 of a running container's shim: the container is killed and cleaned, exited 137" {
	local id pid shim
	id=$(dk run -d berthd-test/bb:1 sh -c 'echo started; while true; do echo tick; sleep 0.1; done')
	wait_status "$id" running
	pid=$(dk inspect -f '{{.State.Pid}}' "$id")
	shim=$(shim_of "$id")
	[ -n "$shim" ]
	# An exec and an attached client that the shim served.
	( set +e; "$DOCKER" exec "$id" sh -c 'echo exec-started; sleep 1000'; echo "exec-status=$?" ) \
		>"$BATS_TEST_TMPDIR/exec.out" 2>&1 &
	wait_for grep -q exec-started "$BATS_TEST_TMPDIR/exec.out"
	kill -9 "$shim"
	wait_exited_and_dead "$id" "$pid"
	assert_equal "$(dk inspect -f '{{.State.ExitCode}}' "$id")" 137
	run dk inspect -f '{{.State.Error}}' "$id"
	assert_output_contains "shim died"
	assert_container_gone "$id"
	# Every process of the container went, the exec's too, and its
	# client learned so.
	wait
	grep -q "exec-status=" "$BATS_TEST_TMPDIR/exec.out"
	# The log kept what was written before.
	run dk logs "$id"
	assert_equal "${lines[0]}" started
	assert_equal "${lines[1]}" tick
	run dk wait "$id"
	assert_equal "$output" 137
	# It starts again, supervised by a new shim.
	dk start "$id" >/dev/null
	wait_status "$id" running
	[ -n "$(shim_of "$id")" ]
	dk rm -f "$id" >/dev/null
	assert_container_gone "$id"
}

@test "berthd faults: kill -9 of the shim of a paused container: thawed, killed, cleaned" {
	local id pid
	id=$(dk run -d berthd-test/bb:1 sleep 1000)
	wait_status "$id" running
	pid=$(dk inspect -f '{{.State.Pid}}' "$id")
	dk pause "$id" >/dev/null
	kill -9 "$(shim_of "$id")"
	wait_exited_and_dead "$id" "$pid"
	assert_equal "$(dk inspect -f '{{.State.ExitCode}}' "$id")" 137
	assert_container_gone "$id"
	dk rm "$id" >/dev/null
}

@test "berthd faults: kill -9 of berthd and of a shim together: the new berthd kills and cleans that container only" {
	local victim survivor vpid spid
	victim=$(dk run -d berthd-test/bb:1 sh -c 'echo alive; sleep 1000')
	survivor=$(dk run -d berthd-test/bb:1 sleep 1000)
	wait_status "$victim" running
	wait_status "$survivor" running
	vpid=$(dk inspect -f '{{.State.Pid}}' "$victim")
	spid=$(dk inspect -f '{{.State.Pid}}' "$survivor")
	berthd_stop KILL
	kill -9 "$(shim_of "$victim")"
	sleep 0.3
	# Without a shim or berthd, the container's process runs on...
	alive "$vpid"
	berthd_start
	# ...until the new berthd finds its shim gone.
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$victim")" "exited 137"
	assert_dead "$vpid"
	assert_container_gone "$victim"
	assert_equal "$(dk logs "$victim")" alive
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.State.Pid}}' "$survivor")" "running $spid"
	dk stop -t 1 "$survivor" >/dev/null
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$survivor")" "exited 137"
	assert_container_gone "$survivor"
	dk rm "$victim" "$survivor" >/dev/null
}

@test "berthd faults: kill -9 of a shim during docker stop: stop returns, exited 137, cleaned" {
	local id pid start
	# Deaf to SIGTERM: the stop waits its whole timeout for it.
	id=$(dk run -d berthd-test/bb:1 sh -c "trap '' TERM; while true; do sleep 0.1; done")
	wait_status "$id" running
	pid=$(dk inspect -f '{{.State.Pid}}' "$id")
	start=$(date +%s)
	( set +e; "$DOCKER" stop -t 20 "$id"; echo "stop-status=$?" ) >"$BATS_TEST_TMPDIR/stop.out" 2>&1 &
	sleep 1
	kill -9 "$(shim_of "$id")"
	wait
	assert_equal "$(cat "$BATS_TEST_TMPDIR/stop.out")" "$id
stop-status=0"
	# Not the timeout's 20 s: the stop ended with the container.
	[ $(($(date +%s) - start)) -lt 15 ]
	assert_dead "$pid"
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$id")" "exited 137"
	assert_container_gone "$id"
	dk rm "$id" >/dev/null
}

@test "berthd faults: kill -9 of a shim during docker exec: the exec and the container end 137, cleaned" {
	local id pid xid
	id=$(dk run -d berthd-test/bb:1 sleep 1000)
	wait_status "$id" running
	pid=$(dk inspect -f '{{.State.Pid}}' "$id")
	xid=$(api POST "/containers/$id/exec" -H 'Content-Type: application/json' \
		-d '{"Cmd":["sh","-c","echo in-exec; sleep 1000"],"AttachStdout":true}' | jq -r .Id)
	# The client's stream, as docker exec holds it.
	( set +e; api POST "/exec/$xid/start" -H 'Content-Type: application/json' \
		-d '{"Detach":false}' -N --output - ) >"$BATS_TEST_TMPDIR/exec.out" 2>&1 &
	wait_for grep -aq in-exec "$BATS_TEST_TMPDIR/exec.out" || { cat -v "$BATS_TEST_TMPDIR/exec.out" >&2; false; }
	local xpid
	xpid=$(api GET "/exec/$xid/json" | jq -r .Pid)
	alive "$xpid"
	kill -9 "$(shim_of "$id")"
	wait_exited_and_dead "$id" "$pid"
	wait
	assert_dead "$xpid"
	assert_equal "$(api GET "/exec/$xid/json" | jq -c '[.Running, .ExitCode]')" "[false,137]"
	assert_equal "$(dk inspect -f '{{.State.ExitCode}}' "$id")" 137
	assert_container_gone "$id"
	dk rm "$id" >/dev/null
}
