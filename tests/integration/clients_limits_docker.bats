#!/usr/bin/env bats
# dockerd's memory and pids limits (docker run -m, --pids-limit; docker
# update) reach the container's cgroup, on a hybrid host and in the cgroup
# v2 VM (tests/vm/suite): as the container sees them, as its cgroup holds
# them, and enforced.  One test, one container: every docker call costs
# seconds in the VM; clients_docker.bats covers the rest, on the host.

load docker_helpers
load clients_oom

setup_file() { docker_setup_file; }
teardown_file() { docker_teardown_file; }
setup() { docker_setup; }
teardown() { docker_teardown; }

@test "docker's memory and pids limits: inside, in the cgroup below ours, after update, enforced" {
	# Its init, a shell, reaps the orphans it adopts.
	run docker run -d --runtime berth --name c1 -m 64m --pids-limit 20 "$IMAGE" \
		sh -c 'while :; do sleep 1; done'
	assert_success
	# The id is the last line: in the VM, without swap, dockerd warns first.
	local id=${lines[${#lines[@]} - 1]} pid dir
	pid=$(docker inspect -f '{{.State.Pid}}' c1)
	assert_cgroup_below_ours "$pid" memory "$PARENT/$id"
	assert_cgroup_below_ours "$pid" pids "$PARENT/$id"
	assert_equal "$(cat "$(host_limit_file "$pid" memory)")" 67108864
	assert_equal "$(cat "$(host_limit_file "$pid" pids)")" 20

	# One exec: the limits it sees, then forks past the pids limit fail.
	# The shell's complaints go to stdout too: dockerd carries stdout and
	# stderr as two streams, and their order on arrival is not the
	# order they were written in.
	run docker exec c1 sh -c "$LIMITS; for i in \$(seq 30); do sleep 99 & done 2>&1"
	assert_equal "${lines[0]}" 67108864
	assert_equal "${lines[1]}" 20
	assert_output_contains "can't fork"
	dir=$(host_cgroup_dir "$pid" pids)
	# At the limit when the fork failed (the exec's shell has exited since).
	local n
	n=$(cat "$dir/pids.current")
	[ "$n" -le 20 ]
	[ "$n" -ge 18 ]
	# Nothing more can start in there: the test ends the sleeps.
	kill_all_but "$dir" "$pid" 2
	# The memory limit holds: a hog past it is OOM-killed (SIGKILL: 137),
	# the container's init lives on.
	run docker exec c1 sh -c "$HOG"
	assert_failure 137
	assert_oom_killed "$(host_cgroup_dir "$pid" memory)"
	kill -0 "$pid"

	# docker update: berth update --resources, at once in the cgroup.
	run docker update --memory 128m --memory-swap 256m --pids-limit 30 c1
	assert_success
	assert_equal "$(cat "$(host_limit_file "$pid" memory)")" 134217728
	assert_equal "$(cat "$(host_limit_file "$pid" pids)")" 30

	run docker rm -f c1
	assert_success
	run ! kill -0 "$pid"
	[ ! -e "$dir" ]
}
