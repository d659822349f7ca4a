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

load clients_helpers

IMAGE=localhost/berth-test:latest

# Start a dockerd in $1 on containerd namespace $2; extra flags follow.
# Prints nothing; fails with its log when it does not come up.
start_dockerd() {
	local dir=$1 ns=$2 i
	shift 2
	mkdir -p "$dir"
	dockerd --iptables=false --ip-masq=false --bridge=none --userland-proxy=false \
		--data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
		-H "unix://$dir/docker.sock" --containerd "$CTR_SOCK" --containerd-namespace "$ns" \
		--containerd-plugins-namespace "$ns-plugins" \
		--exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "$PARENT" \
		--log-level warn "$@" </dev/null >"$dir/dockerd.log" 2>&1 3>&- &
	echo $! >"$dir/pid"
	for i in $(seq 150); do
		DOCKER_HOST=unix://$dir/docker.sock docker version >/dev/null 2>&1 && return 0
		kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
		sleep 0.1
	done
	cat "$dir/dockerd.log" >&2
	return 1
}

stop_dockerd() {
	[ -f "$1/pid" ] && stop_pid "$(cat "$1/pid")"
	true
}

setup_file() {
	command -v dockerd >/dev/null || skip "dockerd is not installed"
	export DOCKERD_DIR=$BATS_FILE_TMPDIR/docker
	export PARENT=berth-docker-$$
	start_containerd "$DOCKERD_DIR/containerd"
	export CTR_SOCK
	contrib_copy docker-daemon.json "$DOCKERD_DIR/daemon.json"
	start_dockerd "$DOCKERD_DIR" berth-test --config-file "$DOCKERD_DIR/daemon.json" \
		--default-runtime berth
	export DOCKER_HOST=unix://$DOCKERD_DIR/docker.sock
	make_image_archive "$DOCKERD_DIR/image.tar" "$IMAGE"
	docker load -q -i "$DOCKERD_DIR/image.tar" >/dev/null
}

teardown_file() {
	[ -n "${DOCKERD_DIR:-}" ] && [ -d "$DOCKERD_DIR" ] || return 0
	local images
	docker rm -f $(docker ps -aq 2>/dev/null) >/dev/null 2>&1
	docker rmi -f "$IMAGE" >/dev/null 2>&1
	images=$(docker images -q 2>/dev/null)
	stop_dockerd "$DOCKERD_DIR"
	stop_pid "$(cat "$DOCKERD_DIR/containerd/containerd.pid")"
	unmount_under "$DOCKERD_DIR"
	[ -z "$images" ] || { echo "images left behind: $images" >&2; return 1; }
	assert_no_mounts_under "$DOCKERD_DIR"
	assert_no_processes_of "$DOCKERD_DIR"
	assert_no_client_cgroups "$PARENT"
}

setup() {
	ROOT=$BATS_TEST_TMPDIR/unused
}

teardown() {
	local left d
	left=$(docker ps -aq)
	[ -n "$left" ] && docker rm -f $left >/dev/null 2>&1
	left=$(docker ps -aq)
	[ -z "$left" ] || { echo "containers left behind: $left" >&2; return 1; }
	left=$(ls "$DOCKERD_DIR"/exec/runtime-*/berth-test 2>/dev/null)
	[ -z "$left" ] || { echo "berth state left behind: $left" >&2; return 1; }
	assert_no_mounts_under "$DOCKERD_DIR/containerd/state"
	assert_no_processes_of "containerd-shim-runc-v2 -namespace berth-test -id .* -address $CTR_SOCK"
	for d in $(client_cgroup_dirs "$PARENT"); do
		if [ -d "$d" ] && [ -n "$(find "$d" -mindepth 1 -type d)" ]; then
			echo "container cgroups left below $d" >&2
			return 1
		fi
	done
}

# A field of berth's own state of docker container $1 (dockerd gives the
# shim a root below its exec root).
berth_state() {
	local id root
	id=$(docker inspect -f '{{.Id}}' "$1")
	root=$(echo "$DOCKERD_DIR"/exec/runtime-*/berth-test)
	"$BERTH" --root "$root" state "$id" | jq -r ".$2"
}

LIMITS='if [ -e /sys/fs/cgroup/memory.max ]; then cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max; else cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max; fi'

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
	! kill -0 "$pid" 2>/dev/null
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
	unmount_under "$dir"
	assert_failure 5
	assert_equal "$output" via-add-runtime
	assert_no_mounts_under "$dir"
	assert_no_processes_of "$dir"
}
