#!/usr/bin/env bats
# docker save and load between berthd and dockerd, both ways: a
# multi-image archive dockerd writes (its shared layers symlinks to
# another layer.tar) loads into berthd with the same image ids, and what
# berthd saves loads into dockerd with the same ids.  The dockerd is a
# private one (its own containerd, data root and socket); it runs no
# container.

load berthd_helpers

setup_file() {
	berthd_setup_file host-only
	[ -n "${BERTHD_SKIPPED:-}" ] && return 0
	export PEER_DIR=$BERTHD_DIR/peer
	mkdir -p "$PEER_DIR/containerd"
	cat >"$PEER_DIR/containerd/config.toml" <<-EOF
	version = 2
	root = "$PEER_DIR/containerd/root"
	state = "$PEER_DIR/containerd/state"
	disabled_plugins = ["io.containerd.grpc.v1.cri"]
	[grpc]
	  address = "$PEER_DIR/containerd/containerd.sock"
	[ttrpc]
	  address = "$PEER_DIR/containerd/containerd.sock.ttrpc"
	[debug]
	  address = "$PEER_DIR/containerd/debug.sock"
	EOF
	containerd --config "$PEER_DIR/containerd/config.toml" </dev/null \
		>"$PEER_DIR/containerd.log" 2>&1 3>&- &
	echo $! >"$PEER_DIR/containerd.pid"
	dockerd --iptables=false --ip-masq=false --bridge=none --userland-proxy=false \
		--data-root "$PEER_DIR/data" --exec-root "$PEER_DIR/exec" \
		--pidfile "$PEER_DIR/dockerd.pid" -H "unix://$PEER_DIR/docker.sock" \
		--containerd "$PEER_DIR/containerd/containerd.sock" \
		--containerd-namespace berth-save --containerd-plugins-namespace berth-save-plugins \
		--log-level warn </dev/null >"$PEER_DIR/dockerd.log" 2>&1 3>&- &
	echo $! >"$PEER_DIR/dockerd.pid.bats"
	local i
	for i in $(seq 300); do
		peer version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	cat "$PEER_DIR/dockerd.log" >&2
	return 1
}

teardown_file() {
	[ -n "${BERTHD_SKIPPED:-}" ] && return 0
	local pid
	peer rmi -f $(peer images -q) >/dev/null 2>&1
	for pid in "$(cat "$PEER_DIR/dockerd.pid.bats")" "$(cat "$PEER_DIR/containerd.pid")"; do
		kill "$pid" 2>/dev/null
		for _ in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	done
	berthd_teardown_file
}

setup() { berthd_skip_in_vm; }
teardown() { berthd_remove_containers; }

peer() {
	DOCKER_HOST=unix://$PEER_DIR/docker.sock "$DOCKER" "$@"
}

@test "berthd save: what berthd saves dockerd loads with the same ids, and dockerd's multi-image save (shared layers as symlinks) loads into berthd with the same ids" {
	local bb two
	bb=$(dk image inspect -f '{{.Id}}' berthd-test/bb:1)
	two=$(dk image inspect -f '{{.Id}}' berthd-test/two:layers)
	dk save -o "$BATS_TEST_TMPDIR/from-berthd.tar" berthd-test/bb:1 berthd-test/two:layers
	run peer load -i "$BATS_TEST_TMPDIR/from-berthd.tar"
	assert_success
	assert_equal "$(peer image inspect -f '{{.Id}}' berthd-test/bb:1)" "$bb"
	assert_equal "$(peer image inspect -f '{{.Id}}' berthd-test/two:layers)" "$two"
	# dockerd's save of both: its second image's shared layer is a symlink.
	peer tag berthd-test/two:layers peer/two:again
	peer save -o "$BATS_TEST_TMPDIR/from-dockerd.tar" berthd-test/bb:1 berthd-test/two:layers peer/two:again
	run sh -c "tar -tvf '$BATS_TEST_TMPDIR/from-dockerd.tar' | grep -c '^l.*layer.tar -> '"
	assert_success
	[ "$output" -ge 1 ]
	dk rmi berthd-test/bb:1 berthd-test/two:layers >/dev/null
	run dk load -i "$BATS_TEST_TMPDIR/from-dockerd.tar"
	assert_success
	assert_equal "$(dk image inspect -f '{{.Id}}' berthd-test/bb:1)" "$bb"
	assert_equal "$(dk image inspect -f '{{.Id}}' berthd-test/two:layers)" "$two"
	assert_equal "$(dk image inspect -f '{{.Id}}' peer/two:again)" "$two"
	run dk run --rm berthd-test/two:layers cat /etc/greeting
	assert_equal "$output" "layer-two"
	dk rmi peer/two:again >/dev/null
}
