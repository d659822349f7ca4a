#!/usr/bin/env bats
# containerd's memory limit (ctr run --memory-limit; this ctr has no pids
# flag) reaches the container's cgroup, on a hybrid host and in the cgroup
# v2 VM (tests/vm/suite): as the container sees it, as its cgroup holds it,
# and enforced.  One test, one container: every ctr call costs seconds in
# the VM; clients_containerd.bats covers the rest, on the host.

load containerd_helpers
load clients_oom

setup_file() { containerd_setup_file; }
teardown_file() { containerd_teardown_file; }
setup() { containerd_setup; }
teardown() { containerd_teardown; }

@test "ctr's memory limit: inside, in the cgroup below ours, enforced (OOM kill)" {
	local pid dir
	run ctr_run c1 -d --pid-file "$BATS_TEST_TMPDIR/pid" --memory-limit 67108864 \
		--mount type=cgroup,src=cgroup,dst=/sys/fs/cgroup,options=ro \
		"$IMAGE" c1 sh -c 'while :; do sleep 1; done'
	assert_success
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	assert_cgroup_below_ours "$pid" memory "$PARENT/c1"
	assert_equal "$(cat "$(host_limit_file "$pid" memory)")" 67108864
	dir=$(host_cgroup_dir "$pid" memory)

	# One exec: the limits it sees, then the hog, killed (SIGKILL: 137).
	run "$CTR" tasks exec --exec-id e1 c1 sh -c "$LIMITS; $HOG"
	assert_failure 137
	assert_equal "${lines[0]}" 67108864
	assert_equal "${lines[1]}" max
	assert_oom_killed "$dir"
	# The container's init lives on.
	kill -0 "$pid"

	run "$CTR" tasks delete --force c1
	assert_success
	run "$CTR" containers delete c1
	assert_success
	run ! kill -0 "$pid"
	[ ! -e "$dir" ]
}
