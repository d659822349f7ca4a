#!/usr/bin/env bats
# berth run by an unprivileged user in a cgroup v2 subtree delegated to it
# (README.md, "Rootless"), as systemd's Delegate=yes gives one: the test
# makes a cgroup and chowns it (and the files that hand it over) to the
# user.  On the hybrid host that happens in a cgroup2 mount of the test's
# own (in a private mount namespace), whose only controller is hugetlb;
# in the pure cgroup v2 VM (tests/vm/suite) on its hierarchy, where
# memory and pids are delegated too and their limits are seen working.
# Without a delegated subtree on the host: rootless.bats.

load rootless_helpers

setup() {
	setup_rootless || return
	OWN=$(own_unified_cgroup)
	DELEG=berth-rootless-deleg-$$-$BATS_TEST_NUMBER
	update_config '.process.args = ["sleep", "100"]'
	# A bundle asking for limits, whose process shows what it got.
	mkdir "$USER_DIR/limited"
	jq '.root.path = "'"$BUNDLE"'/rootfs"
		| .linux.resources = {"pids": {"limit": 6}, "memory": {"limit": 67108864}}
		| .mounts += [{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup"}]
		| .process.args = ["sh", "-c", "sed -n \"s/^0::/inside /p\" /proc/self/cgroup
			echo pids.max $(cat /sys/fs/cgroup/pids.max) memory.max $(cat /sys/fs/cgroup/memory.max)
			i=0; while [ $i -lt 10 ]; do sleep 30 & i=$((i + 1)); echo forked $i; done"]' \
		"$BUNDLE/config.json" >"$USER_DIR/limited/config.json"
	chown -R "$RUID:$RGID" "$USER_DIR/limited"
}
teardown() { teardown_rootless; }

# Run the script $1 (the body) as root in a private mount namespace with
# cgroup2 at /sys/fs/cgroup, the delegated cgroup $d made (not yet
# chowned) and the helpers `delegate DIR` and `u ARGS` (berth as the
# user).  Whatever happens, the containers, the shell's move and the
# test's cgroups are undone on the way out.
run_delegated() {
	cat >"$USER_DIR/deleg.sh" <<-'SCRIPT'
		set -e
		mount --make-rprivate /
		# A hybrid host's cgroup2 is mounted elsewhere; the VM's is there.
		[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || mount -t cgroup2 none /sys/fs/cgroup
		top=/sys/fs/cgroup$OWN
		d=$top/$DELEG
		# What systemd's Delegate=yes hands the user.
		delegate() {
			chown "$RUID" "$1" "$1/cgroup.procs" "$1/cgroup.subtree_control" "$1/cgroup.threads"
		}
		u() {
			runuser -u "$ROOTLESS_USER" -- env -i PATH=/usr/bin:/bin "$UBERTH" --root "$ROOT" "$@"
		}
		state_pid() { u state "$1" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p'; }
		cgroup_of() { sed -n 's/^0:://p' "/proc/$1/cgroup"; }
		dirs_below() { (cd "$1" && find . -mindepth 1 -type d | sort | xargs); }
		undo() {
			rc=$?
			for c in $(ls "$ROOT" 2>/dev/null); do u delete --force "$c" || true; done
			echo $$ >"$top/cgroup.procs"
			for x in "$d" "$d-none"; do
				[ ! -d "$x" ] || find "$x" -depth -type d -exec rmdir {} \;
			done
			exit "$rc"
		}
		trap undo EXIT
		mkdir "$d"
		cd "$BUNDLE"
	SCRIPT
	echo "$1" >>"$USER_DIR/deleg.sh"
	run unshare -m env OWN="$OWN" DELEG="$DELEG" RUID="$RUID" RGID="$RGID" \
		ROOTLESS_USER="$ROOTLESS_USER" UBERTH="$UBERTH" ROOT="$ROOT" BUNDLE="$BUNDLE" \
		USER_DIR="$USER_DIR" sh "$USER_DIR/deleg.sh"
	# What the script saw, for bats to show when a test fails.
	printf '%s\n' "$output"
	[ ! -d "$(unified_root)$OWN/$DELEG" ] || fail "the delegated cgroup is left"
}

# Whether the delegated cgroup got memory and pids: in the VM it must
# (and what follows checks that it did); the hybrid host's cgroup2 has
# hugetlb alone.
limits_delegated() {
	[ -n "${BERTH_VM:-}" ] || [[ "$(echo "$output" | grep '^controllers')" == *memory*pids* ]]
}

@test "rootless cgroup: the user's shell in a scope of the delegated cgroup: containers go beside it; pause freezes; limits hold; delete leaves nothing" {
	# crun, the peer that runs on a cgroup v2 host, as the same user with
	# the same limits, in a cgroup beside berth's.
	mkdir "$USER_DIR/crun"
	jq --arg p "$OWN/$DELEG/crun-lim" '.linux.cgroupsPath = $p | .ociVersion = "1.0.2"' \
		"$USER_DIR/limited/config.json" >"$USER_DIR/crun/config.json"
	chown -R "$RUID:$RGID" "$USER_DIR/crun"
	run_delegated '
		delegate "$d"
		# The user'"'"'s shell in a scope of its own below the delegated
		# cgroup, as systemd --user keeps it (app.slice/*.scope).
		mkdir "$d/session"
		delegate "$d/session"
		echo $$ >"$d/session/cgroup.procs"
		u run -d ctr </dev/null >"$USER_DIR/run.out" 2>&1 || { cat "$USER_DIR/run.out"; exit 1; }
		pid=$(state_pid ctr)
		echo "cgroup $(cgroup_of $pid)"
		echo "owner $(stat -c %u "$d/berth/ctr")"
		u pause ctr
		echo "paused $(u state ctr | grep -c "\"paused\"") freeze $(cat "$d/berth/ctr/cgroup.freeze") $(grep frozen "$d/berth/ctr/cgroup.events")"
		u resume ctr
		echo "resumed freeze $(cat "$d/berth/ctr/cgroup.freeze") $(grep frozen "$d/berth/ctr/cgroup.events")"
		u delete --force ctr
		echo "left $(dirs_below "$d")"
		echo "controllers $(cat "$d/cgroup.controllers")"
		u run --bundle "$USER_DIR/limited" lim 2>&1 | sed "s/^/limit: /" || true
		case "$(cat "$d/cgroup.controllers")" in
		*memory*pids*)
			runuser -u "$ROOTLESS_USER" -- env -i PATH=/usr/bin:/bin crun \
				--root "$USER_DIR/crun-root" --cgroup-manager=cgroupfs run \
				--bundle "$USER_DIR/crun" lim 2>&1 | sed "s/^/crun: /" || true
			;;
		esac
		echo "left-after-limit $(dirs_below "$d")"
		echo "procs-session $(wc -l <"$d/session/cgroup.procs") procs-deleg $(wc -l <"$d/cgroup.procs")"
	'
	assert_success
	assert_output_contains "cgroup $OWN/$DELEG/berth/ctr"
	assert_output_contains "owner $RUID"
	assert_output_contains "paused 1 freeze 1 frozen 1"
	assert_output_contains "resumed freeze 0 frozen 0"
	# Only the shell's scope is left: the containers' cgroups went.
	assert_output_contains "left ./session"
	assert_output_contains "left-after-limit ./session"
	assert_output_contains "procs-deleg 0"
	if limits_delegated; then
		assert_output_contains "limit: inside /"
		assert_output_contains "limit: pids.max 6 memory.max 67108864"
		# The shell is one of the 6: five sleeps, then the fork is refused.
		assert_output_contains "limit: forked 5"
		refute_output_contains "limit: forked 6"
		assert_output_contains "limit: sh: can't fork: Resource temporarily unavailable"
		# crun shows the same.
		assert_output_contains "crun: inside /"
		assert_output_contains "crun: pids.max 6 memory.max 67108864"
		assert_output_contains "crun: forked 5"
		refute_output_contains "crun: forked 6"
		assert_output_contains "crun: sh: can't fork: Resource temporarily unavailable"
	else
		assert_output_contains "limit: berth: linux.resources.memory.limit: the memory controller is not available"
	fi
}

@test "rootless cgroup: berth alone in its delegated cgroup moves itself into a leaf of it, and its containers go below it with their limits" {
	mkdir "$USER_DIR/lsleep"
	jq '.process.args = ["sleep", "100"]' "$USER_DIR/limited/config.json" >"$USER_DIR/lsleep/config.json"
	chown -R "$RUID:$RGID" "$USER_DIR/lsleep"
	run_delegated '
		delegate "$d"
		echo "controllers $(cat "$d/cgroup.controllers")"
		bundle=$BUNDLE
		case "$(cat "$d/cgroup.controllers")" in
		*memory*pids*)
			bundle=$USER_DIR/lsleep
			;;
		esac
		# As systemd-run --user --scope: berth the only process there.
		sh -c "echo \$\$ >\"$d/cgroup.procs\"
			exec setpriv --reuid=$RUID --regid=$RGID --clear-groups env -i PATH=/usr/bin:/bin \
			\"$UBERTH\" --root \"$ROOT\" run -d --bundle \"$bundle\" ctr" </dev/null >"$USER_DIR/run.out" 2>&1 ||
			{ cat "$USER_DIR/run.out"; exit 1; }
		pid=$(state_pid ctr)
		echo "cgroup $(cgroup_of $pid)"
		echo "procs-deleg $(wc -l <"$d/cgroup.procs") procs-leaf $(wc -l <"$d/berth-caller/cgroup.procs")"
		echo "subtree $(cat "$d/cgroup.subtree_control")"
		if [ "$bundle" != "$BUNDLE" ]; then
			echo "host pids.max $(cat "$d/berth/ctr/pids.max") memory.max $(cat "$d/berth/ctr/memory.max")"
		fi
		u delete --force ctr
		echo "left $(dirs_below "$d")"
	'
	assert_success
	assert_output_contains "cgroup $OWN/$DELEG/berth/ctr"
	# berth left for the leaf before it made anything, and is gone.
	assert_output_contains "procs-deleg 0 procs-leaf 0"
	# The leaf stays, empty: berth commands at once share it.
	assert_output_contains "left ./berth-caller"
	if limits_delegated; then
		# The caller's cgroup, emptied, gives its children controllers.
		[[ "$(echo "$output" | grep '^subtree')" == *memory*pids* ]] ||
			fail "memory and pids not given to the children"
		assert_output_contains "host pids.max 6 memory.max 67108864"
	fi
}

@test "rootless cgroup: a delegated cgroup holding the caller's shell gives containers no controller (limits refused, naming why); without delegation no cgroup at all" {
	run_delegated '
		delegate "$d"
		echo "controllers $(cat "$d/cgroup.controllers")"
		# The shell in the delegated cgroup itself, whose parent is not
		# the user'"'"'s: no place free of processes to give controllers.
		echo $$ >"$d/cgroup.procs"
		u run -d ctr </dev/null >"$USER_DIR/run.out" 2>&1 || { cat "$USER_DIR/run.out"; exit 1; }
		echo "cgroup $(cgroup_of $(state_pid ctr))"
		echo "subtree [$(cat "$d/cgroup.subtree_control")] type $(cat "$d/berth/ctr/cgroup.type")"
		u delete --force ctr
		u run --bundle "$USER_DIR/limited" lim 2>&1 | sed "s/^/populated: /" || true
		echo "left $(dirs_below "$d")"
		# Not delegated: the user owns nothing there.
		mkdir "$d-none"
		echo $$ >"$d-none/cgroup.procs"
		u run --bundle "$USER_DIR/limited" lim 2>&1 | sed "s/^/none: /" || true
		u run -d ctr </dev/null >"$USER_DIR/run.out" 2>&1 || { cat "$USER_DIR/run.out"; exit 1; }
		echo "none-cgroup $(cgroup_of $(state_pid ctr))"
		u delete --force ctr
		echo "none-left $(dirs_below "$d-none") state $(ls "$ROOT" | wc -l)"
	'
	assert_success
	assert_output_contains "cgroup $OWN/$DELEG/berth/ctr"
	# No threaded controller either, which would leave the container's
	# cgroup "domain invalid", where no process may go.
	assert_output_contains "subtree [] type domain"
	grep -qx "left " <<<"$output" || fail "cgroups left in the delegated one"
	if limits_delegated; then
		assert_output_contains "populated: berth: "
		assert_output_contains "$OWN/$DELEG holds processes of its own"
		assert_output_contains "no controller (here memory pids)"
	else
		assert_output_contains "populated: berth: linux.resources.memory.limit: the memory controller is not available"
	fi
	assert_output_contains "none: berth: linux.resources.memory.limit: berth runs rootless and the container gets no cgroup to hold limits: its cgroup /sys/fs/cgroup$OWN/$DELEG-none is not delegated to it (not writable)"
	# The container stays in the caller's cgroup, and nothing is left.
	assert_output_contains "none-cgroup $OWN/$DELEG-none"
	assert_output_contains "none-left  state 0"
}
