# The podman instance of a test file (clients_podman.bats,
# clients_limits.bats): see the head of clients_podman.bats for why each
# option is there.

load clients_helpers

# $PODMAN: podman with the instance's options, as a script, so that
# sub-shells (wait_for, script) use the same instance.
podman() {
	"$PODMAN" "$@"
}

# The options every container gets (see the head of clients_podman.bats).
run_opts() {
	echo --cgroups=no-conmon --cgroup-parent "$PARENT" --network none \
		--ulimit nofile=1024:1024 --ulimit nproc=1024:1024
}

podman_setup_file() {
	command -v podman >/dev/null || skip "podman is not installed"
	export PODMAN_DIR=$BATS_FILE_TMPDIR/podman
	export PARENT=berth-podman-$$
	mkdir -p "$PODMAN_DIR"
	# overlay needs root (and overlayfs); vfs works everywhere.
	export PODMAN_DRIVER=vfs
	[ "$(id -u)" = 0 ] && grep -qw overlay /proc/filesystems && PODMAN_DRIVER=overlay
	export CONTAINERS_CONF=$PODMAN_DIR/containers.conf
	export PODMAN=$PODMAN_DIR/podman
	cat >"$PODMAN" <<-EOF
	#!/bin/sh
	exec podman --root "$PODMAN_DIR/root" --runroot "$PODMAN_DIR/runroot" \\
		--tmpdir "$PODMAN_DIR/tmp" --storage-driver $PODMAN_DRIVER \\
		--cgroup-manager cgroupfs --events-backend file "\$@"
	EOF
	chmod +x "$PODMAN"
	contrib_copy containers.conf "$CONTAINERS_CONF"
	make_rootfs_tar "$PODMAN_DIR/rootfs.tar"
	podman import --change 'CMD ["sh"]' "$PODMAN_DIR/rootfs.tar" "$IMAGE" >/dev/null
}

podman_teardown_file() {
	[ -n "${PODMAN:-}" ] && [ -x "$PODMAN" ] || return 0
	podman rm -a -f -t 0 >/dev/null 2>&1 || true
	podman rmi -a -f >/dev/null 2>&1 || true
	local images
	images=$(podman images -q 2>/dev/null)
	podman system reset -f >/dev/null 2>&1 || true
	assert_client_left_nothing "$PODMAN_DIR" "$images"
}

podman_setup() {
	ROOT=$BATS_TEST_TMPDIR/unused
}

podman_teardown() {
	local left failed=0
	podman rm -a -f -t 0 >/dev/null 2>&1 || true
	if [ -n "${NETNS:-}" ]; then
		ip netns delete "$NETNS" 2>/dev/null
		if ip netns list | grep -q "^$NETNS\b"; then
			echo "netns $NETNS left behind" >&2
			failed=1
		fi
	fi
	report_left "containers" "$(podman ps -a -q)" || failed=1
	# Every container's cgroup is gone; the shared parent may stay (it
	# goes in teardown_file).
	check_client_test "$PODMAN_DIR/root/overlay-containers" "$PODMAN_DIR/runroot" || failed=1
	return "$failed"
}
