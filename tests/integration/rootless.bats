#!/usr/bin/env bats
# berth run by an unprivileged user (README.md, "Rootless"): every test
# runs berth as the test user (rootless_helpers.bash), with the config
# `berth spec --rootless` writes, and checks what the container and the
# host see.  Where runc is installed, the same bundle runs under runc as
# the same user and the two are compared.

load rootless_helpers

setup() { setup_rootless; }
teardown() { teardown_rootless; }

RUNC=${RUNC:-$(command -v runc || true)}

# The bundle's command: a shell script.
set_script() {
	update_config ".process.args = [\"sh\", \"-c\", $(jq -Rn --arg s "$1" '$s')]"
}

# A bind mount of the host directory USER_DIR/host (the user's) at /host.
bind_host_dir() {
	update_config ".mounts += [{\"destination\": \"/host\", \"type\": \"bind\",
		\"source\": \"$USER_DIR/host\", \"options\": [\"rbind\", \"rw\"]}]"
}

# Both of the user's subordinate ranges mapped from id 1 on.
map_second_range() {
	local us uc gs gc
	read -r us uc < <(subid_range /etc/subuid)
	read -r gs gc < <(subid_range /etc/subgid)
	SUBUID_START=$us SUBGID_START=$gs
	update_config ".linux.uidMappings += [{\"containerID\": 1, \"hostID\": $us, \"size\": $uc}]
		| .linux.gidMappings += [{\"containerID\": 1, \"hostID\": $gs, \"size\": $gc}]"
}

# runc, as the test user, on the same bundle (runc wants an absolute
# rootfs); output and status as `run` leaves them.
run_runc_as_user() {
	local peer=$USER_DIR/runc-bundle
	mkdir -p "$peer"
	jq ".root.path = \"$BUNDLE/rootfs\"" "$BUNDLE/config.json" >"$peer/config.json"
	chown -R "$RUID:$RGID" "$peer"
	run as_user "$RUNC" --root "$USER_DIR/runc-root" run --bundle "$peer" "$1"
}

@test "rootless: root inside, the user's own id mapped (uid_map, gid_map), setgroups denied" {
	set_script 'cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; id -u; id -g'
	run uberth run ctr
	assert_success
	[ "$(echo "$output" | sed -n 1p | xargs)" = "0 $RUID 1" ] || fail "uid_map: $output"
	[ "$(echo "$output" | sed -n 2p | xargs)" = "0 $RGID 1" ] || fail "gid_map: $output"
	assert_equal "$(echo "$output" | sed -n 3,5p | xargs)" "deny 0 0"
	# The compiled seccomp program is cached in the user's own cache
	# (HOME is USER_DIR), not the host's, which is root's.
	[ -n "$(find "$USER_DIR/.cache/berth/seccomp" -type f -user "$RUID")" ] ||
		fail "no seccomp program cached in ~/.cache/berth/seccomp"
	if [ -n "$RUNC" ]; then
		local ours=$output
		run_runc_as_user peer
		assert_success
		assert_equal "$output" "$ours"
	fi
}

@test "rootless: a file made inside a bound host directory belongs to the user on the host" {
	bind_host_dir
	set_script 'touch /host/made-inside && stat -c "%u %g" /host/made-inside'
	run uberth run ctr
	assert_success
	assert_equal "$output" "0 0"
	assert_equal "$(stat -c '%u %g' "$USER_DIR/host/made-inside")" "$RUID $RGID"
	# The container's root may not touch what the user may not: a root
	# owned host file bound in stays unwritable.
	rm -f "$USER_DIR/host/made-inside"
	touch "$USER_DIR/host/roots"
	chown 0:0 "$USER_DIR/host/roots"
	chmod 0644 "$USER_DIR/host/roots"
	set_script 'ls -ln /host/roots; echo x >/host/roots'
	run uberth run ctr
	assert_failure
	assert_output_contains "65534"
	assert_output_contains "Permission denied"
	assert_equal "$(stat -c '%s' "$USER_DIR/host/roots")" 0
}

@test "rootless: the container's processes run as the user on the host, not as root" {
	update_config '.process.args = ["sleep", "100"]'
	run_uberth_detached run -d ctr
	assert_success
	pid=$(uberth state ctr | jq -r .pid)
	[ "$pid" -gt 0 ] || fail "no pid"
	assert_equal "$(awk '/^Uid:/ {print $2, $3}' "/proc/$pid/status")" "$RUID $RUID"
	assert_equal "$(awk '/^Gid:/ {print $2, $3}' "/proc/$pid/status")" "$RGID $RGID"
	# In a user namespace of the user's own (its owner).
	[ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ] ||
		fail "the container shares the host's user namespace"
	run uberth delete --force ctr
	assert_success
	[ ! -e "/proc/$pid" ] || [ "$(awk '/^State:/ {print $2}' "/proc/$pid/status")" = Z ] ||
		fail "the init $pid still runs after delete"
}

@test "rootless: a second range of the user's subordinate ids, written through newuidmap/newgidmap" {
	map_second_range
	bind_host_dir
	# uid 1000 inside is none of the user's own: it may write there
	# only as anyone may.
	chmod 0777 "$USER_DIR/host"
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_script 'cat /proc/self/uid_map /proc/self/gid_map; id -u; touch /host/by-1000'
	run uberth run ctr
	assert_success
	[ "$(echo "$output" | sed -n 1p | xargs)" = "0 $RUID 1" ] || fail "uid_map: $output"
	[ "$(echo "$output" | sed -n 2p | xargs)" = "1 $SUBUID_START 65536" ] || fail "uid_map: $output"
	[ "$(echo "$output" | sed -n 4p | xargs)" = "1 $SUBGID_START 65536" ] || fail "gid_map: $output"
	assert_equal "$(echo "$output" | sed -n 5p)" 1000
	assert_equal "$(stat -c '%u %g' "$USER_DIR/host/by-1000")" \
		"$((SUBUID_START + 999)) $((SUBGID_START + 999))"
	if [ -n "$RUNC" ]; then
		local ours
		ours=$(echo "$output" | sed -n 1,5p)
		rm -f "$USER_DIR/host/by-1000"
		run_runc_as_user peer
		assert_success
		assert_equal "$(echo "$output" | sed -n 1,5p)" "$ours"
	fi
}

@test "rootless: ids the user was not given are refused (newuidmap), nothing left behind" {
	update_config '.linux.uidMappings += [{"containerID": 1, "hostID": 0, "size": 1}]'
	run uberth run ctr
	assert_failure
	assert_output_contains "newuidmap"
	refute_output_contains "uid_map: Operation not permitted"
	assert_equal "$(ls -A "$ROOT" 2>/dev/null)" ""
	wait_for no_user_processes
}

@test "rootless: create, start, state, list, ps, exec, kill, delete" {
	update_config '.process.args = ["sleep", "100"]'
	run_uberth_detached create ctr
	assert_success
	assert_equal "$(uberth state ctr | jq -r .status)" created
	run uberth start ctr
	assert_success
	assert_equal "$(uberth state ctr | jq -r .status)" running
	run uberth list -q
	assert_equal "$output" ctr
	pid=$(uberth state ctr | jq -r .pid)
	# exec joins the container: root inside, its own user namespace.
	run uberth exec ctr sh -c 'id -u; cat /proc/self/uid_map; readlink /proc/self/ns/user'
	assert_success
	assert_equal "$(echo "$output" | sed -n 1p)" 0
	[ "$(echo "$output" | sed -n 2p | xargs)" = "0 $RUID 1" ] || fail "uid_map: $output"
	assert_equal "$(echo "$output" | sed -n 3p)" "$(readlink "/proc/$pid/ns/user")"
	# ps without a cgroup: the processes of the container's pid namespace.
	run_uberth_detached exec -d ctr sleep 99
	assert_success
	run uberth ps ctr -o pid,args
	assert_success
	assert_output_contains "sleep 100"
	assert_output_contains "sleep 99"
	run uberth ps --format json ctr
	assert_success
	assert_equal "$(echo "$output" | jq length)" 2
	assert_equal "$(echo "$output" | jq ".[0]")" "$pid"
	run uberth kill --all ctr KILL
	assert_success
	WAIT_FOR_SECONDS=10 wait_for sh -c "[ \"\$($USER_DIR/bin/berth --root $ROOT state ctr | jq -r .status)\" = stopped ]"
	run uberth ps --format json ctr
	assert_equal "$output" "[]"
	run uberth delete ctr
	assert_success
	assert_equal "$(ls -A "$ROOT")" ""
	run uberth state ctr
	assert_failure
	assert_output_contains "does not exist"
}

@test "rootless: without a delegated cgroup, a limit is refused with the reason and nothing is left" {
	update_config '.linux.resources = {"pids": {"limit": 10}}'
	run uberth run ctr
	assert_failure
	assert_output_contains "linux.resources.pids.limit"
	assert_output_contains "no cgroup"
	assert_equal "$(ls -A "$ROOT" 2>/dev/null)" ""
	# runc, rootless on this host, refuses the limit too, in its words
	# ("cannot set pids limit: container could not join or create
	# cgroup"), and keeps no container.
	if [ -n "$RUNC" ]; then
		run_runc_as_user peer
		assert_failure
		assert_output_contains "pids"
		run as_user "$RUNC" --root "$USER_DIR/runc-root" list -q
		assert_equal "$output" ""
	fi
	# Device rules too: nothing would enforce them.
	update_config '.linux.resources = {"devices": [{"allow": false, "access": "rwm"}]}'
	run uberth run ctr
	assert_failure
	assert_output_contains "linux.resources.devices"
	assert_equal "$(ls -A "$ROOT" 2>/dev/null)" ""
}

@test "rootless: without a delegated cgroup, pause, update and events say why they cannot" {
	update_config '.process.args = ["sleep", "100"]'
	run_uberth_detached run -d ctr
	assert_success
	run uberth pause ctr
	assert_failure
	assert_output_contains "no cgroup of its own"
	assert_equal "$(uberth state ctr | jq -r .status)" running
	run uberth update --pids-limit 5 ctr
	assert_failure
	assert_output_contains "no cgroup of its own"
	run uberth events --stats ctr
	assert_failure
	assert_output_contains "no cgroup of its own"
	run uberth delete --force ctr
	assert_success
}

@test "rootless: --root defaults to \$XDG_RUNTIME_DIR/berth, else to a 0700 /tmp/berth-UID of the user's own" {
	update_config '.process.args = ["sleep", "100"]'
	as_user "$UBERTH" run -d --bundle "$BUNDLE" xdg-ctr >/dev/null 2>&1 </dev/null
	[ -d "$USER_DIR/xdg/berth/xdg-ctr" ] || fail "no state under XDG_RUNTIME_DIR/berth"
	run as_user "$UBERTH" delete --force xdg-ctr
	assert_success
	[ ! -e "$USER_DIR/xdg/berth/xdg-ctr" ] || fail "state left behind"
	# Without XDG_RUNTIME_DIR: /tmp/berth-UID.
	id=rootless-tmp-$$
	runuser -u "$ROOTLESS_USER" -- env -i PATH=/usr/bin:/bin "$UBERTH" run -d \
		--bundle "$BUNDLE" "$id" >/dev/null 2>&1 </dev/null
	[ -d "/tmp/berth-$RUID/$id" ] || fail "no state under /tmp/berth-$RUID"
	assert_equal "$(stat -c '%u %a' "/tmp/berth-$RUID")" "$RUID 700"
	run runuser -u "$ROOTLESS_USER" -- env -i PATH=/usr/bin:/bin "$UBERTH" delete --force "$id"
	assert_success
	[ ! -e "/tmp/berth-$RUID/$id" ] || fail "state left behind"
}

@test "rootless: a /tmp/berth-UID that someone else made is refused, not used" {
	local d=/tmp/berth-$RUID saved=""
	# Only this user's tests use that directory; it is put back after.
	if [ -e "$d" ]; then
		saved=$d.saved-$$
		mv "$d" "$saved"
	fi
	mkdir -m 0777 "$d"
	run runuser -u "$ROOTLESS_USER" -- env -i PATH=/usr/bin:/bin "$UBERTH" run \
		--bundle "$BUNDLE" ctr
	rmdir "$d"
	[ -z "$saved" ] || mv "$saved" "$d"
	assert_failure
	assert_output_contains "$d: not a directory of uid $RUID's own with mode 0700"
}

@test "rootless: berth spec --rootless runs as written: user namespace, no network namespace, /sys bound read-only, devices bound" {
	cfg=$BUNDLE/config.json
	assert_equal "$(jq -c '.linux.uidMappings' "$cfg")" "[{\"containerID\":0,\"hostID\":$RUID,\"size\":1}]"
	assert_equal "$(jq -c '.linux.gidMappings' "$cfg")" "[{\"containerID\":0,\"hostID\":$RGID,\"size\":1}]"
	assert_equal "$(jq -r '[.linux.namespaces[].type] | sort | join(" ")' "$cfg")" \
		"cgroup ipc mount pid user uts"
	assert_equal "$(jq -c '.linux.resources' "$cfg")" null
	assert_equal "$(jq -c '.linux.devices' "$cfg")" null
	set_script 'awk "\$5 == \"/sys\" {print \$6}" /proc/self/mountinfo | cut -d, -f1
		stat -c "%F" /dev/null; echo x >/dev/null && echo null-ok
		readlink /proc/self/ns/net'
	run uberth run ctr
	assert_success
	assert_equal "$(echo "$output" | sed -n 1p)" ro
	assert_equal "$(echo "$output" | sed -n 2p)" "character special file"
	assert_equal "$(echo "$output" | sed -n 3p)" null-ok
	# No network namespace of its own: the host's.
	assert_equal "$(echo "$output" | sed -n 4p)" "$(readlink /proc/self/ns/net)"
}

# Delegation as systemd's Delegate= gives it, on this host too: in a mount
# namespace of the test's own, cgroup2 is mounted at /sys/fs/cgroup (the
# host's mounts stay as they are), and a cgroup below the test's own in
# the v2 tree is handed to the user (its directory, cgroup.procs,
# cgroup.subtree_control, cgroup.threads), with the user's shell in it.
