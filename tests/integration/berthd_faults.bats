#!/usr/bin/env bats
# A killed shim loses no container: berthd kills what a dead shim leaves
# and cleans up after it, as containerd does, and never reports a
# container exited while one of its processes lives.  kill -9 of berthd,
# of a shim or of both, at any moment of create/start/exec/stop/rm, leaves
# no orphan process, mount or cgroup, and keeps logs and exit codes.

load berthd_helpers
berthd_file_hooks

api() {
	local method=$1 path=$2
	shift 2
	curl -sS --unix-socket "$BERTHD_SOCK" -X "$method" "$@" "http://berthd$path"
}

shim_of() {
	pgrep -f "berthd-shim --root $BERTHD_ROOT/oci --id $1( |\$)"
}

# Is pid a live process (a zombie is not: it has run its course)?
alive() {
	[ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

assert_dead() {
	if alive "$1"; then
		echo "process $1 still runs" >&2
		return 1
	fi
}

# Fail when anything of container id is left on the host: a process in
# its cgroup, its cgroup, its overlay mount, its runtime state.
assert_container_gone() {
	local id=$1
	assert_no_own_cgroup "$BERTHD_CGROUP/$id"
	if grep -q " $BERTHD_DATA/containers/$id/rootfs " /proc/self/mountinfo; then
		echo "overlay of $id still mounted" >&2
		return 1
	fi
	if [ -e "$BERTHD_ROOT/oci/$id" ]; then
		echo "runtime state of $id left" >&2
		return 1
	fi
}

# Wait until container id is reported exited; at the first report, its
# process pid must be gone already.
wait_exited_and_dead() {
	local id=$1 pid=$2 i
	for i in $(seq 100); do
		if [ "$(dk inspect -f '{{.State.Status}}' "$id")" = exited ]; then
			if alive "$pid"; then
				echo "$id reported exited while its process $pid lives" >&2
				return 1
			fi
			return 0
		fi
		sleep 0.1
	done
	echo "$id never reported exited ($(dk inspect -f '{{.State.Status}}' "$id"))" >&2
	return 1
}

@test "berthd faults: kill -9 of a running container's shim: the container is killed and cleaned, exited 137" {
	local id pid shim
	id=$(dk run -d berthd-test/bb:1 sh -c 'echo started; while true; do echo tick; sleep 0.1; done')
	wait_status "$id" running
	pid=$(dk inspect -f '{{.State.Pid}}' "$id")
	shim=$(shim_of "$id")
	[ -n "$shim" ]
	# An exec and an attached client that the shim served.
	( set +e; "$DOCKER" exec "$id" sh -c 'echo exec-started; sleep 1000'; echo "exec-status=$?" ) \
		>"$BATS_TEST_TMPDIR/exec.out" 2>&1 &
	wait_for grep -q exec-started "$BATS_TEST_TMPDIR/exec.out"
	kill -9 "$shim"
	wait_exited_and_dead "$id" "$pid"
	assert_equal "$(dk inspect -f '{{.State.ExitCode}}' "$id")" 137
	run dk inspect -f '{{.State.Error}}' "$id"
	assert_output_contains "shim died"
	assert_container_gone "$id"
	# Every process of the container went, the exec's too, and its
	# client learned so.
	wait
	grep -q "exec-status=" "$BATS_TEST_TMPDIR/exec.out"
	# The log kept what was written before.
	run dk logs "$id"
	assert_equal "${lines[0]}" started
	assert_equal "${lines[1]}" tick
	run dk wait "$id"
	assert_equal "$output" 137
	# It starts again, supervised by a new shim.
	dk start "$id" >/dev/null
	wait_status "$id" running
	[ -n "$(shim_of "$id")" ]
	dk rm -f "$id" >/dev/null
	assert_container_gone "$id"
}

@test "berthd faults: kill -9 of the shim of a paused container: thawed, killed, cleaned" {
	local id pid
	id=$(dk run -d berthd-test/bb:1 sleep 1000)
	wait_status "$id" running
	pid=$(dk inspect -f '{{.State.Pid}}' "$id")
	dk pause "$id" >/dev/null
	kill -9 "$(shim_of "$id")"
	wait_exited_and_dead "$id" "$pid"
	assert_equal "$(dk inspect -f '{{.State.ExitCode}}' "$id")" 137
	assert_container_gone "$id"
	dk rm "$id" >/dev/null
}

@test "berthd faults: kill -9 of berthd and of a shim together: the new berthd kills and cleans that container only" {
	local victim survivor vpid spid
	victim=$(dk run -d berthd-test/bb:1 sh -c 'echo alive; sleep 1000')
	survivor=$(dk run -d berthd-test/bb:1 sleep 1000)
	wait_status "$victim" running
	wait_status "$survivor" running
	vpid=$(dk inspect -f '{{.State.Pid}}' "$victim")
	spid=$(dk inspect -f '{{.State.Pid}}' "$survivor")
	berthd_stop KILL
	kill -9 "$(shim_of "$victim")"
	sleep 0.3
	# Without a shim or berthd, the container's process runs on...
	alive "$vpid"
	berthd_start
	# ...until the new berthd finds its shim gone.
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$victim")" "exited 137"
	assert_dead "$vpid"
	assert_container_gone "$victim"
	assert_equal "$(dk logs "$victim")" alive
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.State.Pid}}' "$survivor")" "running $spid"
	dk stop -t 1 "$survivor" >/dev/null
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$survivor")" "exited 137"
	assert_container_gone "$survivor"
	dk rm "$victim" "$survivor" >/dev/null
}

@test "berthd faults: a start cut by a kill -9 of berthd after its record and before the runtime's start ends at the next start, with the reason" {
	local cut other cpid opid
	cut=$(dk run -d berthd-test/bb:1 sleep 1000)
	other=$(dk run -d berthd-test/bb:1 sleep 1000)
	wait_status "$cut" running
	wait_status "$other" running
	cpid=$(dk inspect -f '{{.State.Pid}}' "$cut")
	opid=$(dk inspect -f '{{.State.Pid}}' "$other")
	berthd_stop KILL
	# What that kill leaves: berthd's record says running, the runtime's
	# state says created (its start socket is still there).
	: >"$BERTHD_ROOT/oci/$cut/exec.sock"
	assert_equal "$(berth --root "$BERTHD_ROOT/oci" state "$cut" | jq -r .status)" created
	berthd_start
	wait_exited_and_dead "$cut" "$cpid"
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$cut")" "exited 128"
	run dk inspect -f '{{.State.Error}}' "$cut"
	assert_output_contains "berthd stopped while it started the container"
	assert_container_gone "$cut"
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.State.Pid}}' "$other")" "running $opid"
	dk rm -f "$cut" "$other" >/dev/null
	assert_container_gone "$other"
}

@test "berthd faults: kill -9 of a shim during docker stop: stop returns, exited 137, cleaned" {
	local id pid start
	# Deaf to SIGTERM: the stop waits its whole timeout for it.
	id=$(dk run -d berthd-test/bb:1 sh -c "trap '' TERM; while true; do sleep 0.1; done")
	wait_status "$id" running
	pid=$(dk inspect -f '{{.State.Pid}}' "$id")
	start=$(date +%s)
	( set +e; "$DOCKER" stop -t 20 "$id"; echo "stop-status=$?" ) >"$BATS_TEST_TMPDIR/stop.out" 2>&1 &
	sleep 1
	kill -9 "$(shim_of "$id")"
	wait
	assert_equal "$(cat "$BATS_TEST_TMPDIR/stop.out")" "$id
stop-status=0"
	# Not the timeout's 20 s: the stop ended with the container.
	[ $(($(date +%s) - start)) -lt 15 ]
	assert_dead "$pid"
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$id")" "exited 137"
	assert_container_gone "$id"
	dk rm "$id" >/dev/null
}

@test "berthd faults: kill -9 of a shim during docker exec: the exec and the container end 137, cleaned" {
	local id pid xid
	id=$(dk run -d berthd-test/bb:1 sleep 1000)
	wait_status "$id" running
	pid=$(dk inspect -f '{{.State.Pid}}' "$id")
	xid=$(api POST "/containers/$id/exec" -H 'Content-Type: application/json' \
		-d '{"Cmd":["sh","-c","echo in-exec; sleep 1000"],"AttachStdout":true}' | jq -r .Id)
	# The client's stream, as docker exec holds it.
	( set +e; api POST "/exec/$xid/start" -H 'Content-Type: application/json' \
		-d '{"Detach":false}' -N --output - ) >"$BATS_TEST_TMPDIR/exec.out" 2>&1 &
	wait_for grep -aq in-exec "$BATS_TEST_TMPDIR/exec.out" || { cat -v "$BATS_TEST_TMPDIR/exec.out" >&2; false; }
	local xpid
	xpid=$(api GET "/exec/$xid/json" | jq -r .Pid)
	alive "$xpid"
	kill -9 "$(shim_of "$id")"
	wait_exited_and_dead "$id" "$pid"
	wait
	assert_dead "$xpid"
	assert_equal "$(api GET "/exec/$xid/json" | jq -c '[.Running, .ExitCode]')" "[false,137]"
	assert_equal "$(dk inspect -f '{{.State.ExitCode}}' "$id")" 137
	assert_container_gone "$id"
	dk rm "$id" >/dev/null
}

# The containers berthd reports, each checked against the host: a running
# one has its process and its shim; any other has no process in its
# cgroup, no cgroup, no overlay mount, no shim, no runtime state.  Read
# twice around the checks so that an exit that lands meanwhile is seen
# as such, not as a lie.
check_container() {
	local id=$1 s1 s2 pid try
	for try in 1 2 3; do
		s1=$(dk inspect -f '{{.State.Status}} {{.State.Pid}}' "$id") || return 1
		pid=${s1#* }
		s1=${s1% *}
		if [ "$s1" = running ] || [ "$s1" = paused ]; then
			alive "$pid" && [ -n "$(shim_of "$id")" ]
		elif [ "$s1" != removing ]; then
			[ -z "$(shim_of "$id")" ] && assert_container_gone "$id"
		fi
		local ok=$?
		s2=$(dk inspect -f '{{.State.Status}}' "$id") || return 1
		if [ "$s1" = "$s2" ]; then
			[ "$ok" = 0 ] && return 0
			echo "container $id reported $s1 (pid $pid); shim: $(shim_of "$id")" >&2
			return 1
		fi
	done
	echo "container $id did not settle" >&2
	return 1
}

# Nothing on the host that no container reported running owns: cgroups,
# processes in them, overlay mounts, shims, runtime state; and no
# container directory berthd does not know.
check_no_orphans() {
	local running d id left=""
	running=" $(dk ps -q --no-trunc | xargs) "
	for d in $(own_cgroup_dirs "$BERTHD_CGROUP"); do
		[ -d "$d" ] || continue
		for id in $(find "$d" -mindepth 1 -maxdepth 1 -type d -printf '%f\n'); do
			[[ "$running" == *" $id "* ]] || left="$left cgroup:$d/$id($(cgroup_tree_procs "$d/$id" | xargs))"
		done
	done
	local known
	known=" $(dk ps -aq --no-trunc | xargs) "
	for id in $(ls "$BERTHD_DATA/containers"); do
		[[ "$known" == *" $id "* ]] || left="$left directory:$id"
	done
	for id in $(ls "$BERTHD_ROOT/oci"); do
		[[ "$running" == *" $id "* ]] || left="$left state:$id"
	done
	for id in $(awk -v p="$BERTHD_DATA/containers/" 'index($5, p) == 1 {print $5}' /proc/self/mountinfo |
		sed "s|$BERTHD_DATA/containers/||; s|/rootfs\$||"); do
		[[ "$running" == *" $id "* ]] || left="$left mount:$id"
	done
	for id in $(pgrep -a -f "berthd-shim --root $BERTHD_ROOT/oci" | sed -n 's/.* --id \([0-9a-f]*\).*/\1/p'); do
		[[ "$running" == *" $id "* ]] || left="$left shim:$id"
	done
	if [ -n "$left" ]; then
		echo "orphans:$left" >&2
		return 1
	fi
}

# One operation on a fresh container, with a kill -9 of berthd, of the
# container's shim or of both after delay_ms; then what is left must be
# what berthd reports.
fault_round() {
	local name=$1 op=$2 target=$3 delay_ms=$4 id opid
	echo "round $name: $op, kill -9 of $target after $delay_ms ms" >&2
	case $op in
	start) dk create --name "$name" berthd-test/bb:1 sh -c "echo up-$name; exec sleep 1000" >/dev/null ;;
	exec | stop | rm)
		dk run -d --name "$name" berthd-test/bb:1 sh -c "echo up-$name; exec sleep 1000" >/dev/null
		wait_status "$name" running
		;;
	esac
	case $op in
	create) timeout 30 "$DOCKER" create --name "$name" berthd-test/bb:1 sh -c "echo up-$name; exec sleep 1000" ;;
	start) timeout 30 "$DOCKER" start "$name" ;;
	exec) timeout 30 "$DOCKER" exec "$name" sh -c 'echo in-exec; sleep 0.3; exit 3' ;;
	stop) timeout 30 "$DOCKER" stop -t 2 "$name" ;;
	rm) timeout 30 "$DOCKER" rm -f "$name" ;;
	esac >/dev/null 2>&1 &
	opid=$!
	sleep "$(printf '0.%03d' "$delay_ms")"
	if [ "$target" != berthd ]; then
		local shims
		shims=$(pgrep -f "berthd-shim --root $BERTHD_ROOT/oci" | grep -vx "$LOAD_SHIM" || true)
		# A shim may be gone by itself meanwhile.
		[ -z "$shims" ] || kill -9 $shims 2>/dev/null || true
	fi
	[ "$target" = shim ] || berthd_stop KILL
	wait "$opid" || true
	[ "$target" = shim ] || berthd_start
	for id in $(dk ps -aq --no-trunc); do
		check_container "$id"
	done
	check_no_orphans
	# What ran kept its log; an exit has a code that says how it ended.
	if id=$(dk inspect -f '{{.Id}}' "$name" 2>/dev/null); then
		run dk logs "$id"
		[ -z "$output" ] || assert_equal "$output" "up-$name"
		run dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$id"
		case $output in
		"created 0" | "running 0" | "exited 128" | "exited 137" | "exited 143") ;;
		*) fail "$name after $op with a kill of $target: $output" ;;
		esac
		dk rm -f "$id" >/dev/null
		assert_container_gone "$id"
	fi
}

@test "berthd faults: kill -9 of berthd, a shim or both at fixed-seed random moments of create/start/exec/stop/rm under load" {
	local rounds=${BERTHD_FAULT_ROUNDS:-15} r ops=(create start exec stop rm) targets=(berthd shim both)
	local lpid before
	# The load: a container that writes all along, and must neither
	# stop nor lose its output whatever happens to berthd.
	dk run -d --name load berthd-test/bb:1 sh -c 'while true; do echo load; sleep 0.05; done' >/dev/null
	wait_status load running
	lpid=$(dk inspect -f '{{.State.Pid}}' load)
	LOAD_SHIM=$(shim_of "$(dk inspect -f '{{.Id}}' load)")
	before=$(dk logs load | wc -l)
	# Fixed: CI makes the same kills each run (this seed's twelfth round
	# kills berthd a few ms into a start, which once left the rootfs
	# mounted); BERTHD_FAULT_SEED and BERTHD_FAULT_ROUNDS make another or
	# a longer sweep.
	RANDOM=${BERTHD_FAULT_SEED:-777}
	for r in $(seq "$rounds"); do
		fault_round "sweep$r" "${ops[RANDOM % 5]}" "${targets[RANDOM % 3]}" $((RANDOM % 600))
	done
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.State.Pid}}' load)" "running $lpid"
	[ "$(dk logs load | wc -l)" -gt "$before" ]
	dk rm -f load >/dev/null
	check_no_orphans
}
