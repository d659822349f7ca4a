#!/usr/bin/env bats
# Faults: `berth create` killed at every stage, a damaged state file, and
# what of the caller a created container may hold.  After each, nothing
# is left: state directory, cgroup in any hierarchy, process.

load helpers

setup() { setup_bundle; }
teardown() { cleanup_containers; }

# Fail when anything of container ctr is left, or a berth process of
# this test (the init of a killed create shows as one) still runs.
assert_nothing_left() {
	[ -z "$(ls -A "$ROOT")" ] || fail "state left after delay $1: $(ls -A "$ROOT" "$ROOT"/*)"
	assert_no_leftovers
	assert_no_berth_processes
}

@test "kill -9 of create at every stage, then delete --force: nothing left" {
	update_config '.process.args = ["sleep", "100"]'
	# create's full duration here (the slowest of three).
	local i start end us dur=0 step=100 d out
	for i in 1 2 3; do
		start=$(date +%s%N)
		run_detached create --bundle "$BUNDLE" ctr
		end=$(date +%s%N)
		assert_success
		us=$(((end - start) / 1000))
		[ "$us" -le "$dur" ] || dur=$us
		berth delete --force ctr
		assert_nothing_left measure
	done
	# 100 us steps; a slow machine gets wider ones, so that the sweep
	# stays at about 400 kills.
	[ "$((dur / step))" -le 400 ] || step=$((dur / 400))
	local killed=0 done=0
	for d in $(seq 0 "$step" "$dur"); do
		# Into files: a created container holds create's stdout.
		"$HELPERS/killafter" "$d" "$BERTH" --root "$ROOT" create --bundle "$BUNDLE" ctr \
			</dev/null >"$BATS_TEST_TMPDIR/kill.out" 2>"$BATS_TEST_TMPDIR/create.err"
		out=$(tail -n 1 "$BATS_TEST_TMPDIR/kill.out")
		case $out in
		killed) killed=$((killed + 1)) ;;
		"exited 0") done=$((done + 1)) ;;
		*) fail "create at delay $d: $out: $(cat "$BATS_TEST_TMPDIR/create.err")" ;;
		esac
		# A create killed before its state directory existed leaves
		# nothing to delete.
		if [ -e "$ROOT/ctr" ]; then
			berth delete --force ctr
		fi
		assert_nothing_left "$d"
	done
	echo "# $killed kills during create, $done after it (step $step us of $dur us)" >&3
	[ "$killed" -gt 0 ]
}

# run's container process sends no "ready" (the start message is in its
# socket already): the parent learns of the end of set-up when the
# process executes its program.  A process killed during set-up must
# still fail run at once, with no poststart hook run and nothing left.
@test "run: a container process killed during set-up fails run with the reason; no poststart; nothing left" {
	local marker=$BATS_TEST_TMPDIR/poststart hookpid initpid
	# The createContainer hook runs in the container process's set-up
	# and waits there; the test kills the process (from the host, which
	# is outside its pid namespace) while it waits.
	update_config '.process.args = ["/bin/true"]
		| .hooks.createContainer = [{"path": "/bin/sleep", "args": ["sleep", "30.5151"]}]
		| .hooks.poststart = [{"path": "/bin/touch", "args": ["touch", "'"$marker"'"]}]'
	# Bounded (berth forwards TERM to the container, so KILL): a run that
	# waited forever for a start shows as a failure, not a hung test.
	timeout -s KILL 60 "$BERTH" --root "$ROOT" run --bundle "$BUNDLE" ctr </dev/null >"$BATS_TEST_TMPDIR/run.out" 2>&1 &
	local runpid=$!
	wait_for pgrep -f "sleep 30.5151"
	hookpid=$(pgrep -f "sleep 30.5151")
	initpid=$(ps -o ppid= -p "$hookpid" | tr -d ' ')
	kill -9 "$initpid"
	local status=0
	wait "$runpid" || status=$?
	cat "$BATS_TEST_TMPDIR/run.out"
	[ "$status" -ne 0 ] || fail "run succeeded"
	grep -q "the container process exited" "$BATS_TEST_TMPDIR/run.out"
	[ ! -e "$marker" ] || fail "the poststart hook ran for a container that never started"
	pkill -f "sleep 30.5151" || true
	assert_nothing_left killed
}

@test "a damaged state file: state names it and the problem, delete --force cleans" {
	update_config '.process.args = ["sleep", "100"]'
	run_detached create --bundle "$BUNDLE" ctr
	assert_success
	local pid
	pid=$(berth state ctr | jq .pid)
	[ -d "/proc/$pid" ]
	for damage in truncated garbage; do
		if [ "$damage" = truncated ]; then
			head -c 40 "$ROOT/ctr/state.json" >"$ROOT/ctr/state.tmp"
		else
			printf '\x00\x01 not json at all' >"$ROOT/ctr/state.tmp"
		fi
		cp "$ROOT/ctr/state.json" "$BATS_TEST_TMPDIR/state.good"
		mv "$ROOT/ctr/state.tmp" "$ROOT/ctr/state.json"
		run berth state ctr
		assert_failure 1
		assert_output_contains "$ROOT/ctr/state.json: "
		assert_output_contains "JSON"
		# Without --force delete refuses, with the same message.
		run berth delete ctr
		assert_failure 1
		assert_output_contains "$ROOT/ctr/state.json: "
		[ -d "/proc/$pid" ]
		[ "$damage" = garbage ] || cp "$BATS_TEST_TMPDIR/state.good" "$ROOT/ctr/state.json"
	done
	run berth delete --force ctr
	assert_success
	assert_output_contains "state.json"
	[ ! -e "$ROOT/ctr" ]
	# The container's process and its own cgroup are gone; its parent
	# stays (nothing says berth made it) and teardown removes it.
	wait_for test ! -d "/proc/$pid"
	assert_no_own_cgroup "$CGROUP_PARENT/ctr"
	assert_no_berth_processes
}

# The targets of /proc/$1/fd, one "fd -> target" a line.
fd_targets() {
	local fd
	for fd in $(ls /proc/"$1"/fd | sort -n); do
		echo "$fd -> $(readlink "/proc/$1/fd/$fd")"
	done
}

@test "a created container holds none of the caller's fds but stdio" {
	update_config '.process.args = ["sleep", "100"]'
	local pid targets out=$BATS_TEST_TMPDIR/caller-file
	: >"$out"
	# A directory fd and a file fd deliberately open in the caller.
	exec 7</ 8>>"$out"
	run_detached create --bundle "$BUNDLE" ctr
	exec 7<&- 8>&-
	assert_success
	pid=$(berth state ctr | jq .pid)
	targets=$(fd_targets "$pid")
	echo "$targets"
	# stdio (the caller's, as runc leaves it), then the exec socket.
	assert_equal "$(echo "$targets" | cut -d' ' -f1 | xargs)" "0 1 2 $(echo "$targets" | sed -n '4s/ .*//p')"
	[ "$(echo "$targets" | wc -l)" = 4 ]
	echo "$targets" | sed -n 4p | grep -q -- '-> socket:'
	if echo "$targets" | grep -qE -- "-> (/|$out)\$"; then fail "the caller's fds 7 or 8 crossed"; fi
	# --preserve-fds 1: fd 3 crosses, and nothing else.
	berth delete --force ctr
	# (in a subshell: fd 3 is bats' own)
	(
		exec 3>>"$out" 7</
		"$BERTH" --root "$ROOT" create --preserve-fds 1 --bundle "$BUNDLE" ctr \
			</dev/null >/dev/null 2>&1
	)
	pid=$(berth state ctr | jq .pid)
	targets=$(fd_targets "$pid")
	echo "$targets"
	echo "$targets" | grep -qx "3 -> $out"
	if echo "$targets" | grep -qE -- "-> /\$"; then fail "the caller's fd 7 crossed"; fi
	[ "$(echo "$targets" | wc -l)" = 5 ]
	# Started, the program holds stdio and the preserved fd only.
	berth start ctr
	wait_status ctr running
	targets=$(fd_targets "$pid")
	echo "$targets"
	assert_equal "$(echo "$targets" | cut -d' ' -f1 | xargs)" "0 1 2 3"
}

@test "run -d and exec -d: the container's processes hold none of the caller's fds" {
	update_config '.process.args = ["sleep", "100"]'
	local pid targets out=$BATS_TEST_TMPDIR/caller-file
	: >"$out"
	exec 7</ 8>>"$out"
	run_detached run -d --bundle "$BUNDLE" ctr
	exec 7<&- 8>&-
	assert_success
	pid=$(berth state ctr | jq .pid)
	targets=$(fd_targets "$pid")
	echo "$targets"
	assert_equal "$(echo "$targets" | cut -d' ' -f1 | xargs)" "0 1 2"
	exec 7</ 8>>"$out"
	"$BERTH" --root "$ROOT" exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" ctr sleep 100 \
		</dev/null >/dev/null 2>&1
	exec 7<&- 8>&-
	pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	targets=$(fd_targets "$pid")
	echo "$targets"
	assert_equal "$(echo "$targets" | cut -d' ' -f1 | xargs)" "0 1 2"
}

@test "50 concurrent kill, state and delete on one container stay consistent" {
	update_config '.process.args = ["sleep", "100"]'
	run_detached run -d --bundle "$BUNDLE" ctr
	assert_success
	local i pids=() log=$BATS_TEST_TMPDIR/ops
	mkdir -p "$log"
	for i in $(seq 50); do
		case $((i % 3)) in
		0) "$BERTH" --root "$ROOT" kill ctr KILL >"$log/$i" 2>&1 & ;;
		1) "$BERTH" --root "$ROOT" state ctr >"$log/$i" 2>&1 & ;;
		2) "$BERTH" --root "$ROOT" delete --force ctr >"$log/$i" 2>&1 & ;;
		esac
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || true
	done
	# Every answer is whole: a state is valid JSON, a failure says the
	# container does not exist or is not running; none crashed.
	for i in $(seq 50); do
		if [ $((i % 3)) = 1 ] && [ "$(head -c 1 "$log/$i")" = "{" ]; then
			jq -e '.id == "ctr"' "$log/$i" >/dev/null || fail "torn state: $(cat "$log/$i")"
		elif [ -s "$log/$i" ]; then
			grep -qE 'does not exist|not running|stopped' "$log/$i" ||
				fail "operation $i: $(cat "$log/$i")"
		fi
	done
	# At least one delete won: the container is gone, with everything.
	[ ! -e "$ROOT/ctr" ]
	assert_no_leftovers
	assert_no_berth_processes
}
