#!/usr/bin/env bats
# Hooks, cgroups and seccomp as runc (or crun, where runc differs from
# the runtime-tools validation) does them: the same config run by berth
# and by runc where it is installed, comparing what the hooks and the
# container see.

load helpers
load peer_helpers

setup() {
	setup_peer
	OUT=$BATS_TEST_TMPDIR/out
	mkdir -p "$OUT"
}
teardown() {
	local failed=0
	cleanup_peer
	cleanup_containers || failed=1
	return "$failed"
}

# Hooks that record what they got: prestart its state, createContainer
# its working directory (and a relative file), startContainer its
# environment (inside the container).  The process has an env of its own.
record_hooks() {
	update_config ".root.readonly = false
		| .process.env = [\"PATH=/bin:/sbin\", \"FOO=bar\", \"TERM=dumb\"]
		| .process.args = [\"true\"]
		| .hooks = {
		prestart: [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"cat >$1/prestart.json\"]}],
		createContainer: [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"pwd >$1/cc.pwd; touch relfile\"]}],
		startContainer: [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"env | sort | grep -v ^PWD= >/start.env\"]}]}"
}

@test "hooks: prestart sees created, createContainer runs in the rootfs, startContainer has the process env" {
	record_hooks "$OUT"
	run_container
	assert_success
	assert_equal "$(jq -r .status "$OUT/prestart.json")" created
	assert_equal "$(cat "$OUT/cc.pwd")" "$BUNDLE/rootfs"
	[ -f "$BUNDLE/rootfs/relfile" ] || fail "createContainer's relative file is not in the rootfs"
	assert_equal "$(grep -v ^SHLVL= "$BUNDLE/rootfs/start.env" | xargs)" "FOO=bar PATH=/bin:/sbin TERM=dumb"
	assert_no_leftovers
	if have_runc; then
		rm -f "$BUNDLE/rootfs/relfile" "$BUNDLE/rootfs/start.env" "$OUT"/*
		run_runc
		assert_success
		# runc 1.1 hands prestart "creating" (README lists it).
		assert_equal "$(jq -r .status "$OUT/prestart.json")" creating
		assert_equal "$(cat "$OUT/cc.pwd")" "$BUNDLE/rootfs"
		[ -f "$BUNDLE/rootfs/relfile" ] || fail "runc: createContainer's relative file is not in the rootfs"
		# runc adds the user's HOME to the process env first.
		assert_equal "$(grep -v '^SHLVL=\|^HOME=' "$BUNDLE/rootfs/start.env" | xargs)" "FOO=bar PATH=/bin:/sbin TERM=dumb"
	fi
}

@test "hooks: a startContainer hook's own env replaces the process's" {
	update_config '.root.readonly = false | .process.env = ["PATH=/bin", "FOO=bar"]
		| .hooks.startContainer = [{path: "/bin/sh", args: ["sh", "-c", "env | grep -c FOO >/start.env; true"], env: ["X=1"]}]'
	run_container
	assert_success
	assert_equal "$(cat "$BUNDLE/rootfs/start.env")" 0
	assert_no_leftovers
}

# The freezer file of cgroup $1 (relative to ours) and the words that
# freeze and thaw it: v1's freezer where the host has one, else v2's.
freezer_of() {
	local mnt
	mnt=$(v1_mount freezer)
	if [ -n "$mnt" ]; then
		echo "$mnt$(sed -n 's/^[0-9]*:freezer://p' /proc/self/cgroup | sed 's:/$::')/$1/freezer.state FROZEN THAWED"
	else
		echo "$(unified_root)$(own_unified_cgroup)/$1/cgroup.freeze 1 0"
	fi
}

@test "cgroups: a container in a frozen cgroup is refused at create, nothing left" {
	local file on off
	read -r file on off <<<"$(freezer_of "$CGROUP_PARENT")"
	mkdir -p "$(dirname "$file")"
	echo "$on" >"$file"
	run_detached create --bundle "$BUNDLE" ctr
	echo "$off" >"$file"
	assert_failure
	assert_output_contains "cgroup $CGROUP_PARENT/ctr is frozen"
	[ ! -e "$ROOT/ctr" ] || fail "state directory left"
	assert_no_own_cgroup "$CGROUP_PARENT/ctr"
	assert_no_berth_processes
}

# pids.max of cgroup $1 (relative to ours), v1's pids hierarchy where the
# host has one, else v2's.
pids_max_of() {
	local mnt
	mnt=$(v1_mount pids)
	if [ -n "$mnt" ]; then
		cat "$mnt$(sed -n 's/^[0-9]*:pids://p' /proc/self/cgroup | sed 's:/$::')/$1/pids.max"
	else
		cat "$(unified_root)$(own_unified_cgroup)/$1/pids.max"
	fi
}

@test "cgroups: pids limit -1 and 0 mean unlimited, at create and in update" {
	local l
	update_config '.process.args = ["sleep", "1000"]'
	for l in -1 0; do
		update_config ".linux.resources = {pids: {limit: $l}}"
		run_detached run -d --bundle "$BUNDLE" ctr
		assert_success
		assert_equal "$(pids_max_of "$CGROUP_PARENT/ctr")" max
		berth delete --force ctr
		if have_runc; then
			make_peer_bundle
			runc --root "$PEER_ROOT" run -d --bundle "$PEER_BUNDLE" peer >/dev/null 2>&1 </dev/null
			assert_equal "$(pids_max_of "$PEER_CGROUP/ctr")" max
			runc --root "$PEER_ROOT" delete --force peer
		fi
	done
	# A limit lifted by update -1; an update of 0 leaves it as it is.
	update_config '.linux.resources = {pids: {limit: 10}}'
	run_detached run -d --bundle "$BUNDLE" ctr
	assert_success
	assert_equal "$(pids_max_of "$CGROUP_PARENT/ctr")" 10
	berth update --pids-limit 0 ctr
	assert_equal "$(pids_max_of "$CGROUP_PARENT/ctr")" 10
	berth update --pids-limit -1 ctr
	assert_equal "$(pids_max_of "$CGROUP_PARENT/ctr")" max
	if have_runc; then
		make_peer_bundle
		runc --root "$PEER_ROOT" run -d --bundle "$PEER_BUNDLE" peer >/dev/null 2>&1 </dev/null
		assert_equal "$(pids_max_of "$PEER_CGROUP/ctr")" 10
		runc --root "$PEER_ROOT" update --pids-limit -1 peer
		assert_equal "$(pids_max_of "$PEER_CGROUP/ctr")" max
	fi
}

# Make sub/deeper below cgroup $1 (relative to ours) in every hierarchy,
# as a container that manages cgroups of its own does.
make_sub_cgroups() {
	local d
	for d in $(own_cgroup_dirs "$1"); do
		mkdir -p "$d/sub/deeper"
	done
}

@test "cgroups: delete removes the cgroups made below the container's own" {
	update_config '.process.args = ["sleep", "1000"]'
	run_detached run -d --bundle "$BUNDLE" ctr
	assert_success
	make_sub_cgroups "$CGROUP_PARENT/ctr"
	run berth delete --force ctr
	assert_success
	assert_no_leftovers
	if have_runc; then
		make_peer_bundle
		runc --root "$PEER_ROOT" run -d --bundle "$PEER_BUNDLE" peer >/dev/null 2>&1 </dev/null
		make_sub_cgroups "$PEER_CGROUP/ctr"
		runc --root "$PEER_ROOT" delete --force peer
		assert_no_own_cgroup "$PEER_CGROUP/ctr"
	fi
}

# Move pid $2 into a cgroup "sub" below container cgroup $1, in every
# hierarchy, as a container's systemd moves its services.
move_to_sub_cgroup() {
	local d
	for d in $(own_cgroup_dirs "$1"); do
		mkdir -p "$d/sub"
		# A v1 cpuset takes no process before it has cpus and mems.
		if [ -f "$d/sub/cpuset.cpus" ]; then
			cat "$d/cpuset.cpus" >"$d/sub/cpuset.cpus"
			cat "$d/cpuset.mems" >"$d/sub/cpuset.mems"
		fi
		echo "$2" >"$d/sub/cgroup.procs"
	done
}

# The one pid of container cgroup $1 other than $2 (its init), once there.
second_pid() {
	local d
	d=$(own_cgroup_dirs "$1" | head -n 1)
	wait_for test "$(wc -l <"$d/cgroup.procs")" -eq 2 || return 1
	grep -vx "$2" "$d/cgroup.procs"
}

# Gone, or a zombie its parent (a sleep) never reaps.
process_ended() {
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
	[ -z "$state" ] || [ "$state" = Z ]
}

# ps and kill --all with SIGTERM, which the init (pid 1 of its namespace,
# without a handler) ignores: only the process in the sub-cgroup ends.
check_sub_cgroup_reached() {
	local runtime=$1 root=$2 cgroup=$3 id=$4 init child
	init=$("$runtime" --root "$root" state "$id" | jq .pid)
	child=$(second_pid "$cgroup" "$init")
	[ -n "$child" ]
	move_to_sub_cgroup "$cgroup" "$child"
	run "$runtime" --root "$root" ps --format json "$id"
	assert_success
	jq -e --argjson p "$child" 'index($p) != null' <<<"$output" >/dev/null
	run "$runtime" --root "$root" kill --all "$id" TERM
	assert_success
	wait_for process_ended "$child"
	! process_ended "$init"
}

@test "cgroups: ps and kill --all reach a process in a sub-cgroup of the container's" {
	update_config '.process.args = ["sh", "-c", "sleep 1001 & exec sleep 1000"]'
	run_detached run -d --bundle "$BUNDLE" ctr
	assert_success
	check_sub_cgroup_reached "$BERTH" "$ROOT" "$CGROUP_PARENT/ctr" ctr
	run berth delete --force ctr
	assert_success
	assert_no_leftovers
	if have_runc; then
		make_peer_bundle
		runc --root "$PEER_ROOT" run -d --bundle "$PEER_BUNDLE" peer >/dev/null 2>&1 </dev/null
		check_sub_cgroup_reached runc "$PEER_ROOT" "$PEER_CGROUP/ctr" peer
		runc --root "$PEER_ROOT" delete --force peer
		assert_no_own_cgroup "$PEER_CGROUP/ctr"
	fi
}

@test "seccomp: a syscall above every one the profile names gets ENOSYS, an unnamed lower one the default errno" {
	local want
	if [ "$(uname -m)" != x86_64 ]; then
		fail "this test knows x86_64's syscall numbers only"
	fi
	cp "$HELPERS/sysprobe" "$BUNDLE/rootfs/bin/sysprobe"
	# berth's default profile (errno EPERM by default) names no syscall
	# near 1000, nor kexec_load (246) for an unprivileged container.
	update_config '.process.args = ["sh", "-c", "for n in 246 1000; do sysprobe $n; done; exit 0"]'
	run_container
	assert_success
	want="errno 1 Operation not permitted
errno 38 Function not implemented"
	assert_equal "$output" "$want"
	assert_no_leftovers
	if have_runc; then
		run_runc
		assert_success
		assert_equal "$output" "$want"
	fi
}

# x32 calls are x86_64 numbers with bit 30 set: with SCMP_ARCH_X32 in the
# profile they get the stub's ENOSYS above the highest x32 name as well.
@test "seccomp: with x32 listed, an x32 call above every x32 name gets ENOSYS, a lower unnamed one the default errno" {
	local want
	if [ "$(uname -m)" != x86_64 ]; then
		fail "this test knows x86_64's syscall numbers only"
	fi
	cp "$HELPERS/sysprobe" "$BUNDLE/rootfs/bin/sysprobe"
	# 0x40000000 + 110 is x32's getppid (unnamed, below x32's highest
	# name in the default profile); + 1000 is above every one.  The default
	# errno is EPERM here (the default profile says ENOSYS itself).
	update_config '.linux.seccomp.architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]
		| .linux.seccomp.defaultErrnoRet = 1
		| .linux.seccomp.syscalls |= map(.names -= ["getppid"])
		| .process.args = ["sh", "-c", "for n in 1073741934 1073742824; do sysprobe $n; done; exit 0"]'
	run_container
	assert_success
	want="errno 1 Operation not permitted
errno 38 Function not implemented"
	assert_equal "$output" "$want"
	assert_no_leftovers
	if have_runc; then
		run_runc
		assert_success
		assert_equal "$output" "$want"
	fi
}

@test "seccomp notify: a missing agent and a dead one fail create, each with a clear error" {
	local sock=$BATS_TEST_TMPDIR/agent.sock
	update_config ".linux.seccomp.listenerPath = \"$sock\"
		| .linux.seccomp.syscalls += [{names: [\"getppid\"], action: \"SCMP_ACT_NOTIFY\"}]
		| .process.args = [\"true\"]"
	run_detached create --bundle "$BUNDLE" ctr
	assert_failure
	assert_output_contains "seccomp agent $sock: No such file or directory"
	assert_no_leftovers
	assert_no_berth_processes
	if have_runc; then
		make_peer_bundle
		run runc --root "$PEER_ROOT" create --bundle "$PEER_BUNDLE" peer
		assert_failure
		assert_output_contains "failed to connect with seccomp agent"
	fi
	# Bound but nobody listens: what an agent that died leaves.  berth
	# installs a filter that notifies at create, as runc does, and
	# reaches the agent then.
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$sock"
	run_detached create --bundle "$BUNDLE" ctr
	assert_failure
	assert_output_contains "seccomp agent $sock"
	assert_output_contains "Connection refused"
	assert_no_leftovers
	assert_no_berth_processes
	if have_runc; then
		run runc --root "$PEER_ROOT" create --bundle "$PEER_BUNDLE" peer
		assert_failure
		assert_output_contains "failed to connect with seccomp agent"
		runc --root "$PEER_ROOT" delete --force peer 2>/dev/null || true
	fi
}
