#!/usr/bin/env bats
# dockerd (Debian's docker.io) drives berth through containerd's runc shim,
# with the docker CLI as its client: run, exec, top, update, kill, rm -f,
# pause, stop, logs, info.
#
# The dockerd is the file's own: --data-root, --exec-root, --pidfile and
# its socket under a temporary directory, no iptables and no bridge, and a
# containerd of its own (started by the test, so dockerd neither starts one
# nor uses the host's).  berth is registered from a test copy of
# contrib/docker-daemon.json (and, in one test, with --add-runtime).
# Cgroups: the cgroupfs driver with a RELATIVE --cgroup-parent, which
# dockerd passes on as a relative cgroupsPath (parent/<id>), so berth nests
# the containers below the caller's own cgroup.

load docker_helpers

setup_file() { docker_setup_file; }
teardown_file() { docker_teardown_file; }
setup() { docker_setup; }
teardown() { docker_teardown; }

@test "docker info shows berth as a runtime, with berth's version (dockerd runs berth --version)" {
	run docker info --format '{{json .Runtimes}} {{.DefaultRuntime}} {{.RuncCommit.ID}}'
	assert_success
	assert_output_contains "\"berth\":{\"path\":\"$BERTH\"}"
	assert_output_contains " berth "
	# The commit is the one berth prints (dockerd parses berth --version).
	local commit
	commit=$("$BERTH" --version | sed -n 's/^commit: //p')
	[ -n "$commit" ]
	assert_equal "${output##* }" "$commit"
}

@test "docker run --rm --runtime berth: output and exit status; not found 127, not executable 126" {
	run docker run --rm --runtime berth "$IMAGE" sh -c 'echo hello; exit 3'
	assert_failure 3
	assert_equal "$output" hello
	run -127 docker run --rm --runtime berth "$IMAGE" nosuchprogram
	assert_failure 127
	assert_output_contains 'OCI runtime create failed: exec: "nosuchprogram": executable file not found in $PATH'
	run docker run --rm --runtime berth "$IMAGE" /etc/passwd
	assert_failure 126
	assert_output_contains 'exec: "/etc/passwd": permission denied'
}

@test "docker run -d, exec, top, logs, update, kill, rm -f; the cgroup below ours, limits inside" {
	run docker run -d --runtime berth --name c1 -m 64m --pids-limit 40 "$IMAGE" \
		sh -c 'trap "echo got USR1" USR1; echo started; while :; do sleep 0.1; done'
	assert_success
	local id=$output pid
	pid=$(docker inspect -f '{{.State.Pid}}' c1)
	# Relative parent: below our own cgroup (memory too, on a hybrid host).
	grep -q "^0::$(own_unified_cgroup)/$PARENT/$id\$" /proc/$pid/cgroup
	if grep -q '^[0-9]*:memory:' /proc/self/cgroup; then
		local own
		own=$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup | sed 's:/$::')
		grep -q ":memory:$own/$PARENT/$id\$" /proc/$pid/cgroup
	fi
	assert_equal "$(berth_state c1 status)" running

	run docker exec c1 sh -c "$LIMITS"
	assert_success
	assert_equal "${lines[0]}" 67108864
	assert_equal "${lines[1]}" 40

	run docker exec -e FOO=bar -u 1000 -w /tmp c1 sh -c 'echo $FOO $(id -u) $(pwd); exit 4'
	assert_failure 4
	assert_equal "$output" "bar 1000 /tmp"
	run docker exec c1 nosuchprogram
	assert_failure 126
	assert_output_contains 'exec: "nosuchprogram": executable file not found in $PATH'
	run script -qec "docker exec -it c1 sh -c 'tty; exit 2'" /dev/null
	assert_failure 2
	assert_output_contains /dev/pts/

	# top: berth ps --format json, then ps on the host.
	run docker top c1
	assert_success
	assert_output_contains "while :; do sleep 0.1; done"

	# update: berth update --resources -, seen inside at once.
	run docker update --memory 128m --memory-swap 256m --pids-limit 60 c1
	assert_success
	run docker exec c1 sh -c "$LIMITS"
	assert_equal "${lines[0]}" 134217728
	assert_equal "${lines[1]}" 60

	run docker kill --signal USR1 c1
	assert_success
	wait_for sh -c "docker logs c1 | grep -q 'got USR1'"
	assert_equal "$(docker inspect -f '{{.State.Status}}' c1)" running
	run docker rm -f c1
	assert_success
	if kill -0 "$pid" 2>/dev/null; then fail "unexpectedly true"; fi
}

@test "docker pause, unpause, stop" {
	docker run -d --runtime berth --name c1 "$IMAGE" \
		sh -c 'trap "exit 8" TERM; while :; do sleep 0.1; done' >/dev/null
	run docker pause c1
	assert_success
	assert_equal "$(docker inspect -f '{{.State.Status}}' c1)" paused
	assert_equal "$(berth_state c1 status)" paused
	run docker unpause c1
	assert_success
	assert_equal "$(berth_state c1 status)" running
	run docker stop -t 10 c1
	assert_success
	assert_equal "$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' c1)" "exited 8"
	run docker rm c1
	assert_success
}

@test "dockerd --add-runtime berth=PATH works the same" {
	local dir=$BATS_TEST_TMPDIR/docker2
	start_dockerd "$dir" berth-test2 --add-runtime "berth=$BERTH"
	DOCKER_HOST=unix://$dir/docker.sock docker load -q -i "$DOCKERD_DIR/image.tar" >/dev/null
	run env DOCKER_HOST=unix://$dir/docker.sock docker run --rm --runtime berth "$IMAGE" \
		sh -c 'cat /proc/self/cgroup >/dev/null; echo via-add-runtime; exit 5'
	DOCKER_HOST=unix://$dir/docker.sock docker rmi -f "$IMAGE" >/dev/null
	stop_dockerd "$dir"
	assert_dir_left_nothing "$dir"
	assert_failure 5
	assert_equal "$output" via-add-runtime
}
