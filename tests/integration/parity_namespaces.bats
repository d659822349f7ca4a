#!/usr/bin/env bats
# Namespaces as runc sets them up: a container without a mount namespace
# (a chroot in the caller's mount namespace) and mount and uts namespaces
# joined by path.  The same config runs under berth and under runc (where
# it is installed); the tests compare what the container sees and what
# the caller's mounts, or the joined namespace's owner, keep afterwards.

load helpers
load peer_helpers

setup() {
	setup_peer
	HOLDERS=()
}
teardown() {
	local failed=0 pid
	for pid in "${HOLDERS[@]}"; do
		kill -9 "$pid" 2>/dev/null || true
	done
	cleanup_peer
	cleanup_containers || failed=1
	return "$failed"
}

# Run a shell snippet in a mount namespace that stands for the caller's:
# a copy of the host's made rshared, as systemd makes a host's root.
# runc 1.1 changes the propagation of the caller's root and leaves its
# mounts there when the config has no mount namespace: never on the
# host itself.  The namespace's mountinfo before and after the snippet
# and its mnt link go to $BATS_TEST_TMPDIR/TAG.{before,after,ns}.
in_caller_ns() {
	local tag=$BATS_TEST_TMPDIR/$1
	export BERTH ROOT BUNDLE PEER_ROOT PEER_BUNDLE BATS_TEST_TMPDIR
	run unshare -m --propagation private sh -c '
		tag=$1
		mount --make-rshared / || exit 99
		readlink /proc/self/ns/mnt >"$tag.ns"
		cat /proc/self/mountinfo >"$tag.before"
		eval "$2"
		rc=$?
		cat /proc/self/mountinfo >"$tag.after"
		exit "$rc"' sh "$tag" "$2"
}

# The caller's namespace after TAG's run is as before it: every mount
# that is in both is unchanged (its propagation too), and none came or
# went at its root or at or below the test's directory.  Other mounts may
# come and go: other tests on the machine make some, and removing a file
# that is a mount point takes its mounts from every namespace.
assert_caller_unchanged() {
	local tag=$BATS_TEST_TMPDIR/$1 changed
	changed=$(awk -v dir="$BATS_TEST_TMPDIR" '
		function ours(mnt) { return mnt == "/" || index(mnt, dir) == 1 }
		FNR == NR { before[$1] = $0; point[$1] = $5; next }
		{ seen[$1] = 1 }
		($1 in before) && before[$1] != $0 { print "changed: " $0 }
		!($1 in before) && ours($5) { print "new: " $0 }
		END { for (id in before) if (!(id in seen) && ours(point[id])) print "gone: " before[id] }
	' "$tag.before" "$tag.after")
	assert_equal "$changed" ""
}

# What a mountinfo says without its ids: root, mount point, options,
# file system type (sorted; the order of siblings is not compared).
mounts_of() {
	awk '{ for (i = 7; $i != "-"; i++); print $4, $5, $6, $(i + 1) }' "$@" | sort
}

# Process $1 is in a mount namespace other than $2 (unshare is done).
in_other_mnt_ns() {
	local ns
	ns=$(readlink "/proc/$1/ns/mnt" 2>/dev/null)
	[ -n "$ns" ] && [ "$ns" != "$2" ]
}

# A process in new mount and uts namespaces of its own, named $1, for a
# container to join; its pid goes to HOLDER.
start_holder() {
	local ours
	ours=$(readlink /proc/self/ns/mnt)
	unshare -m -u --propagation private sleep 1000 >/dev/null 2>&1 </dev/null &
	HOLDER=$!
	disown "$HOLDER"
	HOLDERS+=("$HOLDER")
	wait_for in_other_mnt_ns "$HOLDER" "$ours"
	nsenter -t "$HOLDER" -u hostname "$1"
}

# The config without a mount namespace: no masked or read-only paths
# (runc refuses them there), no cgroup mount (berth mounts cgroup2 too on
# a hybrid host, runc does not), a bind mount of a host directory.
no_mount_ns_config() {
	local src=$BATS_TEST_TMPDIR/src
	mkdir -p "$src"
	echo from-host >"$src/f"
	cat >"$BUNDLE/rootfs/probe" <<-'EOS'
		readlink /proc/self/ns/mnt
		echo $(ls /)
		cat /data/f
		awk '{ for (i = 7; $i != "-"; i++); print $4, $5, $6, $(i + 1) }' /proc/self/mountinfo | sort
	EOS
	update_config ".linux.namespaces |= map(select(.type != \"mount\"))
		| del(.linux.maskedPaths, .linux.readonlyPaths)
		| .root.readonly = false
		| .mounts |= map(select(.destination != \"/sys/fs/cgroup\"))
		| .mounts += [{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$src\", \"options\": [\"rbind\", \"ro\"]}]
		| .process.args = [\"sh\", \"/probe\"]"
}

# PATH as seen from the root of the mount that holds it.
below_mount() {
	local m
	m=$(stat -c %m "$1")
	if [ "$m" = / ]; then
		echo "$1"
	else
		echo "${1#"$m"}"
	fi
}

# Does the probe's output hold a mount of a root ending in $1 at $2 whose
# options start with $3?
assert_mount_line() {
	local hits
	hits=$(awk -v want="$1" -v at="$2" -v opts="$3" '$2 == at && index($3, opts) == 1 &&
		substr($1, length($1) - length(want) + 1) == want' <<<"$output")
	if [ -z "$hits" ]; then
		echo "no mount of ...$1 at $2 with $3 in:" >&2
		echo "$output" >&2
		return 1
	fi
}

@test "no mount namespace: a chroot in the caller's mount namespace, as runc; nothing stays mounted" {
	local seen
	no_mount_ns_config
	in_caller_ns berth '"$BERTH" --root "$ROOT" run --bundle "$BUNDLE" ctr'
	assert_success
	# The container shares the caller's mount namespace...
	assert_equal "${lines[0]}" "$(cat "$BATS_TEST_TMPDIR/berth.ns")"
	# ...and its root is the rootfs, with the config's mounts below it.
	assert_equal "${lines[1]}" "bin data dev etc probe proc root run sbin sys tmp usr var"
	assert_equal "${lines[2]}" "from-host"
	# The bind of the rootfs at /, and of src at /data (read-only): their
	# roots within their file systems end with those paths as seen from
	# the mount that holds them (in a chroot, as in a fresh Debian made
	# with debootstrap, a prefix comes before them).
	assert_mount_line "$(below_mount "$BUNDLE/rootfs")" / rw,relatime
	assert_mount_line "$(below_mount "$BATS_TEST_TMPDIR/src")" /data ro,relatime
	assert_output_contains "/ /proc rw,relatime proc"
	seen=$(printf '%s\n' "${lines[@]:1}")
	# --no-pivot changes nothing: there is no root of its own to move.
	in_caller_ns berth '"$BERTH" --root "$ROOT" run --no-pivot --bundle "$BUNDLE" ctr'
	assert_success
	assert_equal "$(printf '%s\n' "${lines[@]:1}")" "$seen"
	# Nothing of it is left in the caller's mount namespace, whose root
	# keeps its propagation (runc makes it rslave and leaves every mount).
	assert_caller_unchanged berth
	assert_no_leftovers
	if have_runc; then
		make_peer_bundle
		in_caller_ns runc 'runc --root "$PEER_ROOT" run --bundle "$PEER_BUNDLE" peer'
		assert_success
		assert_equal "${lines[0]}" "$(cat "$BATS_TEST_TMPDIR/runc.ns")"
		assert_equal "$(printf '%s\n' "${lines[@]:1}")" "$seen"
	fi
}

@test "no mount namespace: create, start and delete; delete detaches the rootfs and all below it" {
	no_mount_ns_config
	update_config '.process.args = ["sleep", "1000"]'
	in_caller_ns berth '
		"$BERTH" --root "$ROOT" create --bundle "$BUNDLE" ctr >/dev/null 2>&1 </dev/null || exit 1
		awk -v r="$BUNDLE/rootfs" '\''$5 == r || index($5, r "/") == 1 { print $5 }'\'' /proc/self/mountinfo
		"$BERTH" --root "$ROOT" start ctr || exit 2
		"$BERTH" --root "$ROOT" state ctr | grep -q "\"status\": *\"running\"" || exit 3
		"$BERTH" --root "$ROOT" exec ctr sh -c '\''echo exec: $(readlink /proc/self/ns/mnt) $(cat /data/f) $(ls /)'\'' || exit 5
		"$BERTH" --root "$ROOT" delete --force ctr || exit 4'
	assert_success
	# While it existed, its mounts were the caller's...
	assert_output_contains "$BUNDLE/rootfs"$'\n'
	assert_output_contains "$BUNDLE/rootfs/proc"
	assert_output_contains "$BUNDLE/rootfs/data"
	# exec enters the container's root (runc 1.1's exec stays in the
	# caller's root there).
	assert_output_contains "exec: $(cat "$BATS_TEST_TMPDIR/berth.ns") from-host bin data dev etc probe"
	# ...and delete took them all away.
	assert_caller_unchanged berth
	assert_no_leftovers
}

@test "no mount namespace: delete --force after a kill -9 of create detaches what it mounted" {
	no_mount_ns_config
	# create is killed while its createRuntime hook runs: the rootfs and
	# the config's mounts are made by then.
	# (Hooks get no environment but the config's: the path is written in.)
	cat >"$BATS_TEST_TMPDIR/hook" <<-EOS
		#!/bin/sh
		echo \$\$ >"$BATS_TEST_TMPDIR/hooked.new"
		mv "$BATS_TEST_TMPDIR/hooked.new" "$BATS_TEST_TMPDIR/hooked"
		exec sleep 1000
	EOS
	chmod +x "$BATS_TEST_TMPDIR/hook"
	update_config ".hooks.createRuntime = [{\"path\": \"$BATS_TEST_TMPDIR/hook\"}]"
	in_caller_ns berth '
		"$BERTH" --root "$ROOT" create --bundle "$BUNDLE" ctr >/dev/null 2>&1 </dev/null &
		create=$!
		for i in $(seq 300); do
			[ -e "$BATS_TEST_TMPDIR/hooked" ] && break
			sleep 0.1
		done
		awk -v r="$BUNDLE/rootfs" '\''index($5, r) == 1 { print $5 }'\'' /proc/self/mountinfo
		kill -9 "$create" $(cat "$BATS_TEST_TMPDIR/hooked" 2>/dev/null)
		wait "$create"
		[ -e "$BATS_TEST_TMPDIR/hooked" ] || exit 1
		"$BERTH" --root "$ROOT" delete --force ctr || exit 2'
	assert_success
	assert_output_contains "$BUNDLE/rootfs/proc"
	assert_caller_unchanged berth
	assert_no_leftovers
}

@test "no mount namespace: rootfsPropagation applies to the container's root, never to the caller's" {
	local p
	no_mount_ns_config
	cat >"$BUNDLE/rootfs/rootline" <<-'EOS'
		awk '$5 == "/"' /proc/self/mountinfo
	EOS
	update_config '.process.args = ["sh", "/rootline"]'
	for p in shared rshared private slave unbindable; do
		update_config ".linux.rootfsPropagation = \"$p\""
		in_caller_ns berth '"$BERTH" --root "$ROOT" run --bundle "$BUNDLE" ctr'
		assert_success
		case $p in
		*shared) assert_output_contains " shared:" ;;
		unbindable) assert_output_contains " unbindable " ;;
		*) if [[ $output == *shared:* || $output == *master:* ]]; then fail "$p: $output"; fi ;;
		esac
		# runc 1.1 sets it on the caller's root instead; berth leaves
		# that root's propagation as it was.
		assert_caller_unchanged berth
		assert_no_leftovers
	done
}

@test "no mount namespace: root.readonly makes the container's root read-only (runc 1.1 ignores it)" {
	no_mount_ns_config
	update_config '.root.readonly = true
		| .process.args = ["sh", "-c", "touch /x; awk '\''$5 == \"/\" { print $6 }'\'' /proc/self/mountinfo"]'
	in_caller_ns berth '"$BERTH" --root "$ROOT" run --bundle "$BUNDLE" ctr 2>&1'
	assert_success
	assert_output_contains "touch: /x: Read-only file system"
	assert_equal "${lines[1]}" "ro,relatime"
	# Only the container's bind of the rootfs was made read-only.
	assert_caller_unchanged berth
	touch "$BUNDLE/rootfs/x"
	assert_no_leftovers
}

@test "no mount namespace: masked and read-only paths are refused, as runc refuses them; nothing left" {
	local field
	for field in maskedPaths readonlyPaths; do
		update_config ".linux.namespaces |= map(select(.type != \"mount\"))
			| .linux.maskedPaths = [\"/proc/kcore\"] | .linux.readonlyPaths = [\"/proc/sys\"]
			| del(.linux.$([ $field = maskedPaths ] && echo readonlyPaths || echo maskedPaths))"
		in_caller_ns berth '"$BERTH" --root "$ROOT" run --bundle "$BUNDLE" ctr 2>&1'
		assert_failure 1
		assert_output_contains ".linux.$field: needs a mount namespace"
		assert_caller_unchanged berth
		assert_no_leftovers
		if have_runc; then
			make_peer_bundle
			in_caller_ns runc 'runc --root "$PEER_ROOT" run --bundle "$PEER_BUNDLE" peer 2>&1'
			assert_failure
			assert_output_contains "unable to restrict sys entries without a private MNT namespace"
		fi
	done
}

@test "no mount namespace: a new user namespace is refused (it could mount nothing there); nothing left" {
	no_mount_ns_config
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	in_caller_ns berth '"$BERTH" --root "$ROOT" run --bundle "$BUNDLE" ctr 2>&1'
	assert_failure 1
	assert_output_contains ".linux.namespaces: a new user namespace needs a new mount namespace too"
	assert_caller_unchanged berth
	assert_no_leftovers
	if have_runc; then
		# runc fails there too, later (EPERM binding the rootfs).
		make_peer_bundle
		in_caller_ns runc 'runc --root "$PEER_ROOT" run --bundle "$PEER_BUNDLE" peer 2>&1'
		assert_failure
	fi
}

@test "no mount namespace: a mount that fails leaves nothing mounted in the caller's namespace" {
	no_mount_ns_config
	update_config '.mounts += [{"destination": "/late", "type": "bind", "source": "/nonexistent-berth-source", "options": ["bind"]}]'
	in_caller_ns berth '"$BERTH" --root "$ROOT" run --bundle "$BUNDLE" ctr 2>&1'
	assert_failure 1
	assert_output_contains "/nonexistent-berth-source"
	# The rootfs bind and the mounts made before the failing one are gone.
	assert_caller_unchanged berth
	assert_no_leftovers
	if have_runc; then
		make_peer_bundle
		in_caller_ns runc 'runc --root "$PEER_ROOT" run --bundle "$PEER_BUNDLE" peer 2>&1'
		assert_failure
	fi
}

# berth masks a directory with a tmpfs that is nosuid, nodev and noexec
# besides read-only; runc's is only read-only.  Compared as runc's.
masks_as_runc() {
	sed 's/ ro,nosuid,nodev,noexec,relatime tmpfs$/ ro,relatime tmpfs/'
}

@test "no mount namespace: the caller's own root as root.path is refused, the caller's root untouched" {
	no_mount_ns_config
	update_config '.root.path = "/"'
	in_caller_ns berth '"$BERTH" --root "$ROOT" run --bundle "$BUNDLE" ctr 2>&1'
	assert_failure 1
	assert_output_contains ".root.path: / is the caller's root directory"
	# Not even the propagation of the caller's mounts changed (runc 1.1
	# mounts the config's mounts over the host's own there).
	assert_caller_unchanged berth
	assert_no_leftovers
}

# The config joining the holder's mount and uts namespaces, naming the
# host joined-ns (domain joined-dom).
joined_config() {
	cat >"$BUNDLE/rootfs/probe" <<-'EOS'
		readlink /proc/self/ns/mnt
		readlink /proc/self/ns/uts
		hostname
		awk '{ for (i = 7; $i != "-"; i++); print $4, $5, $6, $(i + 1) }' /proc/self/mountinfo | sort
	EOS
	update_config ".linux.namespaces |= map(select(.type != \"mount\" and .type != \"uts\"))
			+ [{\"type\": \"mount\", \"path\": \"/proc/$1/ns/mnt\"}, {\"type\": \"uts\", \"path\": \"/proc/$1/ns/uts\"}]
		| .hostname = \"joined-ns\" | .domainname = \"joined-dom\"
		| .mounts |= map(select(.destination != \"/sys/fs/cgroup\"))
		| .process.args = [\"sh\", \"/probe\"]"
}

@test "joined mount and uts namespaces: the rootfs is set up there, the hostname set, as runc" {
	local seen owner_after
	if chrooted; then
		skip "chrooted: setns into another mount namespace leaves the chroot, where the bundle's path names nothing"
	fi
	start_holder holder
	joined_config "$HOLDER"
	in_caller_ns berth '"$BERTH" --root "$ROOT" run --bundle "$BUNDLE" ctr'
	assert_success
	assert_equal "${lines[0]}" "$(readlink /proc/$HOLDER/ns/mnt)"
	assert_equal "${lines[1]}" "$(readlink /proc/$HOLDER/ns/uts)"
	assert_equal "${lines[2]}" "joined-ns"
	# pivot_root made the rootfs the joined namespace's root, with the
	# config's mounts and masked paths on it.
	assert_output_contains "$BUNDLE/rootfs / ro,relatime ext4"
	assert_output_contains "/ /proc rw,relatime proc"
	assert_output_contains " /proc/keys "
	seen=$(printf '%s\n' "${lines[@]:3}" | masks_as_runc)
	# The namespace's owner shares the name and the root (as with runc:
	# pivot_root moved every process of the namespace to the new root);
	# the caller's mounts and name are untouched.
	assert_equal "$(nsenter -t "$HOLDER" -u hostname)" "joined-ns"
	assert_equal "$(nsenter -t "$HOLDER" -u cat /proc/sys/kernel/domainname)" "joined-dom"
	owner_after=$(mounts_of /proc/$HOLDER/mountinfo | masks_as_runc)
	assert_caller_unchanged berth
	if [ "$(hostname)" = joined-ns ]; then fail "the caller's hostname changed"; fi
	assert_no_leftovers
	if have_runc; then
		start_holder holder
		joined_config "$HOLDER"
		make_peer_bundle
		in_caller_ns runc 'runc --root "$PEER_ROOT" run --bundle "$PEER_BUNDLE" peer'
		assert_success
		assert_equal "${lines[0]}" "$(readlink /proc/$HOLDER/ns/mnt)"
		assert_equal "${lines[1]}" "$(readlink /proc/$HOLDER/ns/uts)"
		assert_equal "${lines[2]}" "joined-ns"
		assert_equal "$(printf '%s\n' "${lines[@]:3}" | masks_as_runc)" "$seen"
		assert_equal "$(nsenter -t "$HOLDER" -u hostname)" "joined-ns"
		assert_equal "$(mounts_of /proc/$HOLDER/mountinfo | masks_as_runc)" "$owner_after"
	fi
}

@test "joined namespaces: a path that is no namespace, or of the wrong type, fails cleanly" {
	start_holder holder
	joined_config "$HOLDER"
	update_config '.linux.namespaces |= map(if .type == "mount" then .path = "/nonexistent-berth-ns" else . end)'
	in_caller_ns berth '"$BERTH" --root "$ROOT" run --bundle "$BUNDLE" ctr 2>&1'
	assert_failure 1
	assert_output_contains "open mnt namespace /nonexistent-berth-ns"
	assert_caller_unchanged berth
	assert_no_leftovers
	joined_config "$HOLDER"
	update_config ".linux.namespaces |= map(if .type == \"uts\" then .path = \"/proc/$HOLDER/ns/mnt\" else . end)"
	in_caller_ns berth '"$BERTH" --root "$ROOT" run --bundle "$BUNDLE" ctr 2>&1'
	assert_failure 1
	assert_output_contains "join uts namespace /proc/$HOLDER/ns/mnt"
	assert_no_leftovers
	# Neither attempt got as far as the holder's namespaces.
	assert_equal "$(nsenter -t "$HOLDER" -u hostname)" "holder"
	assert_equal "$(awk '$5 == "/" { print $4 }' /proc/$HOLDER/mountinfo)" "/"
}
