# A private dockerd beside a test file's berthd, for parity tests: its own
# containerd, data root, exec root and socket in $BERTHD_DIR/peer, no
# bridge and no iptables rules, so that it changes nothing on the host.
# With PEER_NETNS (the name of a namespace of `ip netns`, the caller's to
# make and delete) it runs in that network namespace instead, with its
# bridges and iptables rules there: its rules and its FORWARD policy
# change nothing on the host either.

peer() {
	DOCKER_HOST=unix://$PEER_DIR/docker.sock "$DOCKER" "$@"
}

# Start it on containerd namespace $1; extra dockerd flags follow.
# Fails with its log when it does not come up.
berthd_peer_start() {
	local ns=$1 i
	shift
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
	local wrap=() net=(--iptables=false --ip-masq=false --bridge=none)
	if [ -n "${PEER_NETNS:-}" ]; then
		# nsenter execs dockerd: $! stays dockerd's pid.
		wrap=(nsenter --net="/run/netns/$PEER_NETNS")
		net=()
	fi
	"${wrap[@]}" dockerd "${net[@]}" --userland-proxy=false \
		--data-root "$PEER_DIR/data" --exec-root "$PEER_DIR/exec" \
		--pidfile "$PEER_DIR/dockerd.pid" -H "unix://$PEER_DIR/docker.sock" \
		--containerd "$PEER_DIR/containerd/containerd.sock" \
		--containerd-namespace "$ns" --containerd-plugins-namespace "$ns-plugins" \
		--log-level warn "$@" </dev/null >"$PEER_DIR/dockerd.log" 2>&1 3>&- &
	echo $! >"$PEER_DIR/dockerd.pid.bats"
	for i in $(seq 300); do
		peer version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	cat "$PEER_DIR/dockerd.log" >&2
	return 1
}

# Remove its containers and images, stop it and its containerd, and
# unmount what they left below $PEER_DIR.
berthd_peer_stop() {
	local pid
	[ -n "${PEER_DIR:-}" ] && [ -d "$PEER_DIR" ] || return 0
	peer ps -aq | xargs -r env DOCKER_HOST="unix://$PEER_DIR/docker.sock" "$DOCKER" rm -f >/dev/null 2>&1
	peer rmi -f $(peer images -aq) >/dev/null 2>&1
	for pid in "$(cat "$PEER_DIR/dockerd.pid.bats")" "$(cat "$PEER_DIR/containerd.pid")"; do
		kill "$pid" 2>/dev/null
		for _ in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	done
	grep " $PEER_DIR/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	return 0
}

# A peer in a network namespace of its own, named $1 and this shell's pid,
# on containerd namespace $2, its containers in a cgroup below the test's
# own, with the test image; peer_in_netns_stop removes it all (and sets
# PEER_LEFT=cgroups when its cgroup was not empty).
peer_in_netns_start() {
	PEER_NETNS=$1$$
	PEER_CGROUP=$BERTHD_CGROUP-dockerd
	ip netns add "$PEER_NETNS"
	ip -n "$PEER_NETNS" link set lo up
	PEER_NETNS=$PEER_NETNS berthd_peer_start "$2" --cgroup-parent "$PEER_CGROUP"
	peer import "$BERTHD_DIR/img/rootfs.tar" berthd-test/bb:1 >/dev/null
}

peer_in_netns_stop() {
	[ -n "${PEER_NETNS:-}" ] || return 0
	berthd_peer_stop
	assert_no_own_cgroup "$PEER_CGROUP" below || PEER_LEFT=cgroups
	remove_own_cgroups "$PEER_CGROUP"
	ip netns del "$PEER_NETNS" 2>/dev/null
	rm -rf "$PEER_DIR"
	PEER_NETNS=
}
