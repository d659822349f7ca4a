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
	# runc 1.1.5's exec does not run from a chroot (parity_process.bats).
	{ [ -n "$RUNC" ] && ! chrooted; } || return 0
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

# What the container's shell holds from fd 3 on (a file's content, a
# socket's inode) and its LISTEN_ variables.
SHOW_FDS='for fd in 3 4 5 6; do
	[ -e /proc/$$/fd/$fd ] || continue
	case $(readlink /proc/$$/fd/$fd) in
	socket:*) echo "$fd $(readlink /proc/$$/fd/$fd)" ;;
	*) echo "$fd $(cat /proc/$$/fd/$fd)" ;;
	esac
done
env | grep ^LISTEN_ | sort'

# The inode of the listening unix socket at path $1, as the host sees it.
socket_inode() {
	awk -v p="$1" '$NF == p { print $7 }' /proc/net/unix
}

# systemd-socket-activate (package systemd) listening on two sockets,
# starting runtime $1's `run` (the rest of the arguments) on the first
# connection; SEEN: what the container showed, the sockets' inodes
# replaced by their names.
activate() {
	local rt=$1 t=$BATS_TEST_TMPDIR/activate-$1 s1 s2 a
	shift
	mkdir -p "$t"
	if [ "$rt" = runc ]; then
		set -- "$RUNC" --root "$PEER_ROOT" run "$@"
	else
		set -- "$BERTH" --root "$ROOT" run "$@"
	fi
	systemd-socket-activate -l "$t/web" -l "$t/admin" --fdname=web:admin "$@" \
		>"$t/out" 2>"$t/err" </dev/null &
	a=$!
	wait_for test -S "$t/admin"
	s1=$(socket_inode "$t/web")
	s2=$(socket_inode "$t/admin")
	[ -n "$s1" ] && [ -n "$s2" ] || fail "no inodes for the sockets: $(cat /proc/net/unix)"
	socat -u OPEN:/dev/null "UNIX-CONNECT:$t/web"
	wait "$a" || fail "$rt run under systemd-socket-activate: $(cat "$t/err")"
	SEEN=$(sed -e "s/socket:\[$s1\]/web/" -e "s/socket:\[$s2\]/admin/" "$t/out")
}

@test "socket activation: systemd-socket-activate's sockets and LISTEN_FDS=2, LISTEN_PID=1 reach the container, as runc" {
	command -v systemd-socket-activate >/dev/null || fail "systemd-socket-activate is missing (package systemd)"
	update_config ".process.args = [\"sh\", \"-c\", $(jq -Rs . <<<"$SHOW_FDS")]"
	activate berth --bundle "$BUNDLE" ctr
	assert_equal "$SEEN" "3 web
4 admin
LISTEN_FDS=2
LISTEN_PID=1"
	assert_no_leftovers
	[ -n "$RUNC" ] || return 0
	make_peer_bundle
	local ours=$SEEN
	activate runc --bundle "$PEER_BUNDLE" peer
	assert_equal "$SEEN" "$ours"
}

# Run "$@" from a shell holding files a, b and c of the test as fds 3, 4
# and 5, with LISTEN_FDS=2 (fds 3 and 4), LISTEN_FDNAMES, and LISTEN_PID
# its own pid (the one "$@" keeps), or LISTEN_FOR when set (LISTEN_FDS
# too then).
with_listen_fds() {
	local t=$BATS_TEST_TMPDIR
	echo a >"$t/a"
	echo b >"$t/b"
	echo c >"$t/c"
	LISTEN_FOR=${LISTEN_FOR:-} FDS=${FDS:-2} bash -c '
		exec 3<"$1/a" 4<"$1/b" 5<"$1/c"
		shift
		export LISTEN_FDS=$FDS LISTEN_FDNAMES=one:two LISTEN_PID=${LISTEN_FOR:-$$}
		exec "$@"' _ "$t" "$@"
}

@test "socket activation: LISTEN_FDS come before --preserve-fds, for create and run; LISTEN_PID of another process passes nothing, as runc" {
	update_config ".process.args = [\"sh\", \"-c\", $(jq -Rs . <<<"$SHOW_FDS")]
		| .process.env += [\"LISTEN_FDS=9\"]"
	local rt ours="" out=$BATS_TEST_TMPDIR/out
	make_peer_bundle
	for rt in berth runc; do
		if [ "$rt" = runc ]; then
			[ -n "$RUNC" ] || break
			set -- "$RUNC" --root "$PEER_ROOT" run --bundle "$PEER_BUNDLE" peer
		else
			set -- "$BERTH" --root "$ROOT" run --bundle "$BUNDLE" ctr
		fi
		# Ours: fds 3 and 4, then the preserved 5; the config's
		# LISTEN_FDS gives way.
		run with_listen_fds "${@:1:$(($# - 1))}" --preserve-fds 1 "${@: -1}"
		assert_success
		local got="ours: $output"
		# Another process's: not for the runtime, nothing passes but
		# the preserved fd 3, and the config's env stays.
		LISTEN_FOR=1 run with_listen_fds "${@:1:$(($# - 1))}" --preserve-fds 1 "${@: -1}"
		assert_success
		got="$got
not ours: $output"
		if [ "$rt" = berth ]; then
			ours=$got
			assert_equal "$ours" "ours: 3 a
4 b
5 c
LISTEN_FDS=2
LISTEN_PID=1
not ours: 3 a
LISTEN_FDS=9"
			assert_no_leftovers
		else
			assert_equal "$got" "$ours"
		fi
	done
	# create holds them for start's program.
	with_listen_fds "$BERTH" --root "$ROOT" create --bundle "$BUNDLE" ctr >"$out" 2>&1 </dev/null
	berth start ctr
	wait_status ctr stopped
	assert_equal "$(cat "$out")" "3 a
4 b
LISTEN_FDS=2
LISTEN_PID=1"
	berth delete ctr
	assert_no_leftovers
}

@test "socket activation: a LISTEN_FDS fd that is not open, or not a number, fails clearly, nothing left" {
	# Were the checks missing, the container would end at once.
	update_config '.process.args = ["true"]'
	run bash -c 'exec 3</dev/null 4>&-; LISTEN_FDS=2 LISTEN_PID=$$ exec "$@"' _ \
		"$BERTH" --root "$ROOT" run --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_equal "$output" "berth: LISTEN_FDS=2: fd 4 is not open"
	assert_no_leftovers
	run bash -c 'exec 3</dev/null 4>&-; LISTEN_FDS=1 LISTEN_PID=$$ exec "$@"' _ \
		"$BERTH" --root "$ROOT" create --preserve-fds 1 --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_equal "$output" "berth: --preserve-fds 1: fd 4 is not open"
	assert_no_leftovers
	run bash -c 'LISTEN_FDS=two LISTEN_PID=$$ exec "$@"' _ \
		"$BERTH" --root "$ROOT" run --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_equal "$output" 'berth: LISTEN_FDS="two": expected a number of fds'
	assert_no_leftovers
}

DEBUG_TEXT='^time="[0-9T:.-]+Z" level=debug msg=".*"$'

# Every line of $1 a debug line in runc's text form (runc adds fields
# after msg to some: with $2 = fields).
all_debug_text() {
	local bad re=$DEBUG_TEXT
	[ "${2:-}" != fields ] || re='^time="[0-9T:.-]+Z" level=debug msg=".*"( [a-z]+=.*)?$'
	bad=$(grep -Ev "$re" <<<"$1" || true)
	[ -z "$bad" ] || fail "not a debug line: $bad"
}

# Every line of file $1 a JSON debug line ({"level","msg","time"}); the
# messages on stdout.
all_debug_json() {
	jq -e -r 'if .level == "debug" and (.time | type) == "string" then .msg
		else error("not a debug line: \(.)") end' "$1"
}

@test "--debug: level=debug lines at the lifecycle's steps, text and JSON, on stderr or in --log, none without; as runc" {
	local t=$BATS_TEST_TMPDIR msgs step
	update_config '.process.args = ["true"]'
	# Text, on stderr (the container says nothing).
	run berth --debug run --bundle "$BUNDLE" ctr
	assert_success
	all_debug_text "$output"
	for step in 'run container \"ctr\"' "config $BUNDLE/config.json loaded: rootfs $BUNDLE/rootfs" \
		'namespaces: new: pid network ipc uts mount cgroup; joined: none' \
		"cgroup $CGROUP_PARENT/ctr made" 'root entered by pivot_root' \
		'container \"ctr\" created, init pid' 'container \"ctr\" started: pid' \
		'delete container \"ctr\" (stopped)' 'cgroup removed' "state $ROOT/ctr removed"; do
		assert_output_contains "$step"
	done
	assert_no_leftovers
	# JSON, to --log, nothing on stderr: create, start, exec, pause,
	# resume, kill, delete each say what they did.
	update_config '.process.args = ["sleep", "1000"]'
	run_detached --debug --log-format json --log "$t/log.json" create --bundle "$BUNDLE" ctr
	assert_success
	assert_equal "$output" ""
	for step in "start ctr" "exec ctr true" "pause ctr" "resume ctr" "kill ctr KILL" "delete --force ctr"; do
		run berth --debug --log-format json --log "$t/log.json" $step
		assert_success
		assert_equal "$output" ""
	done
	msgs=$(all_debug_json "$t/log.json")
	for step in 'create container "ctr"' 'container "ctr" created' 'start container "ctr"' \
		'exec in container "ctr" (running' 'runs true' 'container "ctr" frozen' \
		'container "ctr" thawed' 'kill container "ctr" (running): signal 9 to its init' \
		'delete container "ctr"'; do
		[[ "$msgs" == *"$step"* ]] || fail "no \"$step\" in: $msgs"
	done
	assert_no_leftovers
	# Without --debug: no debug line anywhere.
	update_config '.process.args = ["true"]'
	run berth --log "$t/quiet.log" run --bundle "$BUNDLE" ctr
	assert_success
	assert_equal "$output" ""
	[ ! -s "$t/quiet.log" ]
	run berth --log-format json run --bundle "$BUNDLE" ctr
	assert_success
	assert_equal "$output" ""
	# Errors keep their form with --debug: stderr, and the text log.
	run berth --debug --log "$t/err.log" start nosuch
	assert_failure 1
	assert_equal "$output" 'berth: container "nosuch" does not exist'
	grep -Eq '^[0-9T:.-]+Z error container "nosuch" does not exist$' "$t/err.log"
	assert_no_leftovers
	[ -n "$RUNC" ] || return 0
	make_peer_bundle
	run peer --debug run --bundle "$PEER_BUNDLE" peer
	assert_success
	all_debug_text "$output" fields
	run peer --debug --log-format json --log "$t/runc.json" run --bundle "$PEER_BUNDLE" peer
	assert_success
	assert_equal "$output" ""
	[ -n "$(all_debug_json "$t/runc.json")" ]
	run peer --log "$t/runc-quiet.log" run --bundle "$PEER_BUNDLE" peer
	assert_success
	assert_equal "$output" ""
	[ ! -s "$t/runc-quiet.log" ]
}
