#!/usr/bin/env bats
# Regression tests for the known runc/crun CVE classes: the container must
# never reach the host.

load helpers

setup() { setup_bundle; }
teardown() { cleanup_containers; }

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
	assert_output_contains "outside the container's root"
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
	mkdir -p "$BATS_TEST_TMPDIR/hostside"
	ln -s "$BATS_TEST_TMPDIR/hostside" "$BUNDLE/rootfs/link"
	update_config '.mounts += [{"destination": "/link", "type": "tmpfs", "source": "tmpfs"}]
		| .root.readonly = false'
	run berth run --bundle "$BUNDLE" ctr
	assert_success
	if grep -q hostside /proc/self/mountinfo; then fail "unexpectedly true"; fi
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
