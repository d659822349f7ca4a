#!/usr/bin/env bats
# Regression tests for the known runc/crun CVE classes: the container must
# never reach the host.

load helpers

setup() { setup_bundle; }
teardown() {
	stop_swapper
	cleanup_containers
}

# Swap paths $1 and $2 (both exist) with renameat2(RENAME_EXCHANGE), over
# and over, in the background, until stop_swapper (SIGTERM ends it with 0).
start_swapper() {
	python3 -c '
import ctypes, os, signal, sys
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
a, b = (os.fsencode(p) for p in sys.argv[1:])
while True:
    if renameat2(-100, a, -100, b, 2) != 0:
        sys.exit("renameat2: " + os.strerror(ctypes.get_errno()))
' "$1" "$2" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/swapper.err" 3>&- &
	SWAPPER=$!
}

stop_swapper() {
	if [ -z "${SWAPPER:-}" ]; then return 0; fi
	kill "$SWAPPER" 2>/dev/null
	wait "$SWAPPER" 2>/dev/null
	SWAPPER=
}

# The attacker is a container that shares its pid namespace with a second
# container being created: that one's init runs berth's binary until it
# execs, in plain view.  It must not be able to open the binary through
# /proc/PID/exe (CVE-2019-5736), nor read the process's memory or
# environment, or attach to it (CVE-2016-9962).
@test "CVE-2019-5736 / CVE-2016-9962 class: berth's process is closed to the container" {
	local sum before
	before=$(sha256sum "$BERTH" | cut -d' ' -f1)
	# The attacker watches its pid namespace for any process whose exe
	# is not busybox and tries to read and overwrite it.
	update_config '.root.readonly = false | .process.args = ["sh", "-c", "
		while :; do
			for p in /proc/[0-9]*; do
				cat $p/environ > /dev/null 2>&1 || echo denied-environ >> /tmp/log
				e=$(readlink $p/exe 2>/dev/null) || { [ -L $p/exe ] && echo denied-readlink >> /tmp/log; continue; }
				[ \"$e\" = /bin/busybox ] && continue
				echo found:$e >> /tmp/log
				cat $p/exe > /dev/null 2>&1 && echo read-ok >> /tmp/log
				echo x >> $p/exe 2>/dev/null && echo write-ok >> /tmp/log
			done
			sleep 0.01
		done"]'
	run_detached run -d --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/attacker.pid" attacker
	assert_success
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/attacker.pid")
	# A second container joins the attacker's pid namespace: its init is
	# berth's binary, waiting for start, in plain view of the attacker.
	update_config ".linux.cgroupsPath = \"$CGROUP_PARENT/victim\"
		| .linux.namespaces |= map(if .type == \"pid\" then .path = \"/proc/$pid/ns/pid\" else . end)
		| .process.args = [\"true\"]"
	run_detached create --bundle "$BUNDLE" victim
	assert_success
	sleep 1
	berth delete --force victim
	berth delete --force attacker
	# it saw the victim but could not touch it
	grep -q denied-readlink "$BUNDLE/rootfs/tmp/log"
	grep -q denied-environ "$BUNDLE/rootfs/tmp/log"
	if grep -q "read-ok\|write-ok\|found:" "$BUNDLE/rootfs/tmp/log"; then fail "unexpectedly true"; fi
	assert_equal "$(sha256sum "$BERTH" | cut -d' ' -f1)" "$before"
	rm -f "$BUNDLE/rootfs/tmp/log"
}

@test "CVE-2024-21626 class: a cwd through an inherited fd is refused" {
	update_config '.process.cwd = "/proc/self/fd/7" | .process.args = ["sh", "-c", "ls"]'
	exec 7</
	run_detached create --bundle "$BUNDLE" ctr
	exec 7<&-
	assert_failure 1
	# The caller's fd 7 is closed in the container process before
	# anything else: there is no such fd to go through.
	assert_output_contains 'cwd "/proc/self/fd/7"'
	assert_output_contains 'No such file or directory'
	assert_no_leftovers
}

@test "CVE-2019-19921 class: proc is not mounted on a symlink" {
	rmdir "$BUNDLE/rootfs/proc"
	mkdir -p "$BUNDLE/rootfs/elsewhere"
	ln -s /elsewhere "$BUNDLE/rootfs/proc"
	run_detached create --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains "destination /proc is a symlink"
	assert_no_leftovers
}

@test "CVE-2021-30465 class: symlinks cannot redirect a mount out of the root" {
	# While the containers start, /link is swapped with /swap, a symlink
	# to a host directory.  Followed on the host, the tmpfs would land
	# there, in the container's mount namespace before the pivot, and be
	# gone from what the container sees; resolved in the root it lands
	# on /link, on /swap (the directory renamed after it was opened), or
	# on the symlink's target inside the root.
	local host=$BATS_TEST_TMPDIR/hostside i in_root=0
	mkdir -p "$host" "$BUNDLE/rootfs/link"
	ln -s "$host" "$BUNDLE/rootfs/swap"
	update_config '.mounts += [{"destination": "/link", "type": "tmpfs", "source": "tmpfs", "options": ["size=1200k"]}]
		| .root.readonly = false
		| .process.args = ["awk", "/size=1200k/ {print $5}", "/proc/self/mountinfo"]'
	start_swapper "$BUNDLE/rootfs/link" "$BUNDLE/rootfs/swap"
	# About one start in five meets the symlink: run until two have.
	for i in $(seq 80); do
		run berth run --bundle "$BUNDLE" ctr
		# A start that meets /link gone from under it between two
		# lookups inside the root refuses the mount: safe, and no run.
		if [ "$status" -ne 0 ]; then
			assert_output_contains "/link in the container root: No such file or directory"
			continue
		fi
		case "$output" in
		/link | /swap) ;;
		"$host") in_root=$((in_root + 1)) ;;
		*) fail "run $i: the tmpfs is not where the container sees it: '$output'" ;;
		esac
		if [ "$in_root" -ge 2 ]; then break; fi
	done
	kill -0 "$SWAPPER"
	stop_swapper
	# The race was run: containers met the symlink.
	assert_equal "$in_root" 2
	if grep -q hostside /proc/self/mountinfo; then fail "a mount on the host's side"; fi
	assert_equal "$(ls -A "$host")" ""
}

@test "no fd of berth reaches the container, only stdio" {
	update_config '.process.args = ["sh", "-c", "for f in /proc/self/fd/*; do readlink $f; done; true"]'
	run berth run --bundle "$BUNDLE" ctr 9</etc/hostname
	assert_success
	if echo "$output" | grep -q "state\|exec.sock\|/etc/hostname\|cgroup\|config.json"; then fail "unexpectedly true"; fi
}

@test "/sys is read-only and the host's sysfs cannot be changed" {
	update_config '.process.args = ["sh", "-c", "echo 1 > /sys/kernel/mm/ksm/run 2>&1; grep \" /sys \" /proc/self/mountinfo"]'
	run_container
	assert_success
	assert_output_contains "Read-only file system"
}
