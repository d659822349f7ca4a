#!/usr/bin/env bats
# berth run by an unprivileged user in a cgroup v2 subtree delegated to it
# (README.md, "Rootless"), as systemd's user@.service delegation gives
# one: on the hybrid host through a cgroup2 mount of the test's own, and
# in the pure cgroup v2 VM (tests/vm/suite) on its hierarchy, where the
# pids controller can be delegated too.  Without a delegated subtree:
# rootless.bats.

load rootless_helpers

setup() { setup_rootless; }
teardown() { teardown_rootless; }

@test "rootless: with a delegated cgroup v2 subtree the container gets a cgroup there; pause, resume, delete, limits per delegated controller" {
	update_config '.process.args = ["sleep", "100"]'
	own=$(own_unified_cgroup)
	DELEG=berth-rootless-deleg-$$
	cat >"$USER_DIR/deleg.sh" <<-SCRIPT
		set -e
		mount --make-rprivate /
		# A cgroup2 mount of its own on a hybrid host; a pure cgroup v2
		# host's (the VM's) is already one.
		[ "\$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || mount -t cgroup2 none /sys/fs/cgroup
		d=/sys/fs/cgroup$own/$DELEG
		mkdir "\$d"
		chown $RUID "\$d" "\$d/cgroup.procs" "\$d/cgroup.subtree_control" "\$d/cgroup.threads"
		echo \$\$ >"\$d/cgroup.procs"
		cd "$BUNDLE"
		u() { runuser -u $ROOTLESS_USER -- env -i PATH=/usr/bin:/bin "$UBERTH" --root "$ROOT" "\$@"; }
		u run -d ctr </dev/null >"$USER_DIR/run.out" 2>&1 || { cat "$USER_DIR/run.out"; exit 1; }
		pid=\$(u state ctr | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
		echo "cgroup \$(sed -n 's/^0:://p' /proc/\$pid/cgroup)"
		echo "owner \$(stat -c %u "\$d/berth/ctr")"
		u pause ctr
		echo "paused \$(u state ctr | grep -c '"paused"') \$(grep frozen "\$d/berth/ctr/cgroup.events")"
		u resume ctr
		echo "resumed \$(grep frozen "\$d/berth/ctr/cgroup.events")"
		u ps ctr -o pid= | xargs echo ps
		u delete --force ctr
		echo "left \$(find "\$d" -mindepth 1 -type d | wc -l)"
		# A limit goes to the delegated cgroup when its controller is
		# delegated too, and is refused, naming it, when not.
		echo "controllers \$(cat "\$d/cgroup.controllers")"
		u run --bundle "$USER_DIR/limited" lim 2>&1 | sed 's/^/limit: /' || true
		echo "left-after-limit \$(find "\$d" -mindepth 1 -type d | wc -l)"
		echo \$\$ >/sys/fs/cgroup$own/cgroup.procs
		rmdir "\$d"
	SCRIPT
	mkdir "$USER_DIR/limited"
	jq '.root.path = "'"$BUNDLE"'/rootfs" | .linux.resources = {"pids": {"limit": 10}}
		| .process.args = ["cat", "/sys/fs/cgroup/pids.max"]
		| .mounts += [{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup"}]' \
		"$BUNDLE/config.json" >"$USER_DIR/limited/config.json"
	chown -R "$RUID:$RGID" "$USER_DIR/limited"
	run unshare -m sh "$USER_DIR/deleg.sh"
	assert_success
	assert_output_contains "cgroup $own/$DELEG/berth/ctr"
	assert_output_contains "owner $RUID"
	assert_output_contains "paused 1 frozen 1"
	assert_output_contains "resumed frozen 0"
	assert_output_contains "left 0"
	assert_output_contains "left-after-limit 0"
	if [[ "$(echo "$output" | grep '^controllers')" == *pids* ]]; then
		assert_output_contains "limit: 10"
	else
		assert_output_contains "limit: berth: "
		assert_output_contains "pids"
	fi
	[ ! -d "$(unified_root)$own/$DELEG" ] || fail "the delegated cgroup is left"
}
