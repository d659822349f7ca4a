#!/usr/bin/env bats
# Many berth commands at once: runs on distinct ids, and kill, state and
# delete racing on one id.  Each command either does its work or fails
# with an error that says why (the container is gone, or not running);
# the state file is never seen torn, and nothing is left afterwards.

load helpers

setup() { setup_bundle; }
teardown() { cleanup_containers; }

@test "200 berth run in parallel on distinct ids: every one runs its program, nothing is left" {
	local i n=200 pids=() failed="" dir=$BATS_TEST_TMPDIR/many
	# One rootfs, read-only, shared; a bundle (config.json only) and a
	# cgroup per container.
	update_config ".root.path = \"$BUNDLE/rootfs\" | .root.readonly = true
		| .linux.cgroupsPath = \"$CGROUP_PARENT/@ID@\"
		| .process.args = [\"echo\", \"I am @ID@\"]"
	for i in $(seq "$n"); do
		mkdir -p "$dir/b$i"
		sed "s/@ID@/c$i/g" "$BUNDLE/config.json" >"$dir/b$i/config.json"
	done
	for i in $(seq "$n"); do
		"$BERTH" --root "$ROOT" run --bundle "$dir/b$i" "c$i" </dev/null \
			>"$dir/out$i" 2>&1 &
		pids[i]=$!
	done
	for i in $(seq "$n"); do
		wait "${pids[i]}" || failed="$failed c$i($?: $(cat "$dir/out$i"))"
	done
	[ -z "$failed" ] || fail "runs failed:$failed"
	# Each ran its own program, in its own container.
	for i in $(seq "$n"); do
		assert_equal "$(cat "$dir/out$i")" "I am c$i"
	done
	[ -z "$(ls -A "$ROOT")" ] || fail "state left: $(ls -A "$ROOT" | head)"
	# The parent they shared may stay (the one that made it found it
	# busy); nothing below it, no process in it.
	assert_no_own_cgroup "$CGROUP_PARENT" below
	assert_no_berth_processes
}

# Run berth OP on ctr ($1: kill, signal, state or delete) and record
# "op status" in $2, its output in $2.raw.
race_one() {
	local op=$1 out=$2 st=0
	case $op in
	kill) "$BERTH" --root "$ROOT" kill ctr KILL >"$out.raw" 2>&1 || st=$? ;;
	signal) "$BERTH" --root "$ROOT" kill ctr USR1 >"$out.raw" 2>&1 || st=$? ;;
	state) "$BERTH" --root "$ROOT" state ctr >"$out.raw" 2>&1 || st=$? ;;
	delete) "$BERTH" --root "$ROOT" delete --force ctr >"$out.raw" 2>&1 || st=$? ;;
	esac
	echo "$op $st" >"$out"
}

# Start $1 of the operations named after it, round robin, all at once,
# in $dir; wait for them all.
race() {
	local n=$1 i pids=()
	shift
	local ops=("$@")
	rm -f "$dir"/*
	for i in $(seq "$n"); do
		race_one "${ops[i % ${#ops[@]}]}" "$dir/$i" </dev/null &
		pids[i]=$!
	done
	for i in $(seq "$n"); do
		wait "${pids[i]}"
	done
}

# Check the answers of the last race: a state is whole, of ctr, running
# or stopped; a failure only says that ctr is gone or no longer runs
# ($1: whether "gone" may be an answer).  Counts in ok_state, ok_delete.
check_race() {
	local gone_ok=$1 f op st raw
	ok_state=0 ok_delete=0
	for f in "$dir"/*[0-9]; do
		read -r op st <"$f"
		raw=$(cat "$f.raw")
		case "$op $st" in
		"delete 0") ok_delete=$((ok_delete + 1)) ;;
		"state 0")
			[ "$(echo "$raw" | jq -r .id)" = ctr ] || fail "state: $raw"
			case $(echo "$raw" | jq -r .status) in
			running | stopped) ;;
			*) fail "state: status $(echo "$raw" | jq -r .status)" ;;
			esac
			ok_state=$((ok_state + 1))
			;;
		"kill 0" | "signal 0") ;;
		*)
			case $raw in
			*'cannot signal "ctr": container not running'*) [[ $op == kill || $op == signal ]] ||
				fail "$op failed with status $st: $raw" ;;
			*'container "ctr" does not exist'*) [ "$gone_ok" = yes ] ||
				fail "$op failed with status $st: $raw" ;;
			*) fail "$op failed with status $st: $raw" ;;
			esac
			;;
		esac
	done
}

@test "50 concurrent kill, state and delete --force on one container: each answer is coherent, nothing is left" {
	local dir=$BATS_TEST_TMPDIR/race ok_state ok_delete
	mkdir -p "$dir"
	# A shell that outlives SIGUSR1 as init, so that only KILL stops it.
	update_config '.process.args = ["sh", "-c", "trap : USR1; while :; do sleep 1; done"]'
	run_detached run -d --bundle "$BUNDLE" ctr
	assert_success
	# Without delete: every state is read, while the container is
	# signalled and killed under it.
	race 50 state signal state kill
	check_race no
	assert_equal "$ok_state" 25
	wait_status ctr stopped
	berth delete --force ctr
	# With delete: each command finds the container whole or not at all.
	run_detached run -d --bundle "$BUNDLE" ctr
	assert_success
	race 50 state kill delete
	check_race yes
	echo "# $ok_state states read, $ok_delete deletes" >&3
	assert_equal "$ok_delete" 17
	[ ! -e "$ROOT/ctr" ] || fail "state left: $(ls -A "$ROOT/ctr")"
	assert_no_leftovers
	assert_no_berth_processes
}

@test "the state file is replaced whole: readers racing create, start and delete never see it torn" {
	local i reader torn=$BATS_TEST_TMPDIR/torn seen=$BATS_TEST_TMPDIR/seen
	update_config '.process.args = ["sleep", "100"]'
	: >"$seen"
	# Readers: every time state.json can be read, it is whole JSON.
	(
		while [ ! -e "$BATS_TEST_TMPDIR/stop" ]; do
			if json=$(cat "$ROOT/ctr/state.json" 2>/dev/null) && [ -n "$json" ]; then
				echo >>"$seen"
				echo "$json" | jq -e .id >/dev/null 2>&1 || echo "$json" >>"$torn"
			fi
		done
	) &
	reader=$!
	for i in $(seq 30); do
		run_detached create --bundle "$BUNDLE" ctr
		assert_success
		berth start ctr
		berth delete --force ctr
	done
	touch "$BATS_TEST_TMPDIR/stop"
	wait "$reader"
	[ ! -e "$torn" ] || fail "a torn state.json was read: $(head -c 300 "$torn")"
	echo "# state.json read whole $(wc -l <"$seen") times" >&3
	[ -s "$seen" ]
	assert_no_leftovers
}

@test "the state is on disk before it replaces the old one (fdatasync, then rename) and no temporary file stays" {
	update_config '.process.args = ["sleep", "100"]'
	# Not -f: the container process waits for start, and berth itself
	# writes the state.
	strace -o "$BATS_TEST_TMPDIR/trace" -e trace=fdatasync,rename \
		"$BERTH" --root "$ROOT" create --bundle "$BUNDLE" ctr </dev/null >/dev/null 2>&1
	# Each rename onto state.json (and the copy of config.json delete
	# falls back on) follows an fdatasync of what it moves.
	local renames
	renames=$(grep -c 'rename(".*state.json.tmp[0-9]*", ".*/state.json")' "$BATS_TEST_TMPDIR/trace")
	[ "$renames" -ge 2 ]
	grep -q 'rename(".*config.json.tmp[0-9]*", ".*/config.json")' "$BATS_TEST_TMPDIR/trace"
	awk '/fdatasync\(/ { synced = 1 }
	     /rename\(".*(state|config).json.tmp/ { if (!synced) bad = 1; synced = 0 }
	     END { exit bad }' "$BATS_TEST_TMPDIR/trace" || fail "a file renamed unsynced: $(grep -E 'fdatasync|rename' "$BATS_TEST_TMPDIR/trace")"
	assert_equal "$(ls "$ROOT/ctr" | grep -c tmp)" 0
	berth delete --force ctr
	assert_no_leftovers
}
