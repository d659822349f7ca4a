#!/usr/bin/env bats
# Bad input: a clear message naming the problem, exit status 1, and
# nothing left behind (state directory, cgroup, process, mount).

load helpers

setup() {
	setup_bundle
	HOST_NAME=$(hostname)
}
teardown() {
	local failed=0
	cleanup_containers || failed=1
	[ -z "${NETNS:-}" ] || ip netns delete "$NETNS" 2>/dev/null
	return "$failed"
}

# create must fail with the message and leave nothing.
expect_create_error() {
	run_detached create --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains "$1"
	assert_equal "$(ls -A "$ROOT")" ""
	assert_no_leftovers
	# no process of the container exists
	if pgrep -f "$BUNDLE" >/dev/null; then fail "unexpectedly true"; fi
}

@test "malformed JSON" {
	echo '{"ociVersion": "1.2.0", "process": {' >"$BUNDLE/config.json"
	expect_create_error "config.json: invalid JSON"
}

@test "wrong type names the JSON path" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1, "hard": 1}, {"type": "RLIMIT_CORE", "soft": 1, "hard": "lots"}]'
	expect_create_error ".process.rlimits[1].hard: expected an unsigned integer"
}

@test "missing required field" {
	update_config 'del(.root.path)'
	expect_create_error ".root.path"
}

@test "unknown namespace type" {
	update_config '.linux.namespaces += [{"type": "bogus"}]'
	expect_create_error '.linux.namespaces[6].type: unknown namespace type "bogus"'
}

@test "unknown rlimit" {
	update_config '.process.rlimits = [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}]'
	expect_create_error '.process.rlimits[0].type: unknown rlimit "RLIMIT_BOGUS"'
}

@test "unknown rootfs propagation" {
	update_config '.linux.rootfsPropagation = "sideways"'
	expect_create_error ".linux.rootfsPropagation"
}

@test "unknown capability: a warning, as runc gives" {
	update_config '.process.capabilities.bounding += ["CAP_FLY"]'
	run_detached create --bundle "$BUNDLE" ctr
	assert_success
	assert_output_contains "warning: process.capabilities: ignoring unknown capabilities: CAP_FLY"
	berth delete --force ctr
	assert_no_leftovers
}

@test "a capability that is not a string" {
	update_config '.process.capabilities.bounding += [5]'
	expect_create_error ".process.capabilities.bounding"
}

@test "missing rootfs" {
	update_config '.root.path = "nowhere"'
	expect_create_error "rootfs $BUNDLE/nowhere: No such file or directory"
}

@test "missing config.json" {
	rm "$BUNDLE/config.json"
	expect_create_error "config.json: No such file or directory"
}

@test "program not found: the phrase clients map to 127" {
	update_config '.process.args = ["no-such-program"]'
	expect_create_error 'exec: "no-such-program": executable file not found in $PATH'
}

@test "program not executable: the phrase clients map to 126" {
	update_config '.process.args = ["/etc/passwd"]'
	expect_create_error 'exec: "/etc/passwd": permission denied'
}

@test "a path that does not exist: no such file or directory" {
	update_config '.process.args = ["/bin/nothing"]'
	expect_create_error "no such file or directory"
}

@test "cwd that cannot be made (a missing one is, as runc)" {
	update_config '.process.cwd = "/etc/passwd/sub"'
	expect_create_error 'create cwd "/etc/passwd/sub" (at /etc/passwd/sub): Not a directory'
}

@test "relative cwd" {
	update_config '.process.cwd = "tmp"'
	expect_create_error ".process.cwd: must be an absolute path"
}

@test "hostname without a uts namespace" {
	update_config '.linux.namespaces |= map(select(.type != "uts"))'
	expect_create_error ".hostname: needs a uts namespace (new or joined by path)"
}

@test "hostname in the caller's own uts namespace, joined by path" {
	update_config '.linux.namespaces |= map(select(.type != "uts")) + [{"type": "uts", "path": "/proc/self/ns/uts"}]'
	expect_create_error ".hostname: the uts namespace /proc/self/ns/uts is the caller's own"
	assert_equal "$(hostname)" "$HOST_NAME"
}

@test "masked paths without a mount namespace (runc refuses them too)" {
	update_config '.linux.namespaces |= map(select(.type != "mount"))'
	expect_create_error ".linux.maskedPaths: needs a mount namespace"
}

@test "terminal without a console socket when detached" {
	update_config '.process.terminal = true'
	expect_create_error "no --console-socket"
}

@test "a non-namespaced sysctl is refused" {
	update_config '.linux.sysctl = {"kernel.panic": "1"}'
	expect_create_error "kernel.panic is not namespaced"
}

@test "a network sysctl in the host's network namespace is refused" {
	update_config '.linux.namespaces |= map(if .type == "network" then .path = "/proc/self/ns/net" else . end) | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	expect_create_error "net.ipv4.ip_forward needs a network namespace of the container's own"
}

@test "a network sysctl without a network namespace is refused" {
	update_config '.linux.namespaces |= map(select(.type != "network")) | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	expect_create_error "net.ipv4.ip_forward needs a network namespace of the container's own"
}

@test "a failing mount in the middle leaves no cgroup, state or process" {
	update_config '.mounts += [{"destination": "/data", "type": "bind", "source": "/does/not/exist"}]'
	expect_create_error "/does/not/exist"
}

@test "a bad mount option is reported by the filesystem" {
	update_config '.mounts += [{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["size=lots"]}]'
	expect_create_error "mount tmpfs on /data"
}

@test "unsupported sections are refused, not ignored" {
	update_config '.windows = {"layerFolders": []}'
	expect_create_error ".windows"
}

@test "cgroupsPath with .. is refused" {
	update_config '.linux.cgroupsPath = "../escape"'
	expect_create_error 'must not contain ".."'
}

@test "a capability berth does not hold itself is refused up front" {
	capsh --has-p=cap_sys_resource 2>/dev/null && skip "this host's root has CAP_SYS_RESOURCE"
	update_config '.process.capabilities.bounding += ["CAP_SYS_RESOURCE"]'
	expect_create_error "CAP_SYS_RESOURCE is not in berth's own bounding set"
}

# Capabilities this host's root lacks (CAP_SYS_RESOURCE here), as jq names.
missing_caps() {
	local c names=()
	for c in $(jq -r '.[]' <<<'["CAP_SYS_RESOURCE","CAP_SYS_MODULE","CAP_SYS_RAWIO","CAP_SYS_TIME","CAP_MAC_ADMIN","CAP_MAC_OVERRIDE","CAP_SYS_BOOT"]'); do
		capsh --has-b="${c,,}" 2>/dev/null || names+=("\"$c\"")
	done
	local IFS=,
	echo "[${names[*]}]"
}

# A bind mount's destination that clients fill with a file (the rest are
# directories).
file_bind() {
	case $1 in
	/etc/resolv.conf | /etc/hostname | /etc/hosts | /run/.containerenv | \
		/sbin/docker-init | /run/podman-init) return 0 ;;
	esac
	return 1
}

# Each config podman, docker and containerd generated on a development
# machine, made to run here: root.path points at the test rootfs,
# cgroupsPath is relative (below our cgroup), bind sources are files and
# directories the test made, a netns joined by path is one the test made,
# and the args become a probe of what the container got.  Everything else
# stays: resources, seccomp, capabilities, devices, rlimits, sysctls,
# masked and read-only paths, mount options, terminal.  The one thing
# dropped: capabilities this host's root lacks in its bounding set
# (CAP_SYS_RESOURCE here), which berth refuses (test above) and no client
# can get on this host either.
@test "every client-generated config runs, with its resources, binds and netns" {
	local f missing netns_inode dest i n kind src probe expect
	missing=$(missing_caps)
	NETNS=berth-fixture-$$
	ip netns add "$NETNS"
	netns_inode=$(ip netns exec "$NETNS" readlink /proc/self/ns/net)
	for f in "$REPO"/tests/unit/fixtures/clients/*.config.json; do
		rm -rf "$BATS_TEST_TMPDIR/binds"
		mkdir -p "$BATS_TEST_TMPDIR/binds"
		cp "$f" "$BUNDLE/config.json"
		probe="readlink /proc/self/ns/net;"
		expect=()
		n=$(jq '.mounts | length' "$f")
		for ((i = 0; i < n; i++)); do
			jq -e ".mounts[$i] | .type == \"bind\" or ((.options // []) | index(\"bind\") or index(\"rbind\"))" \
				"$f" >/dev/null || continue
			dest=$(jq -r ".mounts[$i].destination" "$f")
			src=$BATS_TEST_TMPDIR/binds/$i
			if file_bind "$dest"; then
				echo "bind:$dest" >"$src"
				probe="$probe cat $dest;"
			else
				mkdir -p "$src"
				echo "bind:$dest" >"$src/marker"
				probe="$probe cat $dest/marker;"
			fi
			expect+=("bind:$dest")
			update_config ".mounts[$i].source = \"$src\""
		done
		jq --arg root "$BUNDLE/rootfs" --arg cg "$CGROUP_PARENT/fixture" \
			--arg netns "/run/netns/$NETNS" --argjson missing "$missing" --arg probe "$probe" '
			.root.path = $root
			| .linux.cgroupsPath = $cg
			| .linux.namespaces |= map(if .path then .path = $netns else . end)
			| .process.args = ["sh", "-c", $probe + " echo fixture-ok"]
			| .process.capabilities |= (if . then map_values(. - $missing) else . end)' \
			"$BUNDLE/config.json" >"$BUNDLE/config.new"
		mv "$BUNDLE/config.new" "$BUNDLE/config.json"
		run berth run --bundle "$BUNDLE" fixture
		echo "$f: $output"
		assert_success
		assert_output_contains fixture-ok
		for dest in "${expect[@]}"; do
			assert_output_contains "$dest"
		done
		# Joined by path: the test's namespace; otherwise a new one.
		if jq -e '.linux.namespaces[] | select(.type == "network" and .path)' "$f" >/dev/null; then
			assert_output_contains "$netns_inode"
		elif jq -e '.linux.namespaces[] | select(.type == "network")' "$f" >/dev/null; then
			[[ "$output" != *"$netns_inode"* ]]
			[[ "$output" != *"$(readlink /proc/self/ns/net)"* ]]
		fi
		assert_no_leftovers fixture
	done
}
