#!/usr/bin/env bats
# create / start / run / state / list / kill / delete, as clients drive them.

load helpers

setup() { setup_bundle; }
teardown() { cleanup_containers; }

@test "run: the container's exit status is berth's" {
	update_config '.process.args = ["sh", "-c", "exit 7"]'
	run_container
	assert_failure 7
	assert_no_leftovers
}

@test "run: killed by a signal gives 128+N" {
	update_config '.process.args = ["sleep", "100"]'
	"$BERTH" --root "$ROOT" run --bundle "$BUNDLE" ctr &
	local pid=$!
	wait_status ctr running
	berth kill ctr KILL
	local rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 137
	assert_no_leftovers
}

@test "run: output reaches the caller, the process is pid 1" {
	update_config '.process.args = ["sh", "-c", "echo pid=$$"]'
	run_container
	assert_success
	assert_equal "$output" "pid=1"
}

@test "run: signals are forwarded to the container" {
	update_config '.process.args = ["sh", "-c", "trap \"echo got-term; exit 3\" TERM; echo ready; while :; do sleep 0.05; done"]'
	# berth itself in the background, not a shell function around it.
	"$BERTH" --root "$ROOT" run --bundle "$BUNDLE" ctr >"$BATS_TEST_TMPDIR/out" &
	local pid=$!
	wait_for grep -q ready "$BATS_TEST_TMPDIR/out"
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 3
	grep -q got-term "$BATS_TEST_TMPDIR/out"
	assert_no_leftovers
}

@test "run --detach returns while the container runs" {
	update_config '.process.args = ["sleep", "100"]'
	run_detached run --detach --bundle "$BUNDLE" ctr
	assert_success
	assert_equal "$(container_status ctr)" running
	berth delete --force ctr
	assert_no_leftovers
}

@test "create then start: created, running, stopped" {
	update_config '.process.args = ["sh", "-c", "read x < /dev/zero"]'
	update_config '.process.args = ["sleep", "100"]'
	run_detached create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" ctr
	assert_success
	assert_equal "$(container_status ctr)" created
	# The init exists and waits: it is already in its own pid namespace.
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	[ "$(readlink /proc/$pid/ns/pid)" != "$(readlink /proc/self/ns/pid)" ]
	run berth start ctr
	assert_success
	assert_equal "$(container_status ctr)" running
	berth kill ctr KILL
	wait_status ctr stopped
	run berth delete ctr
	assert_success
	assert_no_leftovers
}

@test "create: the user program does not run before start" {
	update_config '.process.args = ["sh", "-c", "echo started > /tmp/marker; sleep 100"]
		| .root.readonly = false'
	berth create --bundle "$BUNDLE" ctr
	sleep 0.3
	[ ! -e "$BUNDLE/rootfs/tmp/marker" ]
	berth start ctr
	wait_for [ -e "$BUNDLE/rootfs/tmp/marker" ]
	berth delete --force ctr
	rm -f "$BUNDLE/rootfs/tmp/marker"
}

@test "pid file: digits only, no newline, the init's host pid" {
	update_config '.process.args = ["sleep", "100"]'
	berth create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" ctr
	run cat "$BATS_TEST_TMPDIR/pid"
	[[ "$output" =~ ^[0-9]+$ ]]
	assert_equal "$(stat -c %s "$BATS_TEST_TMPDIR/pid")" "${#output}"
	assert_equal "$(berth state ctr | jq .pid)" "$output"
	# NSpid: the host pid is pid 1 inside.
	grep -E "^NSpid:\s+$output\s+1$" /proc/$output/status
}

@test "state: the OCI document, with runc's rootfs, created and owner" {
	update_config '.process.args = ["sleep", "100"] | .annotations = {"org.example.key": "value"}'
	berth create --bundle "$BUNDLE" ctr
	run berth state ctr
	assert_success
	assert_equal "$(echo "$output" | jq -r .ociVersion)" 1.2.0
	assert_equal "$(echo "$output" | jq -r .id)" ctr
	assert_equal "$(echo "$output" | jq -r .status)" created
	assert_equal "$(echo "$output" | jq -r .bundle)" "$BUNDLE"
	assert_equal "$(echo "$output" | jq -r '.annotations["org.example.key"]')" value
	[ "$(echo "$output" | jq .pid)" -gt 0 ]
	# runc's extra fields, which containerd and podman parse.
	assert_equal "$(echo "$output" | jq -r .rootfs)" "$BUNDLE/rootfs"
	echo "$output" | jq -e '.owner | type == "string"'
	[[ "$(echo "$output" | jq -r .created)" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$ ]]
}

@test "list: table, json and quiet" {
	update_config '.process.args = ["sleep", "100"]'
	berth create --bundle "$BUNDLE" one
	update_config '.linux.cgroupsPath = "'"$CGROUP_PARENT"'/two"'
	berth create --bundle "$BUNDLE" two
	run berth list -q
	assert_equal "$output" "$(printf 'one\ntwo')"
	run berth list --format json
	assert_equal "$(echo "$output" | jq -r '.[].id' | tr '\n' ' ')" "one two "
	assert_equal "$(echo "$output" | jq -r '.[0].status')" created
	run berth list
	assert_output_contains "ID"
	assert_output_contains "created"
}

@test "kill: names with and without SIG, and numbers" {
	update_config '.process.args = ["sh", "-c", "trap \"echo usr1 >> /tmp/log\" USR1; trap \"echo hup >> /tmp/log\" HUP; while :; do sleep 0.05; done"]
		| .root.readonly = false'
	berth run -d --bundle "$BUNDLE" ctr
	sleep 0.2
	berth kill ctr SIGUSR1
	wait_for grep -q usr1 "$BUNDLE/rootfs/tmp/log"
	berth kill ctr HUP
	wait_for grep -q hup "$BUNDLE/rootfs/tmp/log"
	berth kill ctr 9
	wait_status ctr stopped
	rm -f "$BUNDLE/rootfs/tmp/log"
}

@test "kill: an unknown signal is refused" {
	update_config '.process.args = ["sleep", "100"]'
	berth run -d --bundle "$BUNDLE" ctr
	run berth kill ctr SIGNOPE
	assert_failure 1
	assert_output_contains 'unknown signal "SIGNOPE"'
	assert_equal "$(container_status ctr)" running
}

@test "kill: a stopped container is an error" {
	update_config '.process.args = ["true"]'
	berth run -d --bundle "$BUNDLE" ctr
	wait_status ctr stopped
	run berth kill ctr 15
	assert_failure 1
	# The phrase containerd's shim reads as "already exited".
	assert_output_contains "container not running"
}

@test "kill --all: reaches what is left in the cgroup after the init exited" {
	# No pid namespace of its own (as in a pod sharing one): the init's
	# child outlives it.
	update_config '.root.readonly = false
		| .linux.namespaces |= map(select(.type != "pid"))
		| .process.args = ["sh", "-c", "sleep 1000 & echo $! >/tmp/child"]'
	berth run -d --bundle "$BUNDLE" ctr
	wait_status ctr stopped
	wait_for test -s "$BUNDLE/rootfs/tmp/child"
	local child
	child=$(cat "$BUNDLE/rootfs/tmp/child")
	kill -0 "$child"
	grep -q "sleep" /proc/$child/cmdline
	run berth kill ctr 9
	assert_failure 1
	kill -0 "$child"
	run berth kill --all ctr 9
	assert_success
	wait_for sh -c "! kill -0 $child 2>/dev/null || grep -q '^State:.*Z' /proc/$child/status"
	berth delete ctr
	assert_no_leftovers
}

@test "delete: a running container needs --force" {
	update_config '.process.args = ["sleep", "100"]'
	berth run -d --bundle "$BUNDLE" ctr
	run berth delete ctr
	assert_failure 1
	assert_output_contains "is running"
	assert_equal "$(container_status ctr)" running
	run berth delete --force ctr
	assert_success
	assert_no_leftovers
}

@test "delete: a created container is removed with its waiting init" {
	update_config '.process.args = ["sleep", "100"]'
	berth create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" ctr
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	run berth delete ctr
	assert_success
	wait_for [ ! -e /proc/$pid ] || grep -q '^State:.*Z' /proc/$pid/status
	assert_no_leftovers
}

@test "delete --force of a missing container exits 0, without --force 1" {
	run berth delete --force nothere
	assert_success
	run berth delete nothere
	assert_failure 1
	assert_output_contains 'container "nothere" does not exist'
}

@test "start: refused on a running container" {
	update_config '.process.args = ["sleep", "100"]'
	berth run -d --bundle "$BUNDLE" ctr
	run berth start ctr
	assert_failure 1
	assert_output_contains "not created"
}

@test "create: a duplicate id is refused and the first container is untouched" {
	update_config '.process.args = ["sleep", "100"]'
	berth create --bundle "$BUNDLE" ctr
	run_detached create --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains 'container "ctr" already exists'
	assert_equal "$(container_status ctr)" created
}

@test "create: invalid ids are refused and leave nothing" {
	for id in "" "." ".." "a/b" "../x" "with space" "$(printf 'x%.0s' {1..1025})"; do
		run_detached create --bundle "$BUNDLE" "$id"
		assert_failure 1
		[[ "$output" == *"container id"* ]]
	done
	assert_equal "$(ls -A "$ROOT")" ""
}

@test "concurrent commands on one container serialize" {
	update_config '.process.args = ["sleep", "100"]'
	berth create --bundle "$BUNDLE" ctr
	# Two starts race: exactly one wins.
	local pids=() ok=0 rc job
	berth start ctr &
	pids+=($!)
	berth start ctr &
	pids+=($!)
	for job in "${pids[@]}"; do
		rc=0
		wait "$job" || rc=$?
		if [ "$rc" -eq 0 ]; then
			ok=$((ok + 1))
		fi
	done
	assert_equal "$ok" 1
	assert_equal "$(container_status ctr)" running
}

@test "--version in runc's format" {
	run "$BERTH" --version
	assert_success
	[[ "${lines[0]}" =~ ^berth\ version\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	[[ "${lines[1]}" =~ ^commit:\  ]]
	assert_equal "${lines[2]}" "spec: 1.2.0"
}

@test "--flag=value and --flag value are the same" {
	update_config '.process.args = ["sh", "-c", "exit 4"]'
	run "$BERTH" --root="$ROOT" run --bundle="$BUNDLE" ctr
	assert_failure 4
	run "$BERTH" --root "$ROOT" run -b "$BUNDLE" ctr
	assert_failure 4
}

@test "--log-format json writes one error line containerd and podman can read" {
	run "$BERTH" --root "$ROOT" --log "$BATS_TEST_TMPDIR/log.json" --log-format json delete nothere
	assert_failure 1
	assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/log.json")" 1
	assert_equal "$(jq -r .level "$BATS_TEST_TMPDIR/log.json")" error
	assert_equal "$(jq -r .msg "$BATS_TEST_TMPDIR/log.json")" 'container "nothere" does not exist'
	jq -re .time "$BATS_TEST_TMPDIR/log.json"
}

@test "--help on every subcommand" {
	for cmd in create start run kill delete state list ps spec features; do
		run "$BERTH" "$cmd" --help
		assert_success
		assert_output_contains "Usage: berth $cmd"
	done
}

@test "the container has a cgroup of its own, made before it runs and removed on delete" {
	update_config '.process.args = ["sleep", "100"]'
	run_detached create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" ctr
	assert_success
	local dir pid
	dir=$(cgroup_dir ctr)
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	# already in it while waiting for start
	assert_equal "$(cat "$dir/cgroup.procs")" "$pid"
	grep -q "^0::$(own_unified_cgroup)/$CGROUP_PARENT/ctr$" "/proc/$pid/cgroup"
	berth start ctr
	berth delete --force ctr
	[ ! -e "$dir" ]
	assert_no_leftovers
}

@test "a create killed half-way leaves a state that delete cleans up" {
	# The prestart hook holds create at a point where the cgroup and the
	# container process exist; then create is killed.
	cat >"$BATS_TEST_TMPDIR/hook" <<-HOOK
	#!/bin/sh
	touch "$BATS_TEST_TMPDIR/in-hook"
	sleep 100
	HOOK
	chmod +x "$BATS_TEST_TMPDIR/hook"
	update_config ".hooks.prestart = [{\"path\": \"$BATS_TEST_TMPDIR/hook\"}]"
	"$BERTH" --root "$ROOT" create --bundle "$BUNDLE" ctr >/dev/null 2>&1 </dev/null &
	local pid=$!
	wait_for [ -e "$BATS_TEST_TMPDIR/in-hook" ]
	[ -d "$(cgroup_dir ctr)" ]
	kill -9 "$pid"
	wait "$pid" || true
	pkill -f "$BATS_TEST_TMPDIR/hook" || true
	assert_equal "$(container_status ctr)" creating
	run berth delete ctr
	assert_success
	assert_no_leftovers
	# the container process noticed its parent was gone and exited
	wait_for [ -z "$(pgrep -f "$BUNDLE" || true)" ]
}

@test "features: tells the truth about versions, cgroups, seccomp and systemd" {
	run "$BERTH" features
	assert_success
	assert_equal "$(echo "$output" | jq -r .ociVersionMax)" 1.2.0
	# Its version is berth's, under berth's own key: not a runc version.
	assert_equal "$(echo "$output" | jq -r '.annotations["berth.version"]')" \
		"$("$BERTH" --version | sed -n '1s/^berth version //p')"
	assert_equal "$(echo "$output" | jq -r '.annotations | keys[] | select(startswith("org.opencontainers.runc"))')" ""
	# The systemd driver is not there: --systemd-cgroup is refused.
	assert_equal "$(echo "$output" | jq -r .linux.cgroup.systemd)" false
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || [ -d /sys/fs/cgroup/unified ]; then
		assert_equal "$(echo "$output" | jq -r .linux.cgroup.v2)" true
	fi
	assert_equal "$(echo "$output" | jq -r .linux.seccomp.enabled)" true
	echo "$output" | jq -e '.linux.seccomp.actions | index("SCMP_ACT_NOTIFY")'
	echo "$output" | jq -e '.linux.namespaces | index("cgroup")'
	run "$BERTH" features extra
	assert_failure 1
	assert_output_contains "features: expected no arguments"
}
