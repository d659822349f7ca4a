#!/usr/bin/env bats
# containerd's memory limit (ctr run --memory-limit; this ctr has no pids
# flag) reaches the container's cgroup, on a hybrid host and in the cgroup
# v2 VM (tests/vm/suite): as the container sees it, as its cgroup holds it,
# and enforced.  One test, one container: every ctr call costs seconds in
# the VM; clients_containerd.bats covers the rest, on the host.

load containerd_helpers

setup_file() { containerd_setup_file; }
teardown_file() { containerd_teardown_file; }
setup() { containerd_setup; }
teardown() { containerd_teardown; }

# A shell loop that doubles a string until it holds 128 MiB (the shell
# keeps a few copies of it), then exits 0: a limit of 64 MiB OOM-kills it,
# none lets it end without taking the host's memory.
HOG='a=x; i=0; while [ $i -lt 27 ]; do a=$a$a; i=$((i + 1)); done'

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
	# The kernel's count of OOM kills in that cgroup (v1 reports it in
	# memory.oom_control).
	if [ -e "$dir/memory.events" ]; then
		grep -qx 'oom_kill [1-9][0-9]*' "$dir/memory.events"
	else
		grep -qx 'oom_kill [1-9][0-9]*' "$dir/memory.oom_control"
	fi
	# The container's init lives on.
	kill -0 "$pid"

	run "$CTR" tasks delete --force c1
	assert_success
	run "$CTR" containers delete c1
	assert_success
	run ! kill -0 "$pid"
	[ ! -e "$dir" ]
}
