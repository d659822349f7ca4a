#!/usr/bin/env bats
# runc parity for the command line: exec --ignore-paused, systemd socket
# activation (LISTEN_FDS), --debug.  Each test runs the same steps under
# berth and, where runc is installed, under runc, and compares what the
# container saw.

load helpers
load peer_helpers

setup() {
	setup_peer
	update_config '.root.readonly = false | .process.args = ["sleep", "1000"]
		| .process.capabilities.ambient = []'
}
teardown() {
	local failed=0
	cleanup_peer
	cleanup_containers || failed=1
	return "$failed"
}

RUNC=${RUNC:-$(command -v runc || true)}

# berth or runc, each with this test's own state root.
peer() {
	"$RUNC" --root "$PEER_ROOT" "$@"
}
runtime() {
	if [ "$1" = runc ]; then
		shift
		peer "$@"
	else
		shift
		berth "$@"
	fi
}

# The number of processes in cgroup $1 (relative to ours), the most any
# hierarchy shows (runc and berth fill different ones on a hybrid host).
procs_in() {
	local d n max=0
	for d in $(own_cgroup_dirs "$1"); do
		[ -r "$d/cgroup.procs" ] || continue
		n=$(wc -l <"$d/cgroup.procs")
		[ "$n" -le "$max" ] || max=$n
	done
	echo "$max"
}
more_procs_than() {
	[ "$(procs_in "$1")" -gt "$2" ]
}

# exec --ignore-paused into paused container $2 (cgroup $3) of runtime $1,
# detached and in the foreground: neither runs before resume, both after;
# what they wrote (inside the container) in SEEN.
exec_while_paused() {
	local rt=$1 id=$2 cg=$3 t=$BATS_TEST_TMPDIR/$1 d f
	mkdir -p "$t"
	rm -f "$BUNDLE/rootfs/tmp/resumed" "$BUNDLE/rootfs/tmp/detached"
	runtime "$rt" pause "$id"
	# Detached: runc's exec -d returns once the process runs, so it
	# waits for resume too.
	runtime "$rt" exec -d --ignore-paused "$id" sh -c 'cat /tmp/resumed >/tmp/detached' \
		>"$t/d.out" 2>&1 </dev/null &
	d=$!
	wait_for more_procs_than "$cg" 1
	# Foreground: it waits in the frozen cgroup, its caller with it.
	runtime "$rt" exec --ignore-paused "$id" sh -c 'cat /tmp/resumed; exit 7' \
		>"$t/f.out" 2>&1 </dev/null &
	f=$!
	wait_for more_procs_than "$cg" 2
	# Frozen: neither has run, both callers wait, the container is
	# still paused (and its state readable: exec holds no lock now).
	if [ -e "$BUNDLE/rootfs/tmp/detached" ] || [ -s "$t/f.out" ]; then
		fail "an exec'd process ran in a paused container: $(cat "$t/f.out")"
	fi
	kill -0 "$d"
	kill -0 "$f"
	assert_equal "$(runtime "$rt" state "$id" | jq -r .status)" paused
	# Only a process that runs after this line can print it.
	echo after-resume >"$BUNDLE/rootfs/tmp/resumed"
	runtime "$rt" resume "$id"
	wait "$d" || fail "exec -d: $(cat "$t/d.out")"
	local fs=0
	wait "$f" || fs=$?
	assert_equal "$fs" 7
	SEEN="detached: $(cat "$BUNDLE/rootfs/tmp/detached")
foreground: $(cat "$t/f.out")"
}

@test "exec --ignore-paused: the process waits frozen and runs once resumed, as runc" {
	local ours out=$BATS_TEST_TMPDIR/deleted.out
	run_detached run -d --bundle "$BUNDLE" ctr
	assert_success
	berth pause ctr
	# Without the flag: refused, nothing made.
	run berth exec ctr touch /tmp/refused
	assert_failure 1
	assert_output_contains 'cannot exec in a paused container "ctr" (resume it first, or use --ignore-paused)'
	[ ! -e "$BUNDLE/rootfs/tmp/refused" ]
	assert_equal "$(procs_in "$CGROUP_PARENT/ctr")" 1
	berth resume ctr
	exec_while_paused berth ctr "$CGROUP_PARENT/ctr"
	ours=$SEEN
	assert_equal "$ours" "detached: after-resume
foreground: after-resume"
	assert_equal "$(container_status ctr)" running
	# Deleted while an exec waits: the exec fails, nothing is left.
	berth pause ctr
	berth exec --ignore-paused ctr true >"$out" 2>&1 </dev/null &
	local e=$! es=0
	wait_for more_procs_than "$CGROUP_PARENT/ctr" 1
	berth delete --force ctr
	wait "$e" || es=$?
	assert_equal "$es" 1
	assert_equal "$(cat "$out")" "berth: exec: the process died while it waited for the paused container to resume"
	assert_no_leftovers
	assert_no_berth_processes
	[ -n "$RUNC" ] || return 0
	make_peer_bundle
	peer run -d --bundle "$PEER_BUNDLE" peer </dev/null >/dev/null 2>&1
	peer pause peer
	run peer exec peer true
	assert_failure
	assert_output_contains "cannot exec in a paused container (use --ignore-paused to override)"
	peer resume peer
	exec_while_paused runc peer "$PEER_CGROUP/ctr"
	assert_equal "$SEEN" "$ours"
}
