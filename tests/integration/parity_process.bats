#!/usr/bin/env bats
# runc parity for the process: configs people already have (runc spec's
# own), the environment, exec.  Each test runs the same bundle under
# berth and, where runc is installed, under runc, and compares what the
# container saw.

load helpers

setup() { setup_bundle; }

# runc also makes the cgroup parent in the named systemd hierarchy,
# which berth's own checks do not cover: remove it (empty by then).
teardown() {
	local failed=0 mnt path
	cleanup_containers || failed=1
	mnt=$(awk '$(NF - 2) == "cgroup" && $NF ~ /name=systemd/ {print $5; exit}' /proc/self/mountinfo)
	path=$(awk -F: '$2 == "name=systemd" {print $3}' /proc/self/cgroup)
	if [ -n "$mnt" ] && [ -d "$mnt${path%/}/$CGROUP_PARENT" ]; then
		rmdir "$mnt${path%/}/$CGROUP_PARENT" || failed=1
	fi
	return "$failed"
}

RUNC=${RUNC:-$(command -v runc || true)}

# runc with a state root of this test's own.
# runc 1.1.5's exec, run from a chroot (chrooted in helpers.bash),
# neither finds a program for another user nor starts a session; the exec
# tests compare with it only outside one.

peer() {
	"$RUNC" --root "$BATS_TEST_TMPDIR/runc" "$@"
}

# Replace the bundle's config with the one `runc spec` writes, changed
# only where a test must: the cgroup below ours, a command that exits.
runc_spec_bundle() {
	[ -n "$RUNC" ] || skip "runc is not installed"
	rm "$BUNDLE/config.json"
	(cd "$BUNDLE" && "$RUNC" spec)
	update_config ".linux.cgroupsPath = \"$CGROUP_PARENT/ctr\" | .process.terminal = false | .process.args = $1"
}

@test "runc spec's bundle runs: ambient caps that cannot be raised are a warning" {
	runc_spec_bundle '["sh", "-c", "grep ^Cap /proc/self/status"]'
	run berth run --bundle "$BUNDLE" ctr
	assert_success
	assert_output_contains "warning: process.capabilities: cannot raise ambient capabilities: CAP_KILL CAP_NET_BIND_SERVICE CAP_AUDIT_WRITE"
	local ours
	ours=$(echo "$output" | grep ^Cap)
	assert_equal "$(echo "$ours" | grep ^CapAmb)" "CapAmb:	0000000000000000"
	assert_no_leftovers
	run peer run --bundle "$BUNDLE" runc-ctr
	assert_success
	assert_equal "$ours" "$(echo "$output" | grep ^Cap)"
}

@test "runc spec's bundle, unedited process: sh on a terminal reads its script" {
	runc_spec_bundle '["sh"]'
	update_config '.process.terminal = true'
	run bash -c "echo 'echo in-there; exit 3' | '$BERTH' --root '$ROOT' run --bundle '$BUNDLE' ctr"
	assert_equal "$status" 3
	assert_output_contains "in-there"
	assert_no_leftovers
}

@test "capabilities: a name unknown to berth and the kernel is a warning, the rest apply" {
	runc_spec_bundle '["sh", "-c", "grep ^Cap /proc/self/status"]'
	update_config '.process.capabilities |= with_entries(.value += ["CAP_NO_SUCH_THING"])
		| .process.capabilities.inheritable = .process.capabilities.permitted'
	run berth run --bundle "$BUNDLE" ctr
	assert_success
	assert_output_contains "warning: process.capabilities: ignoring unknown capabilities: CAP_NO_SUCH_THING"
	refute_output_contains "cannot raise ambient"
	local ours
	ours=$(echo "$output" | grep ^Cap)
	# CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE, all five sets.
	assert_equal "$(echo "$ours" | grep ^CapAmb)" "CapAmb:	0000000020000420"
	assert_no_leftovers
	run peer run --bundle "$BUNDLE" runc-ctr
	assert_success
	assert_equal "$ours" "$(echo "$output" | grep ^Cap)"
}

@test "memory.kernel and kernelTCP: a warning, every other memory field applies, as runc" {
	runc_spec_bundle '["sh", "-c", "cd /sys/fs/cgroup/memory 2>/dev/null || cd /sys/fs/cgroup; cat memory.limit_in_bytes memory.max memory.kmem.tcp.limit_in_bytes 2>/dev/null; true"]'
	update_config '.linux.resources.memory = {"limit": 67108864, "kernel": 16777216, "kernelTCP": 16777216}
		| .linux.namespaces += [{"type": "cgroup"}]
		| .mounts += [{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["ro", "nosuid", "nodev", "noexec"]}]'
	run berth run --bundle "$BUNDLE" ctr
	assert_success
	assert_output_contains "warning: linux.resources.memory: kernel memory settings (kernel, kernelTCP) are ignored"
	local ours
	ours=$(echo "$output" | grep -v warning)
	assert_equal "$(echo "$ours" | head -1)" 67108864
	refute_output_contains 16777216
	assert_no_leftovers
	run peer run --bundle "$BUNDLE" runc-ctr
	assert_success
	assert_equal "$ours" "$(echo "$output" | grep -v level=warning)"
}

# What berth spec adds to runc spec's config (README, "Differences from
# runc"): a cgroup namespace, a masked powercap, its seccomp profile; and
# no ambient set, which runc's default cannot raise.
spec_view() {
	jq -S '{terminal: .process.terminal, args: .process.args, env: .process.env,
		cwd: .process.cwd, rlimits: .process.rlimits,
		noNewPrivileges: .process.noNewPrivileges,
		caps: (.process.capabilities | del(.ambient) | map_values(sort)),
		mounts: .mounts, devices: .linux.resources.devices,
		masked: (.linux.maskedPaths - ["/sys/devices/virtual/powercap"]),
		readonly: .linux.readonlyPaths,
		namespaces: (.linux.namespaces - [{"type": "cgroup"}]),
		uidMappings: .linux.uidMappings, gidMappings: .linux.gidMappings}' "$1"
}

@test "berth spec writes runc spec's config, plus berth's additions" {
	[ -n "$RUNC" ] || skip "runc is not installed"
	local d=$BATS_TEST_TMPDIR/specs flag
	for flag in "" --rootless; do
		rm -rf "$d"
		mkdir -p "$d/runc" "$d/berth"
		(cd "$d/runc" && "$RUNC" spec $flag)
		"$BERTH" spec $flag --bundle "$d/berth"
		if [ -z "$flag" ]; then
			assert_equal "$(spec_view "$d/berth/config.json")" "$(spec_view "$d/runc/config.json")"
		else
			# runc mounts the host's cgroupfs; berth's rootless config
			# leaves it out (README).
			assert_equal "$(spec_view "$d/berth/config.json" | jq -S '.mounts |= map(select(.type != "cgroup"))')" \
				"$(spec_view "$d/runc/config.json" | jq -S '.mounts |= map(select(.type != "cgroup"))')"
		fi
		assert_equal "$(jq .process.terminal "$d/berth/config.json")" true
		assert_equal "$(jq -c .process.args "$d/berth/config.json")" '["sh"]'
		assert_equal "$(jq -r .linux.seccomp.defaultAction "$d/berth/config.json")" SCMP_ACT_ERRNO
		assert_equal "$(jq -c '.linux.namespaces | map(select(.type == "cgroup"))' "$d/berth/config.json")" '[{"type":"cgroup"}]'
	done
}

# A program that prints what execve gave it (the shell's own
# /proc/PID/environ), with NULs as "|" (bats' run drops NULs).
ENVIRON='["/bin/show-env"]'
add_show_env() {
	printf '#!/bin/sh\ntr "\\000" "|" </proc/$$/environ\n' >"$BUNDLE/rootfs/bin/show-env"
	chmod 755 "$BUNDLE/rootfs/bin/show-env"
}

@test "env: duplicates once with the last value, newlines intact, HOME from /etc/passwd, as runc" {
	runc_spec_bundle "$ENVIRON"
	add_show_env
	update_config '.process.env = ["A=1", "PATH=/bin", "B=2", "A=3", "NL=x\ny", "HOME="]
		| .process.capabilities.ambient = []'
	local uid want ours
	for uid in 0 1000 4242; do
		update_config ".process.user.uid = $uid"
		case $uid in
		0) want='A=3|PATH=/bin|B=2|NL=x
y|HOME=/root|' ;;
		1000) want='A=3|PATH=/bin|B=2|NL=x
y|HOME=/tmp|' ;;
		*) want='A=3|PATH=/bin|B=2|NL=x
y|HOME=/|' ;;
		esac
		run berth run --bundle "$BUNDLE" ctr
		assert_success
		ours=$output
		assert_equal "$ours" "$want"
		assert_no_leftovers
		run peer run --bundle "$BUNDLE" runc-ctr
		assert_success
		assert_equal "$output" "$ours"
		# runc leaves the cgroup parent: gone before the next round.
		remove_own_cgroups "$CGROUP_PARENT"
	done
	# No HOME at all: the same.
	update_config '.process.env = ["PATH=/bin"] | .process.user.uid = 1000'
	run berth run --bundle "$BUNDLE" ctr
	assert_success
	assert_equal "$output" "PATH=/bin|HOME=/tmp|"
}

@test "exec -u 1000 gets that user's HOME, as runc" {
	runc_spec_bundle '["sleep", "100"]'
	add_show_env
	update_config '.process.env = ["PATH=/bin", "HOME="] | .process.capabilities.ambient = []'
	run_detached run -d --bundle "$BUNDLE" ctr
	assert_success
	run berth exec -u 1000 ctr /bin/show-env
	assert_success
	assert_equal "$output" "PATH=/bin|HOME=/tmp|"
	run berth exec ctr /bin/show-env
	assert_equal "$output" "PATH=/bin|HOME=/root|"
	run berth exec -u 4242 ctr /bin/show-env
	assert_equal "$output" "PATH=/bin|HOME=/|"
	berth delete --force ctr
	assert_no_leftovers
	chrooted && return 0
	peer run -d --bundle "$BUNDLE" runc-ctr </dev/null >/dev/null 2>&1
	run peer exec -u 1000 runc-ctr /bin/show-env
	assert_success
	assert_equal "$output" "PATH=/bin|HOME=/tmp|"
	peer delete --force runc-ctr
}

# The process group and session of the shell, as pids the container can
# see (fields 5 and 6 of /proc/PID/stat; 0 when outside its pid ns).
SHOW_PGRP='set -- $(cat /proc/$$/stat); echo "pgrp=$5 sid=$6 me=$1"'

@test "exec: the process starts a session of its own, its pgrp visible, as runc" {
	runc_spec_bundle '["sleep", "100"]'
	update_config '.process.capabilities.ambient = []'
	run_detached run -d --bundle "$BUNDLE" ctr
	assert_success
	run berth exec ctr sh -c "$SHOW_PGRP"
	assert_success
	[[ "$output" =~ ^pgrp=([0-9]+)\ sid=([0-9]+)\ me=([0-9]+)$ ]] || fail "$output"
	assert_equal "${BASH_REMATCH[1]}" "${BASH_REMATCH[3]}"
	assert_equal "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}"
	# The init too.
	run berth exec ctr sh -c 'set -- $(cat /proc/1/stat); echo "$5 $6"'
	assert_equal "$output" "1 1"
	berth delete --force ctr
	assert_no_leftovers
	chrooted && return 0
	peer run -d --bundle "$BUNDLE" runc-ctr </dev/null >/dev/null 2>&1
	run peer exec runc-ctr sh -c "$SHOW_PGRP"
	assert_success
	[[ "$output" =~ ^pgrp=([0-9]+)\ sid=([0-9]+)\ me=([0-9]+)$ ]] || fail "$output"
	assert_equal "${BASH_REMATCH[1]}" "${BASH_REMATCH[3]}"
	run peer exec runc-ctr sh -c 'set -- $(cat /proc/1/stat); echo "$5 $6"'
	assert_equal "$output" "1 1"
	peer delete --force runc-ctr
}

@test "exec into a created container works; a paused one is refused without --ignore-paused, as runc" {
	runc_spec_bundle '["sleep", "100"]'
	update_config '.process.capabilities.ambient = []'
	run_detached create --bundle "$BUNDLE" ctr
	assert_success
	run berth exec ctr sh -c 'echo "in $(hostname), init: $(cat /proc/1/cmdline | tr "\0" " ")"'
	assert_success
	# Its init still waits for start: berth, not yet sleep.
	[[ "$output" == "in runc, init: $BERTH "* ]] || fail "$output"
	assert_equal "$(container_status ctr)" created
	run_detached start ctr
	assert_success
	wait_status ctr running
	berth pause ctr
	run berth exec ctr true
	assert_failure 1
	assert_output_contains "cannot exec in a paused container \"ctr\""
	# --ignore-paused: parity_cli.bats.
	berth resume ctr
	run berth exec ctr echo back
	assert_equal "$output" back
	berth delete --force ctr
	assert_no_leftovers
	peer create --bundle "$BUNDLE" runc-ctr </dev/null >/dev/null 2>&1
	run peer exec runc-ctr hostname
	assert_success
	assert_equal "$output" runc
	peer start runc-ctr
	peer pause runc-ctr
	run peer exec runc-ctr true
	assert_failure
	assert_output_contains "cannot exec in a paused container"
	peer resume runc-ctr
	peer delete --force runc-ctr
}

@test "a program execve cannot start: runc's words on stderr, the JSON log line kept" {
	runc_spec_bundle '["/run.sh"]'
	update_config '.process.capabilities.ambient = []'
	# Its interpreter is missing: execve itself says ENOENT.
	printf '#!/nonexistent\n' >"$BUNDLE/rootfs/run.sh"
	chmod 755 "$BUNDLE/rootfs/run.sh"
	run berth --log "$BATS_TEST_TMPDIR/log.json" --log-format json run --bundle "$BUNDLE" ctr
	assert_failure
	assert_output_contains "exec /run.sh: no such file or directory"
	assert_equal "$(jq -r 'select(.level == "error") | .msg' "$BATS_TEST_TMPDIR/log.json")" \
		"exec /run.sh: no such file or directory"
	assert_no_leftovers
	run peer run --bundle "$BUNDLE" runc-ctr
	assert_failure
	assert_output_contains "exec /run.sh: no such file or directory"
}

@test "a file only root may run runs for uid 1000 with CAP_DAC_OVERRIDE: execve decides, as runc" {
	runc_spec_bundle '["/only-root.sh"]'
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = (.process.capabilities + {"inheritable": []} | with_entries(.value = ["CAP_DAC_OVERRIDE"]))
		| .process.env += ["PATH=/bin"]'
	printf '#!/bin/sh\necho ran as $(id -u)\n' >"$BUNDLE/rootfs/only-root.sh"
	chmod 700 "$BUNDLE/rootfs/only-root.sh"
	run berth run --bundle "$BUNDLE" ctr
	assert_success
	assert_equal "$output" "ran as 1000"
	assert_no_leftovers
	run peer run --bundle "$BUNDLE" runc-ctr
	assert_success
	assert_equal "$output" "ran as 1000"
	# Without the capability the kernel refuses, in the same words.
	update_config '.process.capabilities = {}'
	run berth run --bundle "$BUNDLE" ctr
	assert_failure
	assert_output_contains "exec /only-root.sh: permission denied"
	run peer run --bundle "$BUNDLE" runc-ctr
	assert_failure
	assert_output_contains "permission denied"
}

@test "cwd: entered as root before the user is set, created when missing, as runc" {
	runc_spec_bundle '["sh", "-c", "pwd; id -u"]'
	update_config '.process.user = {"uid": 1000, "gid": 1000} | .process.cwd = "/secret/inside"
		| .process.capabilities.ambient = []'
	mkdir -p "$BUNDLE/rootfs/secret/inside"
	chmod 700 "$BUNDLE/rootfs/secret"
	run berth run --bundle "$BUNDLE" ctr
	assert_success
	assert_equal "$output" "/secret/inside
1000"
	assert_no_leftovers
	run peer run --bundle "$BUNDLE" runc-ctr
	assert_success
	assert_equal "$output" "/secret/inside
1000"
	remove_own_cgroups "$CGROUP_PARENT"
	update_config '.process.cwd = "/made/by/runtime"'
	run berth run --bundle "$BUNDLE" ctr
	assert_success
	assert_equal "${lines[0]}" /made/by/runtime
	assert_equal "$(stat -c '%a %u' "$BUNDLE/rootfs/made/by/runtime")" "755 0"
	rm -r "$BUNDLE/rootfs/made"
	run peer run --bundle "$BUNDLE" runc-ctr
	assert_success
	assert_equal "${lines[0]}" /made/by/runtime
	assert_equal "$(stat -c '%a %u' "$BUNDLE/rootfs/made/by/runtime")" "755 0"
	remove_own_cgroups "$CGROUP_PARENT"
	# A cwd that cannot be made: the error names it.
	update_config '.process.cwd = "/etc/passwd/sub"'
	run berth run --bundle "$BUNDLE" ctr
	assert_failure
	assert_output_contains '"/etc/passwd/sub"'
	assert_no_leftovers
}

@test "terminal: run's foreground output keeps \\n (ONLCR cleared), the pty belongs to the user, as runc" {
	runc_spec_bundle '["sh", "-c", "stat -c \"%u %g\" $(readlink /proc/self/fd/0); printf \"a\\nb\\n\""]'
	update_config '.process.terminal = true | .process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities.ambient = []'
	# runc itself needs a controlling terminal here (it opens /dev/tty),
	# which a test has not: this one checks berth against runc's
	# documented result.
	local ours
	ours=$(berth run --bundle "$BUNDLE" ctr </dev/null | od -An -c | tr -s ' ' | tr -d '\n')
	assert_no_leftovers
	assert_equal "$ours" " 1 0 0 0 1 0 0 0 \n a \n b \n"
}


# The names of the session keyrings /proc/keys shows, one per line.
session_keyrings() {
	awk '$8 == "keyring" && $9 ~ /^_ses/ { sub(/:$/, "", $9); print $9 }' | sort -u
}

@test "keyring: a container's processes join a session keyring named after the container, as runc" {
	update_config '.linux.maskedPaths -= ["/proc/keys"] | .process.args = ["sleep", "1000"]'
	run_detached run -d --bundle "$BUNDLE" long
	assert_success
	run berth exec long cat /proc/keys
	assert_success
	# Other containers of the host may show theirs (the same uid).
	echo "$output" | session_keyrings | grep -qx _ses.long || fail "no _ses.long in: $output"
	update_config ".linux.cgroupsPath = \"$CGROUP_PARENT/other\" | .process.args = [\"cat\", \"/proc/keys\"]"
	run berth run --bundle "$BUNDLE" other
	assert_success
	# The other container's keyrings are in view (the same uid), as with
	# runc; its own is there, and none has a name shared by all.
	echo "$output" | session_keyrings | grep -qx _ses.other || fail "no _ses.other in: $output"
	refute_output_contains "_ses.berth"
	berth delete --force long
	assert_no_leftovers
	[ -n "$RUNC" ] || return 0
	update_config ".linux.cgroupsPath = \"$CGROUP_PARENT/ctr\""
	run peer run --bundle "$BUNDLE" runc-ctr
	assert_success
	echo "$output" | session_keyrings | grep -qx _ses.runc-ctr || fail "runc: $output"
}

# The session keyring's serial as a process sees it: keyctl's
# GET_KEYRING_ID through sysprobe prints "ok SERIAL".
SESSION_KEYRING='/sysprobe keyctl 0 -3'

# A bundle whose init tells its session keyring's serial through a fifo
# in the root (its open waits for an exec to read it: nothing waits on a
# clock), then sleeps.  keyctl needs a config without berth's seccomp
# profile.
keyring_bundle() {
	cp "$HELPERS/sysprobe" "$BUNDLE/rootfs/sysprobe"
	mkfifo "$BUNDLE/rootfs/init-keyring"
	update_config "del(.linux.seccomp)
		| .process.args = [\"sh\", \"-c\", \"$SESSION_KEYRING >/init-keyring; exec sleep 1000\"]"
}

# The serials of the session keyrings of container $2's init, of a
# process exec'd as root and of one exec'd as uid 1000, one a line, under
# $1 (berth or peer).
keyrings_of() {
	"$1" exec "$2" cat /init-keyring &&
		"$1" exec "$2" $SESSION_KEYRING &&
		"$1" exec --user 1000:1000 "$2" $SESSION_KEYRING
}

# Check keyrings_of's output: three times the same serial, not the caller's.
assert_one_keyring_of_its_own() {
	[[ "${lines[0]}" =~ ^ok\ [0-9]+$ ]] || fail "no serial: $output"
	assert_equal "${#lines[@]}" 3
	assert_equal "$(printf '%s\n' "${lines[@]}" | sort -u)" "${lines[0]}"
	[ "${lines[0]}" != "$("$HELPERS/sysprobe" keyctl 0 -3)" ] || fail "the caller's keyring: $output"
}

# The keyring bundle run by berth: its init and exec'd processes share
# one keyring of the container's own; nothing is left after its delete.
keyrings_by_berth() {
	run_detached run -d --bundle "$BUNDLE" long
	assert_success
	run keyrings_of berth long
	assert_success
	assert_one_keyring_of_its_own
	berth delete --force long
	assert_no_leftovers long
}

# The same bundle run by runc: keyrings_of's output and status in
# $output and $status, for the caller to check.
keyrings_by_runc() {
	peer run -d --bundle "$BUNDLE" runc-ctr </dev/null >/dev/null 2>&1
	run keyrings_of peer runc-ctr
	peer delete --force runc-ctr
}

@test "keyring: an exec'd process joins the init's session keyring, as runc's" {
	keyring_bundle
	keyrings_by_berth
	{ [ -n "$RUNC" ] && ! chrooted; } || return 0
	keyrings_by_runc
	assert_success
	assert_one_keyring_of_its_own
}

@test "keyring: in a user namespace an exec'd process joins the init's session keyring (runc 1.1's does not)" {
	require_userns
	keyring_bundle
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	chown -R 100000:100000 "$BUNDLE/rootfs"
	make_bundle_reachable
	keyrings_by_berth
	{ [ -n "$RUNC" ] && ! chrooted; } || return 0
	keyrings_by_runc
	assert_success
	# runc's init lets only "others" search its keyring, and its exec'd
	# process joins as the namespace's root, the keyring's owner, for
	# whom the kernel reads the owner's bits: it gets a keyring of its own.
	[[ "${lines[1]}" =~ ^ok\ [0-9]+$ ]] || fail "no serial: $output"
	[ "${lines[1]}" != "${lines[0]}" ] || fail "runc now shares its keyring in a user namespace: $output"
}

@test "keyring: with --no-new-keyring the init and an exec'd process keep the caller's, as runc's" {
	keyring_bundle
	local caller
	caller=$("$HELPERS/sysprobe" keyctl 0 -3)
	run_detached run -d --no-new-keyring --bundle "$BUNDLE" long
	assert_success
	# As root: a uid of its own would see its own user's keyring.
	run sh -c "\"$BERTH\" --root \"$ROOT\" exec long cat /init-keyring &&
		\"$BERTH\" --root \"$ROOT\" exec long $SESSION_KEYRING"
	assert_success
	assert_equal "$output" "$caller
$caller"
	berth delete --force long
	assert_no_leftovers long
	{ [ -n "$RUNC" ] && ! chrooted; } || return 0
	peer run -d --no-new-keyring --bundle "$BUNDLE" runc-ctr </dev/null >/dev/null 2>&1
	run sh -c "\"$RUNC\" --root \"$BATS_TEST_TMPDIR/runc\" exec runc-ctr cat /init-keyring &&
		\"$RUNC\" --root \"$BATS_TEST_TMPDIR/runc\" exec runc-ctr $SESSION_KEYRING"
	peer delete --force runc-ctr
	assert_success
	assert_equal "$output" "$caller
$caller"
}
