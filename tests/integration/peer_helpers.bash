# Running the same bundle with runc next to berth, for the parity tests:
# runc gets a bundle of its own (the same rootfs, a cgroup next to
# berth's), its own state root, and everything it made is removed after.

setup_peer() {
	setup_bundle
	PEER_ROOT=$BATS_TEST_TMPDIR/runc
	PEER_CGROUP=$CGROUP_PARENT-runc
	PEER_BUNDLE=$BATS_TEST_TMPDIR/peer-bundle
}

cleanup_peer() {
	local id sd
	[ -d "$PEER_ROOT" ] || return 0
	for id in $(ls "$PEER_ROOT"); do
		runc --root "$PEER_ROOT" delete --force "$id" >/dev/null 2>&1 || true
	done
	remove_own_cgroups "$PEER_CGROUP"
	# runc also makes one in the name=systemd hierarchy.
	sd=/sys/fs/cgroup/systemd$(sed -n 's/^[0-9]*:name=systemd://p' /proc/self/cgroup | sed 's:/$::')/$PEER_CGROUP
	if [ -d "$sd" ]; then
		find "$sd" -depth -type d -exec rmdir {} + 2>/dev/null || true
	fi
	return 0
}

have_runc() { command -v runc >/dev/null; }

# Write the peer bundle from berth's config.json.
make_peer_bundle() {
	mkdir -p "$PEER_BUNDLE"
	jq --arg r "$BUNDLE/rootfs" --arg c "$PEER_CGROUP/ctr" \
		'.root.path = $r | .linux.cgroupsPath = $c' "$BUNDLE/config.json" >"$PEER_BUNDLE/config.json"
}

# Run the bundle's config with runc, output and status as `run` leaves
# them; arguments go to runc run.
run_runc() {
	make_peer_bundle
	run runc --root "$PEER_ROOT" run "$@" --bundle "$PEER_BUNDLE" peer
}
