#!/usr/bin/env bats
# berth exec: a process in a running container's namespaces, cgroup and
# root, with its restrictions, as podman, containerd and docker call it.

load helpers

FIXTURES=$REPO/tests/unit/fixtures/clients

setup() {
	setup_bundle
	update_config '.process.args = ["sleep", "1000"] | .annotations = {"a": "1"}'
}
teardown() {
	if [ -n "${PEER_ROOT:-}" ]; then
		runc --root "$PEER_ROOT" delete --force peer >/dev/null 2>&1 || true
		remove_own_cgroups "$CGROUP_PARENT-runc"
	fi
	cleanup_containers
}

# Run the container in the background, wait until it runs.
start_ctr() {
	berth run --detach --bundle "$BUNDLE" "${1:-ctr}"
	INIT_PID=$(berth state "${1:-ctr}" | jq -r .pid)
	[ "$INIT_PID" -gt 0 ]
}

procs_in_cgroup() {
	cat "$(cgroup_dir)/cgroup.procs"
}

@test "exec joins every namespace of the container's init" {
	start_ctr
	for ns in mnt uts ipc net pid cgroup user time; do
		[ -e "/proc/$INIT_PID/ns/$ns" ] || continue
		run berth exec ctr readlink "/proc/self/ns/$ns"
		assert_success
		assert_equal "$output" "$(readlink "/proc/$INIT_PID/ns/$ns")"
	done
	# The host's own namespaces are not the container's.
	[ "$(readlink /proc/self/ns/mnt)" != "$(readlink "/proc/$INIT_PID/ns/mnt")" ]
}

# One setns enters every namespace of the init, those it shares with the
# host too (entering one's own changes nothing); runc enters the same.
@test "exec into a container that shares the host's network, ipc, uts and cgroup namespaces (as runc)" {
	update_config '.linux.namespaces = [{"type": "pid"}, {"type": "mount"}] | del(.hostname)'
	echo in-the-rootfs >"$BUNDLE/rootfs/marker"
	start_ctr
	for ns in pid mnt net ipc uts cgroup; do
		run berth exec ctr readlink "/proc/self/ns/$ns"
		assert_success
		assert_equal "$output" "$(readlink "/proc/$INIT_PID/ns/$ns")"
	done
	for ns in net ipc uts; do
		assert_equal "$(readlink "/proc/$INIT_PID/ns/$ns")" "$(readlink "/proc/self/ns/$ns")"
	done
	# The container's root and pid 1, not the host's.
	run berth exec ctr sh -c 'pwd; cat /marker; tr "\0" " " </proc/1/cmdline'
	assert_success
	assert_equal "${lines[0]}" /
	assert_equal "${lines[1]}" in-the-rootfs
	assert_equal "${lines[2]}" "sleep 1000 "
	if command -v runc >/dev/null; then
		PEER_ROOT=$BATS_TEST_TMPDIR/runc
		mkdir -p "$BATS_TEST_TMPDIR/peer"
		jq --arg r "$BUNDLE/rootfs" --arg c "$CGROUP_PARENT-runc/ctr" \
			'.root.path = $r | .linux.cgroupsPath = $c' "$BUNDLE/config.json" >"$BATS_TEST_TMPDIR/peer/config.json"
		# Its output to a file: the detached container keeps what it is given.
		runc --root "$PEER_ROOT" run -d --bundle "$BATS_TEST_TMPDIR/peer" peer </dev/null \
			>"$BATS_TEST_TMPDIR/runc.log" 2>&1 || fail "runc run: $(cat "$BATS_TEST_TMPDIR/runc.log")"
		local pid
		pid=$(runc --root "$PEER_ROOT" state peer | jq -r .pid)
		for ns in pid mnt net ipc uts cgroup; do
			run runc --root "$PEER_ROOT" exec peer readlink "/proc/self/ns/$ns"
			assert_success
			assert_equal "$output" "$(readlink "/proc/$pid/ns/$ns")"
		done
	fi
}

@test "exec into a container with a user namespace" {
	require_userns
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .root.readonly = false'
	chown -R 100000:100000 "$BUNDLE/rootfs"
	make_bundle_reachable
	start_ctr
	for ns in user mnt pid; do
		run berth exec ctr readlink "/proc/self/ns/$ns"
		assert_success
		assert_equal "$output" "$(readlink "/proc/$INIT_PID/ns/$ns")"
	done
	run berth exec --user 1000:1000 ctr sh -c 'id -u; cat /proc/self/uid_map; touch /tmp/f; stat -c %u /tmp/f'
	assert_success
	assert_equal "${lines[0]}" 1000
	[[ "${lines[1]}" =~ ^\ +0\ +100000\ +65536$ ]]
	assert_equal "${lines[2]}" 1000
	assert_equal "$(stat -c %u "$BUNDLE/rootfs/tmp/f")" 101000
}

@test "exec into a container with a time namespace" {
	update_config '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"boottime": {"secs": 172800, "nanosecs": 0}}'
	start_ctr
	run berth exec ctr readlink /proc/self/ns/time
	assert_equal "$output" "$(readlink "/proc/$INIT_PID/ns/time")"
	# The container's clock: two days ahead.
	run berth exec ctr cat /proc/self/timens_offsets
	[[ "$output" =~ boottime\ +172800\ +0 ]]
}

@test "exec sees the container's hostname, pid 1, mounts and cgroup" {
	start_ctr
	run berth exec ctr hostname
	assert_success
	assert_equal "$output" berth
	# The init is pid 1 of the namespace the process is in.
	run berth exec ctr sh -c 'tr "\0" " " </proc/1/cmdline'
	assert_success
	assert_equal "$output" "sleep 1000 "
	run berth exec ctr sh -c 'echo $$'
	assert_success
	[ "$output" -gt 1 ]
	[ "$output" -lt 100 ]
	# The same mounts, seen from the same root: mount ids and mount
	# points as the host sees the init's (a cgroup mount's root column
	# depends on the reader's cgroup namespace)...
	run berth exec ctr cat /proc/self/mountinfo
	assert_success
	assert_equal "$(echo "$output" | awk '{print $1, $2, $5}')" \
		"$(awk '{print $1, $2, $5}' "/proc/$INIT_PID/mountinfo")"
	# ... and every column as the init sees its own.
	run berth exec ctr sh -c 'cat /proc/self/mountinfo; echo; cat /proc/1/mountinfo'
	assert_success
	assert_equal "${output%%$'\n\n'*}" "${output#*$'\n\n'}"
	# The same cgroup, inside and out.
	run berth exec ctr sh -c 'cat /proc/self/cgroup; echo; cat /proc/1/cgroup'
	assert_success
	local self=${output%%$'\n\n'*} init=${output#*$'\n\n'}
	assert_equal "$self" "$init"
	berth exec --detach --pid-file "$BATS_TEST_TMPDIR/pid" ctr sleep 1000 >/dev/null 2>&1
	assert_equal "$(cat "/proc/$(cat "$BATS_TEST_TMPDIR/pid")/cgroup")" "$(cat "/proc/$INIT_PID/cgroup")"
	grep -qx "$(cat "$BATS_TEST_TMPDIR/pid")" "$(cgroup_dir)/cgroup.procs"
}

@test "exec enters the container's root, also when it was made with --no-pivot" {
	for pivot in "" --no-pivot; do
		berth create $pivot --bundle "$BUNDLE" ctr
		berth start ctr
		echo "marker$pivot" >"$BUNDLE/rootfs/marker"
		run berth exec ctr cat /marker
		assert_success
		assert_equal "$output" "marker$pivot"
		run berth exec ctr stat -c %i /
		assert_equal "$output" "$(stat -c %i "$BUNDLE/rootfs")"
		berth delete --force ctr
	done
}

@test "exec --detach --pid-file: digits only, the process runs in the container" {
	start_ctr
	# A detached process keeps stdio: not `run`, whose pipe it would hold.
	berth exec --detach --pid-file "$BATS_TEST_TMPDIR/exec.pid" ctr sleep 1000 \
		>"$BATS_TEST_TMPDIR/out" 2>&1 </dev/null
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" ""
	# containerd parses the file as a bare integer: no newline.
	[[ "$(cat "$BATS_TEST_TMPDIR/exec.pid")" =~ ^[0-9]+$ ]]
	assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/exec.pid")" 0
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	assert_equal "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "sleep 1000 "
	assert_equal "$(readlink "/proc/$pid/ns/pid")" "$(readlink "/proc/$INIT_PID/ns/pid")"
	# It runs the container's program, not berth any more.
	[[ "$(readlink "/proc/$pid/exe")" == */bin/busybox ]]
}

@test "exec --detach: the process stays a child of the caller's subreaper" {
	start_ctr
	# As conmon and containerd-shim do: a subreaper calls exec --detach
	# and later reaps the process itself.
	run python3 - "$BERTH" "$ROOT" "$BATS_TEST_TMPDIR/exec.pid" <<'EOF'
import ctypes, os, subprocess, sys, time
berth, root, pidfile = sys.argv[1:4]
libc = ctypes.CDLL(None, use_errno=True)
assert libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
subprocess.run([berth, "--root", root, "exec", "--detach", "--pid-file", pidfile,
                "ctr", "sh", "-c", "sleep 0.5; exit 7"], check=True)
pid = int(open(pidfile).read())
ppid = int(open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()[1])
_, status = os.waitpid(pid, 0)
print(ppid == os.getpid(), os.WEXITSTATUS(status))
EOF
	assert_success
	assert_equal "$output" "True 7"
}

@test "exec with a terminal over --console-socket (detached, as podman)" {
	start_ctr
	"$HELPERS/recvtty" "$BATS_TEST_TMPDIR/tty.sock" >"$BATS_TEST_TMPDIR/tty.out" &
	local recv=$!
	wait_for test -S "$BATS_TEST_TMPDIR/tty.sock"
	run berth exec --detach --tty --console-socket "$BATS_TEST_TMPDIR/tty.sock" ctr \
		sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo stdio-is-tty; ls -l /proc/self/fd/0'
	assert_success
	wait "$recv"
	run cat "$BATS_TEST_TMPDIR/tty.out"
	assert_output_contains "/dev/pts/"
	assert_output_contains "stdio-is-tty"
}

@test "exec --process with a terminal and console size (containerd's process.json)" {
	start_ctr
	jq '.consoleSize = {"height": 31, "width": 97} | .args = ["sh", "-c", "stty size; tty"]' \
		"$FIXTURES/containerd-exec-tty.process.json" >"$BATS_TEST_TMPDIR/process.json"
	"$HELPERS/recvtty" "$BATS_TEST_TMPDIR/tty.sock" >"$BATS_TEST_TMPDIR/tty.out" &
	local recv=$!
	wait_for test -S "$BATS_TEST_TMPDIR/tty.sock"
	berth exec --process "$BATS_TEST_TMPDIR/process.json" --detach \
		--console-socket "$BATS_TEST_TMPDIR/tty.sock" --pid-file "$BATS_TEST_TMPDIR/p" ctr
	wait "$recv"
	run cat "$BATS_TEST_TMPDIR/tty.out"
	assert_output_contains "31 97"
	assert_output_contains "/dev/pts/"
}

@test "exec with a terminal in the foreground copies its output" {
	start_ctr
	run berth exec --tty ctr sh -c 'tty; echo done'
	assert_success
	assert_output_contains "/dev/pts/"
	assert_output_contains "done"
}

@test "exec --env, --cwd, --user, --additional-gids, --cap reach the process" {
	start_ctr
	run berth exec --env FOO=bar -e TERM=dumb --cwd /tmp --user 1000:1000 \
		--additional-gids 10 --additional-gids=20 --cap CAP_SYS_TIME ctr \
		sh -c 'echo "foo=$FOO term=$TERM"; pwd; grep -E "^(Uid|Gid|Groups|CapBnd|CapEff|NoNewPrivs):" /proc/self/status'
	assert_success
	assert_output_contains "foo=bar term=dumb"
	assert_output_contains $'\n/tmp\n'
	assert_output_contains $'Uid:\t1000\t1000\t1000\t1000'
	assert_output_contains $'Gid:\t1000\t1000\t1000\t1000'
	assert_output_contains $'Groups:\t10 20'
	# The default bounding set (AUDIT_WRITE, KILL, NET_BIND_SERVICE) plus
	# SYS_TIME; a non-root user keeps no effective capabilities.
	assert_output_contains $'CapBnd:\t0000000022000420'
	assert_output_contains $'CapEff:\t0000000000000000'
	assert_output_contains $'NoNewPrivs:\t1'
	# TERM was replaced, not added twice.
	run berth exec -e TERM=dumb ctr sh -c 'env | grep -c ^TERM='
	assert_equal "$output" 1
	# As root, the added capability is effective.
	run berth exec --cap CAP_SYS_TIME ctr grep CapEff /proc/self/status
	assert_equal "$output" $'CapEff:\t0000000022000420'
}

@test "exec --user UID keeps the process's gid; --no-new-privs=false keeps seccomp without CAP_SYS_ADMIN" {
	start_ctr
	run berth exec --user 1000 --no-new-privs=false ctr \
		grep -E "^(Uid|Gid|CapPrm|CapEff|NoNewPrivs|Seccomp):" /proc/self/status
	assert_success
	assert_output_contains $'Uid:\t1000\t1000\t1000\t1000'
	assert_output_contains $'Gid:\t0\t0\t0\t0'
	assert_output_contains $'NoNewPrivs:\t0'
	# The filter went in (that takes CAP_SYS_ADMIN without no_new_privs)
	# and the capability did not survive execve.
	assert_output_contains $'Seccomp:\t2'
	assert_output_contains $'CapPrm:\t0000000000000000'
	run berth exec --no-new-privs=false ctr grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status
	assert_success
	assert_output_contains $'CapEff:\t0000000020000420'
	assert_output_contains $'NoNewPrivs:\t0'
	assert_output_contains $'Seccomp:\t2'
}

@test "exec --no-new-privs sets it over a process that has it off" {
	update_config '.process.noNewPrivileges = false'
	start_ctr
	run berth exec ctr grep NoNewPrivs /proc/self/status
	assert_equal "$output" $'NoNewPrivs:\t0'
	run berth exec --no-new-privs ctr grep NoNewPrivs /proc/self/status
	assert_equal "$output" $'NoNewPrivs:\t1'
}

@test "exec --process: podman's process.json with user, env and cwd" {
	start_ctr
	run berth exec --process "$FIXTURES/podman-exec-user-env-workdir.process.json" ctr
	assert_success
	assert_equal "$output" "bar
/tmp
uid=1000(user) gid=1000(user)"
	# Its rlimits apply, not the caller's.
	jq '.args = ["sh", "-c", "ulimit -n; ulimit -u"]' \
		"$FIXTURES/podman-exec.process.json" >"$BATS_TEST_TMPDIR/p.json"
	run berth exec --process "$BATS_TEST_TMPDIR/p.json" ctr
	assert_success
	assert_equal "$output" "1024
1024"
	# ARGS after the id replace the file's.
	run berth exec --process "$FIXTURES/docker-exec.process.json" ctr echo replaced
	assert_equal "$output" "replaced"
}

@test "exec --process without capabilities or rlimits gets the container's" {
	start_ctr
	echo '{"args": ["sh", "-c", "grep -E \"^Cap(Bnd|Eff)\" /proc/self/status; ulimit -n"], "cwd": "/"}' \
		>"$BATS_TEST_TMPDIR/bare.json"
	run berth exec --process "$BATS_TEST_TMPDIR/bare.json" ctr
	assert_success
	assert_equal "$output" $'CapEff:\t0000000020000420\nCapBnd:\t0000000020000420\n1024'
}

@test "exec: exit status propagates, 128+N when killed by signal N" {
	start_ctr
	run berth exec ctr sh -c 'exit 3'
	assert_failure 3
	run berth exec ctr sh -c 'kill -9 $$'
	assert_failure 137
	run berth exec --process "$FIXTURES/docker-exec.process.json" ctr
	assert_failure 5
	assert_equal "$output" exec-out
}

@test "exec forwards signals in the foreground" {
	start_ctr
	# The binary itself, not the berth function: $! must be berth's pid.
	"$BERTH" --root "$ROOT" exec ctr \
		sh -c 'trap "echo got-term; exit 42" TERM; echo ready; while :; do sleep 0.1; done' \
		>"$BATS_TEST_TMPDIR/out" &
	local pid=$!
	wait_for grep -q ready "$BATS_TEST_TMPDIR/out"
	kill -TERM "$pid"
	local status=0
	wait "$pid" || status=$?
	assert_equal "$status" 42
	grep -q got-term "$BATS_TEST_TMPDIR/out"
}

@test "exec --preserve-fds passes the caller's fds, and nothing else" {
	start_ctr
	echo preserved >"$BATS_TEST_TMPDIR/data"
	run berth exec --preserve-fds 1 ctr sh -c 'cat <&3' 3<"$BATS_TEST_TMPDIR/data"
	assert_success
	assert_equal "$output" preserved
	# Without it: only stdio (and ls's own directory fd).
	run berth exec ctr ls /proc/self/fd 4<"$BATS_TEST_TMPDIR/data"
	assert_success
	assert_equal "$(echo $output)" "0 1 2 3"
}

@test "exec into a created container runs (as runc), and leaves it created" {
	berth create --bundle "$BUNDLE" ctr
	run berth exec ctr cat /proc/self/cgroup
	assert_success
	assert_output_contains "0::/"
	assert_equal "$(procs_in_cgroup | wc -l)" 1
	assert_equal "$(container_status ctr)" created
}

@test "exec into a stopped container is refused" {
	update_config '.process.args = ["true"]'
	berth create --bundle "$BUNDLE" ctr
	berth start ctr
	wait_for sh -c "[ \"\$(\"$BERTH\" --root \"$ROOT\" state ctr | jq -r .status)\" = stopped ]"
	run berth exec ctr true
	assert_failure 1
	assert_output_contains 'cannot exec in container "ctr": it is stopped, not running'
	run berth exec nosuch true
	assert_failure 1
	assert_output_contains 'container "nosuch" does not exist'
}

@test "exec of a missing program: the wording clients map to 127, nothing left" {
	start_ctr
	run berth exec ctr no-such-program
	assert_failure 1
	assert_output_contains 'exec: "no-such-program": executable file not found in $PATH'
	run berth exec ctr /etc/passwd
	assert_failure 1
	assert_output_contains 'permission denied'
	assert_equal "$(procs_in_cgroup)" "$INIT_PID"
}

@test "exec refuses bad flags before making any process" {
	start_ctr
	run berth exec ctr
	assert_failure 1
	assert_output_contains "exec: no command"
	run berth exec --user nobody ctr true
	assert_failure 1
	assert_output_contains '--user: expected a number, got "nobody"'
	run berth exec --cap CAP_NO_SUCH ctr true
	assert_failure 1
	assert_output_contains 'unknown capability "CAP_NO_SUCH"'
	run berth exec -e NOEQUALS ctr true
	assert_failure 1
	assert_output_contains 'expected KEY=VALUE'
	run berth exec --cwd relative ctr true
	assert_failure 1
	assert_output_contains 'must be an absolute path'
	run berth exec --detach --tty ctr true
	assert_failure 1
	assert_output_contains 'needs --console-socket'
	run berth exec --process "$BATS_TEST_TMPDIR/missing.json" ctr
	assert_failure 1
	assert_output_contains 'missing.json'
	assert_equal "$(procs_in_cgroup)" "$INIT_PID"
}

@test "exec --apparmor and --process-label fail clearly where the module is off" {
	[ ! -e /sys/kernel/security/apparmor ] || skip "AppArmor is active here"
	[ ! -e /sys/fs/selinux/enforce ] || skip "SELinux is active here"
	start_ctr
	run berth exec --apparmor berth-test ctr true
	assert_failure 1
	assert_output_contains 'apparmor profile "berth-test": AppArmor is not available on this kernel'
	run berth exec --process-label system_u:system_r:container_t:s0 ctr true
	assert_failure 1
	assert_output_contains 'SELinux is not available on this kernel'
	assert_equal "$(procs_in_cgroup)" "$INIT_PID"
	# create refuses them the same way, before making anything.
	update_config '.process.apparmorProfile = "berth-test"'
	run berth create --bundle "$BUNDLE" ctr2
	assert_failure 1
	assert_output_contains '.process: apparmor profile "berth-test": AppArmor is not available'
	[ ! -e "$ROOT/ctr2" ] && [ ! -e "$(cgroup_dir ctr2)" ]
}

@test "kill --all also kills exec'd processes" {
	start_ctr
	berth exec --detach --pid-file "$BATS_TEST_TMPDIR/p1" ctr sleep 1000 >/dev/null 2>&1
	berth exec --detach --pid-file "$BATS_TEST_TMPDIR/p2" ctr sh -c 'sleep 1000; true' >/dev/null 2>&1
	local p1 p2
	p1=$(cat "$BATS_TEST_TMPDIR/p1")
	p2=$(cat "$BATS_TEST_TMPDIR/p2")
	assert_equal "$(procs_in_cgroup | wc -l)" 4
	berth kill --all ctr 9
	wait_for sh -c "! kill -0 $p1 2>/dev/null && ! kill -0 $p2 2>/dev/null"
	wait_for sh -c "[ -z \"\$(cat $(cgroup_dir)/cgroup.procs)\" ]"
	berth delete ctr
	assert_no_leftovers
}

@test "delete --force takes exec'd processes along" {
	start_ctr
	berth exec --detach --pid-file "$BATS_TEST_TMPDIR/p1" ctr sleep 1000 >/dev/null 2>&1
	local p1
	p1=$(cat "$BATS_TEST_TMPDIR/p1")
	berth delete --force ctr
	wait_for sh -c "! kill -0 $p1 2>/dev/null"
	assert_no_leftovers
}

@test "exec applies the container's seccomp profile" {
	cp "$HELPERS/sysprobe" "$BUNDLE/rootfs/bin/sysprobe"
	start_ctr
	run berth exec ctr sysprobe keyctl 0 -3 0
	assert_failure 1
	assert_equal "$output" "errno 1 Operation not permitted"
	run berth exec ctr grep Seccomp: /proc/self/status
	assert_equal "$output" $'Seccomp:\t2'
}

# exec takes the container's restrictions from the config create stored
# in its state directory: a bundle's config.json changed since (its
# seccomp profile gone) changes nothing, as with runc.  berth takes the
# process from that copy too, where runc 1.1 reads the bundle's file for
# the process's fields (its env and cwd) when exec gets no --process.
@test "a bundle's config.json changed after create does not change exec's restrictions (as runc)" {
	update_config '.process.args = ["sleep", "1000"] | .process.env += ["FROM=create"]'
	cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/created.json"
	start_ctr
	update_config '.process.env += ["FROM=changed"] | .process.cwd = "/tmp" | del(.linux.seccomp)'
	run berth exec ctr sh -c 'echo "$FROM $(pwd)"; grep Seccomp: /proc/self/status'
	assert_success
	assert_equal "${lines[0]}" "create /"
	assert_equal "${lines[1]}" $'Seccomp:\t2'
	# With its own process.json too.
	jq '.process | .args = ["grep", "Seccomp:", "/proc/self/status"]' \
		"$BATS_TEST_TMPDIR/created.json" >"$BATS_TEST_TMPDIR/process.json"
	run berth exec --process "$BATS_TEST_TMPDIR/process.json" ctr
	assert_success
	assert_equal "$output" $'Seccomp:\t2'
	if command -v runc >/dev/null; then
		PEER_ROOT=$BATS_TEST_TMPDIR/runc
		mkdir -p "$BATS_TEST_TMPDIR/peer"
		jq --arg r "$BUNDLE/rootfs" --arg c "$CGROUP_PARENT-runc/ctr" \
			'.root.path = $r | .linux.cgroupsPath = $c' "$BATS_TEST_TMPDIR/created.json" \
			>"$BATS_TEST_TMPDIR/peer/config.json"
		runc --root "$PEER_ROOT" run -d --bundle "$BATS_TEST_TMPDIR/peer" peer </dev/null \
			>"$BATS_TEST_TMPDIR/runc.log" 2>&1 || fail "runc run: $(cat "$BATS_TEST_TMPDIR/runc.log")"
		jq 'del(.linux.seccomp)' "$BATS_TEST_TMPDIR/peer/config.json" >"$BATS_TEST_TMPDIR/c"
		cp "$BATS_TEST_TMPDIR/c" "$BATS_TEST_TMPDIR/peer/config.json"
		run runc --root "$PEER_ROOT" exec peer grep Seccomp: /proc/self/status
		assert_success
		assert_equal "$output" $'Seccomp:\t2'
	fi
}
