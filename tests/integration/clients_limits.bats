#!/usr/bin/env bats
# Limits a client sets reach the container's cgroup, on a hybrid host (v1
# controllers) and in the cgroup v2 VM: podman's memory and pids limits at
# run and at update, as the container sees them, as its cgroup holds them,
# and enforced (containerd's and dockerd's: clients_limits_*.bats).  Kept
# small: this file runs in the VM (tests/vm/suite), where every podman call
# costs seconds; the whole client files (clients_*.bats) run on the host.

load podman_helpers
load clients_oom

setup_file() { podman_setup_file; }
teardown_file() { podman_teardown_file; }
setup() { podman_setup; }
teardown() { podman_teardown; }

@test "podman's memory and pids limits: inside, in the cgroup, after update, enforced" {
	# Its init, a shell, reaps the orphans it adopts.
	run podman --runtime berth run -d --name c1 -m 64m --pids-limit 20 $(run_opts) "$IMAGE" \
		sh -c 'while :; do sleep 1; done'
	assert_success
	local id=$output pid
	pid=$(podman inspect -f '{{.State.Pid}}' c1)
	assert_cgroup_below_ours "$pid" memory "$PARENT/libpod-$id"
	assert_cgroup_below_ours "$pid" pids "$PARENT/libpod-$id"

	run podman exec c1 sh -c "$LIMITS"
	assert_success
	assert_equal "${lines[0]}" 67108864
	assert_equal "${lines[1]}" 20
	assert_equal "$(cat "$(host_limit_file "$pid" memory)")" 67108864
	assert_equal "$(cat "$(host_limit_file "$pid" pids)")" 20

	# The pids limit holds: forks past it fail inside.
	run podman exec c1 sh -c 'for i in $(seq 30); do sleep 99 & done'
	assert_output_contains "can't fork"
	local dir
	dir=$(dirname "$(host_limit_file "$pid" pids)")
	# At the limit when the fork failed (the exec's shell has exited since).
	local n
	n=$(cat "$dir/pids.current")
	[ "$n" -le 20 ]
	[ "$n" -ge 18 ]
	# Nothing more can start in there: the test ends the sleeps.
	kill_all_but "$dir" "$pid" 2
	# The memory limit holds: a hog past it is OOM-killed (SIGKILL: 137),
	# the container's init lives on.
	run podman exec c1 sh -c "$HOG"
	assert_failure 137
	assert_oom_killed "$(host_cgroup_dir "$pid" memory)"
	kill -0 "$pid"

	# podman update (memory; its 4.3 has no --pids-limit) goes through
	# berth update --resources.
	run podman update --memory 128m --memory-swap 256m c1
	assert_success
	run podman exec c1 sh -c "$LIMITS"
	assert_equal "${lines[0]}" 134217728
	assert_equal "${lines[1]}" 20
	assert_equal "$(cat "$(host_limit_file "$pid" memory)")" 134217728
}
