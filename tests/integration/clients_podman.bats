#!/usr/bin/env bats
# podman drives berth as it drives runc (conmon calls create and exec,
# podman the rest): run, exec, logs, stop, kill, rm, pause, top, stats,
# inspect, exit codes, errors, networks, client-set limits.
#
# The podman instance is the file's own: --root, --runroot and --tmpdir
# under a temporary directory, its events in a file, berth named in a test
# copy of contrib/containers.conf.  Cgroups: the cgroupfs manager with a
# RELATIVE --cgroup-parent, which podman passes on as a relative
# cgroupsPath, so berth nests the container below the caller's own cgroup.
# podman also makes a cgroup for conmon, always from the root of each
# hierarchy (<parent>/conmon): on a hybrid host that is a memory cgroup
# outside ours, so the tests run with --cgroups=no-conmon (conmon stays in
# the test's cgroup; the container still gets its own).
#
# On this host podman needs --ulimit nofile=1024:1024 --ulimit nproc=1024:1024
# (its defaults exceed the hard RLIMIT_NOFILE root has here).

load podman_helpers

setup_file() { podman_setup_file; }
teardown_file() { podman_teardown_file; }
setup() { podman_setup; }
teardown() { podman_teardown; }

@test "podman --runtime PATH run --rm: output, exit status, the cgroup nested below ours" {
	run podman --runtime "$BERTH" run --rm $(run_opts) "$IMAGE" \
		sh -c 'echo hello; cat /proc/self/cgroup; exit 3'
	assert_failure 3
	assert_equal "${lines[0]}" hello
	# A relative parent: below the test's own cgroup in every hierarchy,
	# memory included (never at the root of the memory hierarchy).
	if grep -q '^[0-9]*:memory:' /proc/self/cgroup; then
		local own
		own=$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup | sed 's:/$::')
		assert_output_contains ":memory:$own/$PARENT/libpod-"
	fi
}

@test "berth named in containers.conf: podman passes --log-format=json and shows berth's errors" {
	# A runtime that records its arguments, named berth in a copy of the
	# contrib file, so podman treats it as a JSON-speaking runtime.
	local wrapper=$BATS_TEST_TMPDIR/berth-wrapper conf=$BATS_TEST_TMPDIR/containers.conf
	printf '#!/bin/sh\necho "$*" >>%s/calls\nexec %s "$@"\n' "$BATS_TEST_TMPDIR" "$BERTH" >"$wrapper"
	chmod +x "$wrapper"
	sed "s|\"$BERTH\"|\"$wrapper\"|" "$CONTAINERS_CONF" >"$conf"
	CONTAINERS_CONF=$conf run podman --runtime berth run --rm $(run_opts) "$IMAGE" true
	assert_success
	run grep -c -- '--log-format=json --log .*/oci-log create --bundle' "$BATS_TEST_TMPDIR/calls"
	assert_equal "$output" 1
	grep -q "^start " "$BATS_TEST_TMPDIR/calls"
	grep -q "^delete --force " "$BATS_TEST_TMPDIR/calls"

	# Not found: 127, with berth's message read from its JSON log.
	CONTAINERS_CONF=$conf run -127 podman --runtime berth run --rm $(run_opts) "$IMAGE" nosuchprogram
	assert_failure 127
	assert_output_contains 'berth: exec: "nosuchprogram": executable file not found in $PATH'
	# Not executable: 126.
	CONTAINERS_CONF=$conf run podman --runtime berth run --rm $(run_opts) "$IMAGE" /etc/passwd
	assert_failure 126
	assert_output_contains 'berth: exec: "/etc/passwd": permission denied'
	# A missing file by path: 127.
	CONTAINERS_CONF=$conf run -127 podman --runtime berth run --rm $(run_opts) "$IMAGE" /no/such/file
	assert_failure 127
	assert_output_contains "no such file or directory"
}

@test "podman run -d, logs, exec, top, inspect, stats, stop, rm; client-set limits inside" {
	run podman --runtime berth run -d --name c1 -m 64m --pids-limit 50 $(run_opts) "$IMAGE" \
		sh -c 'echo started; trap "echo got TERM; exit 7" TERM; while :; do sleep 0.1; done'
	assert_success
	local id=$output
	wait_for sh -c "$PODMAN logs c1 | grep -q started"
	assert_equal "$(podman inspect -f '{{.State.Status}} {{.Id}}' c1)" "running $id"
	# Its cgroup, as the host sees it: below ours, named by podman.
	local pid
	pid=$(podman inspect -f '{{.State.Pid}}' c1)
	grep -q "^0::$(own_unified_cgroup)/$PARENT/libpod-$id\$" /proc/$pid/cgroup

	# The limits podman set are what the container sees.
	run podman exec c1 sh -c "$LIMITS"
	assert_success
	assert_equal "${lines[0]}" 67108864
	assert_equal "${lines[1]}" 50

	# exec: output, exit status, environment and user from podman.
	run podman exec -e FOO=bar -u 1000 -w /tmp c1 sh -c 'echo $FOO $(id -u) $(pwd); exit 4'
	assert_failure 4
	assert_equal "$output" "bar 1000 /tmp"
	run -127 podman exec c1 nosuchprogram
	assert_failure 127
	assert_output_contains 'executable file not found in $PATH'
	run podman exec c1 /etc/passwd
	assert_failure 126
	assert_output_contains "permission denied"

	run podman top c1 pid args
	assert_success
	assert_output_contains "while :; do sleep 0.1; done"

	# stats reads the container's cgroup: on a hybrid host podman looks
	# every controller up under the memory path (the longest), which only
	# the memory hierarchy has, so memory is what is checked everywhere.
	run podman stats --no-stream --format '{{.MemUsage}}' c1
	assert_success
	assert_output_contains "/ 67.11MB"

	# stop: SIGTERM reaches the container's trap.
	run podman stop -t 10 c1
	assert_success
	assert_equal "$(podman inspect -f '{{.State.Status}} {{.State.ExitCode}}' c1)" "exited 7"
	assert_output_contains c1
	run podman logs c1
	assert_output_contains "got TERM"
	run podman rm c1
	assert_success
	run podman inspect c1
	assert_failure
}

@test "podman exec -it and run -it get a terminal (through the console socket)" {
	podman --runtime berth run -d --name c1 $(run_opts) "$IMAGE" sleep 1000
	# script gives podman a terminal of its own.
	run script -qec "$PODMAN exec -it c1 sh -c 'tty; stty size'" /dev/null
	assert_success
	assert_output_contains /dev/pts/
	run podman exec c1 tty
	assert_failure 1
	assert_output_contains "not a tty"
	# The container lives a moment after writing: podman's attach drops the
	# output of a terminal container that exits at once (about 1 run in 7,
	# with runc as with berth).
	run script -qec "$PODMAN --runtime berth run --rm -it $(run_opts) $IMAGE sh -c 'tty; sleep 0.3; exit 5'" /dev/null
	assert_failure 5
	assert_output_contains /dev/pts/0
}

@test "podman pause and unpause freeze the container" {
	podman --runtime berth run -d --name c1 $(run_opts) "$IMAGE" \
		sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.05; done'
	wait_for "$PODMAN" exec c1 test -s /tmp/count
	run podman pause c1
	assert_success
	assert_equal "$(podman inspect -f '{{.State.Status}}' c1)" paused
	# Frozen in the kernel: the freezer of its cgroup says so.
	local pid state
	pid=$(podman inspect -f '{{.State.Pid}}' c1)
	state=$(awk -F: '$2 == "freezer" { print $3 }' /proc/$pid/cgroup)
	if [ -n "$state" ]; then
		assert_equal "$(cat "$(v1_mount freezer)$state/freezer.state")" FROZEN
	else
		assert_equal "$(cat "$(unified_root)$(sed -n 's/^0:://p' /proc/$pid/cgroup)/cgroup.freeze")" 1
	fi
	run podman unpause c1
	assert_success
	assert_equal "$(podman inspect -f '{{.State.Status}}' c1)" running
	# The counter is renamed into place, so a reader never sees it empty.
	local a b
	a=$(podman exec c1 cat /tmp/count)
	sleep 0.3
	b=$(podman exec c1 cat /tmp/count)
	[ "$b" -gt "$a" ]
}

@test "podman kill: the signal reaches the container; exit status 137 for SIGKILL" {
	podman --runtime berth run -d --name c1 $(run_opts) "$IMAGE" \
		sh -c 'trap "echo got USR1" USR1; echo ready; while :; do sleep 0.1; done'
	wait_for sh -c "$PODMAN logs c1 | grep -q ready"
	run podman kill --signal USR1 c1
	assert_success
	wait_for sh -c "$PODMAN logs c1 | grep -q 'got USR1'"
	assert_equal "$(podman inspect -f '{{.State.Status}}' c1)" running
	run podman kill c1
	assert_success
	wait_for sh -c "[ \"\$($PODMAN inspect -f '{{.State.Status}}' c1)\" = exited ]"
	assert_equal "$(podman inspect -f '{{.State.ExitCode}}' c1)" 137
	run podman rm c1
	assert_success
}

@test "podman networks: none, host, and a netns joined by path" {
	# none: a new network namespace with only lo.
	run podman --runtime berth run --rm $(run_opts) "$IMAGE" sh -c 'ls /sys/class/net; readlink /proc/self/ns/net'
	assert_success
	assert_equal "${lines[0]}" lo
	[ "${lines[1]}" != "$(readlink /proc/self/ns/net)" ]

	# host: the host's namespace.
	run podman --runtime berth run --rm --cgroups=no-conmon --cgroup-parent "$PARENT" \
		--network host --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$IMAGE" \
		readlink /proc/self/ns/net
	assert_success
	assert_equal "$output" "$(readlink /proc/self/ns/net)"

	# ns:PATH: a namespace the test made, with an interface to see.
	NETNS=berth-podman-$$-$BATS_TEST_NUMBER
	ip netns add "$NETNS"
	ip -n "$NETNS" link add berth0 type bridge
	run podman --runtime berth run --rm --cgroups=no-conmon --cgroup-parent "$PARENT" \
		--network "ns:/run/netns/$NETNS" --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
		"$IMAGE" sh -c 'ls /sys/class/net | tr "\n" " "; readlink /proc/self/ns/net'
	assert_success
	assert_equal "${lines[0]}" "berth0 lo $(ip netns exec "$NETNS" readlink /proc/self/ns/net)"
}

@test "podman run --read-only: a read-only root, /tmp a tmpfs with the image's files copied up" {
	run podman --runtime berth run --rm --read-only $(run_opts) "$IMAGE" \
		sh -c 'touch /x 2>&1; cat /tmp/from-image; touch /tmp/y && echo tmp-writable
			grep -E " / | /tmp " /proc/self/mounts'
	assert_success
	assert_output_contains "Read-only file system"
	assert_equal "${lines[1]}" "in the image"
	assert_output_contains tmp-writable
	[[ "$output" == *"overlay / overlay ro,"* ]] || [[ "$output" == *" / "*" ro,"* ]]
	assert_output_contains "tmpfs /tmp tmpfs rw,"
}
