# The dockerd instance of a test file (clients_docker.bats,
# clients_limits_docker.bats): see the head of clients_docker.bats for why
# each option is there.

load clients_helpers

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
	for i in $(seq 300); do
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

docker_setup_file() {
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

docker_teardown_file() {
	[ -n "${DOCKERD_DIR:-}" ] && [ -d "$DOCKERD_DIR" ] || return 0
	local images
	docker rm -f $(docker ps -aq 2>/dev/null) >/dev/null 2>&1
	docker rmi -f "$IMAGE" >/dev/null 2>&1
	images=$(docker images -q 2>/dev/null)
	stop_dockerd "$DOCKERD_DIR"
	stop_pid "$(cat "$DOCKERD_DIR/containerd/containerd.pid")"
	assert_client_left_nothing "$DOCKERD_DIR" "$images"
}

docker_setup() {
	ROOT=$BATS_TEST_TMPDIR/unused
}

docker_teardown() {
	local left failed=0
	left=$(docker ps -aq)
	[ -z "$left" ] || docker rm -f $left >/dev/null 2>&1
	report_left "containers" "$(docker ps -aq)" || failed=1
	report_left "berth state" "$(ls "$DOCKERD_DIR"/exec/runtime-*/berth-test 2>/dev/null)" || failed=1
	check_client_test "$DOCKERD_DIR/containerd/state" \
		"containerd-shim-runc-v2 -namespace berth-test -id .* -address $CTR_SOCK" || failed=1
	return "$failed"
}

# A field of berth's own state of docker container $1 (dockerd gives the
# shim a root below its exec root).
berth_state() {
	local id root
	id=$(docker inspect -f '{{.Id}}' "$1")
	root=$(echo "$DOCKERD_DIR"/exec/runtime-*/berth-test)
	"$BERTH" --root "$root" state "$id" | jq -r ".$2"
}
