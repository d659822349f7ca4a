#!/usr/bin/env bats
# The root, the OCI mounts, /dev, masked and read-only paths, sysctl.

load helpers

setup() {
	setup_bundle
	HOSTDIR=$BATS_TEST_TMPDIR/hostdir
	mkdir -p "$HOSTDIR/sub"
	echo host-data >"$HOSTDIR/file"
}
teardown() { cleanup_containers; }

# mountinfo fields of the mount at PATH inside: "<options> <fstype> <super options>"
mount_line() { echo "$output" | awk -v p="$1" '$5 == p'; }

@test "bind mount: content shared, read-only when asked" {
	update_config ".mounts += [{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"bind\", \"ro\", \"nosuid\", \"nodev\"]}]
		| .process.args = [\"sh\", \"-c\", \"cat /data/file; touch /data/new 2>&1; grep ' /data ' /proc/self/mountinfo\"]"
	run_container
	assert_success
	assert_equal "${lines[0]}" host-data
	assert_output_contains "Read-only file system"
	echo "${lines[2]}" | grep -q " /data ro,nosuid,nodev"
	[ ! -e "$HOSTDIR/new" ]
}

@test "bind mount: rw by default, a relative source is inside the bundle" {
	mkdir -p "$BUNDLE/shared"
	update_config '.mounts += [{"destination": "/data", "type": "bind", "source": "shared", "options": ["rbind"]}]
		| .process.args = ["sh", "-c", "echo hello > /data/out"]'
	run_container
	assert_success
	assert_equal "$(cat "$BUNDLE/shared/out")" hello
}

@test "bind mount of a file onto a missing target creates the file" {
	update_config ".mounts += [{\"destination\": \"/etc/special\", \"type\": \"bind\", \"source\": \"$HOSTDIR/file\", \"options\": [\"bind\"]}]
		| .root.readonly = false
		| .process.args = [\"cat\", \"/etc/special\"]"
	run_container
	assert_success
	assert_equal "$output" host-data
}

@test "rbind keeps submounts, bind does not; rro makes them all read-only" {
	mkdir -p "$HOSTDIR/sub"
	mount -t tmpfs -o size=1m tmpfs "$HOSTDIR/sub"
	echo sub >"$HOSTDIR/sub/x"
	update_config ".mounts += [
		{\"destination\": \"/r\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"rbind\", \"rro\"]},
		{\"destination\": \"/b\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"bind\"]}]
		| .process.args = [\"sh\", \"-c\", \"cat /r/sub/x; ls /b/sub | wc -l; grep ' /r/sub ' /proc/self/mountinfo\"]"
	run_container
	umount "$HOSTDIR/sub"
	assert_success
	assert_equal "${lines[0]}" sub
	assert_equal "${lines[1]}" 0
	echo "${lines[2]}" | grep -q " /r/sub ro,"
}

@test "propagation: rslave bind sees later host mounts, rprivate does not" {
	update_config ".mounts += [
		{\"destination\": \"/slave\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"rbind\", \"rslave\"]},
		{\"destination\": \"/private\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"rbind\", \"rprivate\"]}]
		| .process.args = [\"sh\", \"-c\", \"while [ ! -e /slave/sub/go ]; do sleep 0.05; done; ls /slave/sub; ls /private/sub | wc -l\"]"
	mount --make-shared --bind "$HOSTDIR" "$HOSTDIR"
	berth run --bundle "$BUNDLE" ctr >"$BATS_TEST_TMPDIR/out" 2>&1 &
	local pid=$!
	wait_status ctr running
	mount -t tmpfs -o size=1m tmpfs "$HOSTDIR/sub"
	touch "$HOSTDIR/sub/go"
	local rc=0
	wait "$pid" || rc=$?
	umount "$HOSTDIR/sub"
	umount "$HOSTDIR"
	assert_equal "$rc" 0
	assert_equal "$(sed -n 1p "$BATS_TEST_TMPDIR/out")" go
	assert_equal "$(sed -n 2p "$BATS_TEST_TMPDIR/out")" 0
}

@test "tmpfs with size, mode and noexec; the host sees nothing" {
	update_config '.mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["size=2m", "mode=1700", "noexec", "nosuid"]}]
		| .process.args = ["sh", "-c", "stat -c %a /scratch; grep \" /scratch \" /proc/self/mountinfo; echo x > /scratch/f"]'
	run_container
	assert_success
	assert_equal "${lines[0]}" 1700
	echo "${lines[1]}" | grep -q "rw,nosuid,noexec.* tmpfs tmpfs .*size=2048k"
	[ ! -e "$BUNDLE/rootfs/scratch/f" ]
}

@test "tmpcopyup: the tmpfs starts with what it covers" {
	mkdir -p "$BUNDLE/rootfs/seed/deep"
	echo seeded >"$BUNDLE/rootfs/seed/deep/f"
	ln -s deep/f "$BUNDLE/rootfs/seed/link"
	chmod 0750 "$BUNDLE/rootfs/seed/deep"
	update_config '.mounts += [{"destination": "/seed", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup"]}]
		| .process.args = ["sh", "-c", "cat /seed/link; stat -c %a /seed/deep; echo new > /seed/added; grep \" /seed \" /proc/self/mountinfo"]'
	run_container
	assert_success
	assert_equal "${lines[0]}" seeded
	assert_equal "${lines[1]}" 750
	echo "${lines[2]}" | grep -q " tmpfs "
	[ ! -e "$BUNDLE/rootfs/seed/added" ]
}

@test "a symlink in the rootfs cannot point a mount at the host" {
	# /escape -> ../../../../.. : resolved inside the root it is "/".
	ln -s ../../../../../../../../tmp "$BUNDLE/rootfs/escape"
	mkdir -p "$BATS_TEST_TMPDIR/victim"
	update_config '.mounts += [{"destination": "/escape/victim", "type": "tmpfs", "source": "tmpfs"}]
		| .root.readonly = false
		| .process.args = ["sh", "-c", "grep \" /tmp/victim \" /proc/self/mountinfo"]'
	run_container
	assert_success
	# mounted on the container's /tmp/victim...
	echo "$output" | grep -q " /tmp/victim "
	# ...and never on the host
	if grep -q "victim" /proc/self/mountinfo; then fail "unexpectedly true"; fi
	[ -d "$BUNDLE/rootfs/tmp/victim" ]
}

@test "an absolute symlink to a host path stays in the root too" {
	ln -s "$BATS_TEST_TMPDIR" "$BUNDLE/rootfs/abs"
	update_config '.mounts += [{"destination": "/abs/x", "type": "tmpfs", "source": "tmpfs"}]
		| .root.readonly = false
		| .process.args = ["true"]'
	run_container
	assert_success
	[ ! -e "$BATS_TEST_TMPDIR/x" ]
	[ -d "$BUNDLE/rootfs$BATS_TEST_TMPDIR/x" ]
}

@test "read-only root; a writable root when not asked" {
	update_config '.process.args = ["sh", "-c", "touch /f 2>&1; awk \"\\$5 == \\\"/\\\"\" /proc/self/mountinfo"]'
	run_container
	assert_success
	assert_output_contains "Read-only file system"
	update_config '.root.readonly = false | .process.args = ["sh", "-c", "touch /f && echo wrote"]'
	run_container
	assert_success
	assert_equal "$output" wrote
	rm -f "$BUNDLE/rootfs/f"
}

@test "masked paths: files under /dev/null, directories under an empty read-only tmpfs" {
	update_config '.process.args = ["sh", "-c", "cat /proc/keys | wc -c; ls /proc/acpi | wc -l; grep \" /proc/acpi \" /proc/self/mountinfo; stat -c %t:%T /proc/keys"]'
	run_container
	assert_success
	assert_equal "${lines[0]}" 0
	assert_equal "${lines[1]}" 0
	echo "${lines[2]}" | grep -q " /proc/acpi ro,"
	assert_equal "${lines[3]}" 1:3
}

@test "read-only paths: /proc/sys cannot be written" {
	update_config '.process.args = ["sh", "-c", "echo 1 > /proc/sys/kernel/ns_last_pid 2>&1; grep \" /proc/sys \" /proc/self/mountinfo"]'
	run_container
	assert_success
	assert_output_contains "Read-only file system"
	echo "${lines[1]}" | grep -q " /proc/sys ro,"
}

@test "masking refuses a /dev/null that is not the null device" {
	# A /dev/null that is really something else would turn every masked
	# file into that thing (the CVE-2025-31133 class).
	update_config '.linux.devices = [{"path": "/dev/null", "type": "c", "major": 1, "minor": 5}]'
	run_detached create --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains "/dev/null is not the null device"
	assert_no_leftovers
}

@test "/dev: default devices and links, nothing else" {
	update_config '.process.args = ["sh", "-c", "for d in null zero full random urandom tty; do stat -c \"%n %t:%T %a\" /dev/$d; done; readlink /dev/ptmx; readlink /dev/fd; readlink /dev/stdin; ls /dev | wc -l; head -c 4 /dev/zero | wc -c"]'
	run_container
	assert_success
	assert_output_contains "/dev/null 1:3 666"
	assert_output_contains "/dev/zero 1:5 666"
	assert_output_contains "/dev/full 1:7 666"
	assert_output_contains "/dev/random 1:8 666"
	assert_output_contains "/dev/urandom 1:9 666"
	assert_output_contains "/dev/tty 5:0 666"
	assert_output_contains "pts/ptmx"
	assert_output_contains "/proc/self/fd"
	# no host device leaked in (sda, kmsg, mem...)
	[ "${lines[9]}" -le 16 ]
	assert_equal "${lines[10]}" 4
}

@test "linux.devices: created with type, numbers, mode and owner" {
	update_config '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 384, "uid": 1000, "gid": 1000},
		{"path": "/dev/sub/loop9", "type": "b", "major": 7, "minor": 9}]
		| .process.args = ["sh", "-c", "stat -c \"%n %F %t:%T %a %u:%g\" /dev/fuse /dev/sub/loop9"]'
	run_container
	assert_success
	assert_equal "${lines[0]}" "/dev/fuse character special file a:e5 600 1000:1000"
	assert_equal "${lines[1]}" "/dev/sub/loop9 block special file 7:9 666 0:0"
}

@test "sysctl: namespaced keys are written" {
	update_config '.linux.sysctl = {"net.ipv4.ip_unprivileged_port_start": "80", "kernel.shmmni": "1234"}
		| .process.args = ["cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start", "/proc/sys/kernel/shmmni"]'
	run_container
	assert_success
	assert_equal "${lines[0]}" 80
	assert_equal "${lines[1]}" 1234
	[ "$(cat /proc/sys/kernel/shmmni)" != 1234 ]
}

@test "rootfsPropagation shared: the container's mounts are shared" {
	update_config '.linux.rootfsPropagation = "rshared" | .process.args = ["sh", "-c", "awk \"\\$5 == \\\"/\\\"\" /proc/self/mountinfo"]'
	run_container
	assert_success
	assert_output_contains "shared:"
}

# The number of mounts in the mount namespace of process $1, those its
# root hides included: listmount(2) of the namespace from its root
# (NS_GET_MNTNS_ID names the namespace; LSMT_ROOT is ~0).
ns_mount_count() {
	python3 -c '
import ctypes, fcntl, os, struct, sys
fd = os.open("/proc/%s/ns/mnt" % sys.argv[1], os.O_RDONLY)
nsid = struct.unpack("Q", fcntl.ioctl(fd, 0x8008b705, bytes(8)))[0]
req = struct.pack("IIQQQ", 32, 0, (1 << 64) - 1, 0, nsid)
ids = (ctypes.c_uint64 * 4096)()
n = ctypes.CDLL(None, use_errno=True).syscall(458, req, ids, 4096, 0)
if n < 0:
    sys.exit("listmount: " + os.strerror(ctypes.get_errno()))
print(n)
' "$1"
}

# Start container ctr detached with berth run's extra options "$@": HELD
# is how many mounts its namespace holds, SEEN how many its init sees.
count_mounts() {
	local pid
	run_detached run -d "$@" --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" ctr
	assert_success
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	HELD=$(ns_mount_count "$pid")
	SEEN=$(grep -c . "/proc/$pid/mountinfo")
	berth delete --force ctr
}

@test "--no-pivot: MS_MOVE and chroot" {
	update_config '.process.args = ["sh", "-c", "echo pid=$$; ls /"]'
	run berth run --no-pivot --bundle "$BUNDLE" ctr
	assert_success
	assert_equal "${lines[0]}" pid=1
	assert_output_contains "proc"
	update_config '.process.args = ["sleep", "1000"]'
	# pivot_root and the old root's unmount leave no mount the container
	# does not see (none but the real root's, where the tests themselves
	# run chrooted and pivot_root cannot reach it)...
	count_mounts
	local pivot_hidden=$((HELD - SEEN))
	# ...MS_MOVE and chroot leave the host's root below the container's,
	# with its mounts, out of the chroot's sight.
	count_mounts --no-pivot
	if [ $((HELD - SEEN)) -le "$pivot_hidden" ]; then
		fail "--no-pivot: $((HELD - SEEN)) mounts hidden, as many as pivot_root's $pivot_hidden: no old root"
	fi
}

# runc's "must not expose bare /proc": the host's old root stays below a
# --no-pivot container, and with it a whole proc, which lets a process
# in a new user namespace mount a fresh, unmasked one.  berth detaches
# the host's proc and sysfs before the move, as runc does; the same
# config under pivot_root is the control.
@test "--no-pivot: no bare proc of the host for a nested user namespace to mount" {
	require_userns
	update_config 'del(.linux.seccomp)
		| .process.capabilities |= with_entries(.value += ["CAP_SETFCAP", "CAP_SYS_ADMIN"])
		| .process.args = ["unshare", "-mrpf", "sh", "-c",
			"mount -t proc none /proc && echo mounted"]'
	# The control: pivot_root leaves no full proc, the kernel refuses.
	run berth run --bundle "$BUNDLE" ctr
	assert_failure
	assert_output_contains "permission denied"
	run berth run --no-pivot --bundle "$BUNDLE" ctr
	assert_failure
	assert_output_contains "permission denied"
	if [[ "$output" == *mounted* ]]; then
		fail "--no-pivot let a nested proc be mounted"
	fi
	if command -v runc >/dev/null; then
		run runc --root "$BATS_TEST_TMPDIR/runc" run --no-pivot --bundle "$BUNDLE" runc-ctr
		assert_failure
		assert_output_contains "permission denied"
	fi
}

@test "/sys/fs/cgroup inside shows the container's own cgroup" {
	update_config '.process.args = ["sh", "-c", "cat /proc/self/cgroup; ls /sys/fs/cgroup"]'
	run_container
	assert_success
	# The cgroup namespace's root, not a path below it.
	assert_equal "$(echo "$output" | grep "^0::")" "0::/"
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		assert_output_contains "cgroup.procs"
	else
		assert_output_contains "unified"
		assert_output_contains "memory"
	fi
}

# Where cgroup2 is mounted at /sys/fs/cgroup (a pure cgroup v2 host; here
# in a mount namespace of the test's own, the host's mounts left as they
# are), berth finds the hierarchy by statfs alone, without printing the
# host's whole mount table: the container still gets its own cgroup there,
# with a cgroup namespace (a fresh cgroup2) and without one (a bind of its
# cgroup).
@test "/sys/fs/cgroup inside on a cgroup2 /sys/fs/cgroup: the container's own cgroup, found without reading mountinfo" {
	local trace=$BATS_TEST_TMPDIR/trace ns
	update_config '.process.args = ["sh", "-c", "cat /proc/self/cgroup; grep \" /sys/fs/cgroup \" /proc/self/mountinfo; cat /sys/fs/cgroup/cgroup.procs"]'
	for ns in with without; do
		[ "$ns" = with ] || update_config '.linux.namespaces |= map(select(.type != "cgroup"))'
		# shellcheck disable=SC2016 # expanded by the inner shell
		run unshare -m sh -c 'mount --make-rprivate / && mount -t cgroup2 none /sys/fs/cgroup &&
			exec strace -f -o "$0" -e trace=open,openat "$@"' \
			"$trace" "$BERTH" --root "$ROOT" run --bundle "$BUNDLE" "v2-$ns"
		assert_success
		echo "$output" | grep -q -- ' - cgroup2 '
		# The container's init (pid 1) is in the cgroup it sees.
		echo "$output" | grep -qx 1
		if [ "$ns" = with ]; then
			assert_equal "$(echo "$output" | grep "^0::")" "0::/"
		fi
		# berth opens with O_CLOEXEC; the container's grep without.
		if grep 'mountinfo", O_RDONLY|O_CLOEXEC' "$trace"; then
			fail "berth read mountinfo on a cgroup2 /sys/fs/cgroup"
		fi
		[ ! -d "$ROOT/v2-$ns" ]
	done
}
