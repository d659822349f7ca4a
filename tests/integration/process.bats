#!/usr/bin/env bats
# The process: user, capabilities, no_new_privs, rlimits, oom score,
# personality, scheduling, io priority, cwd, env, fds.

load helpers

setup() { setup_bundle; }
teardown() { cleanup_containers; }

status_field() { echo "$output" | awk -v f="$1:" '$1 == f {print $2}'; }

@test "user: uid, gid, additional gids and umask" {
	update_config '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [20, 30], "umask": 63}
		| .process.args = ["sh", "-c", "grep -E \"^(Uid|Gid|Groups):\" /proc/self/status; umask"]'
	run_container
	assert_success
	[[ "${lines[0]}" =~ ^Uid:[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000$ ]]
	[[ "${lines[1]}" =~ ^Gid:[[:space:]]+1001[[:space:]]+1001[[:space:]]+1001[[:space:]]+1001$ ]]
	[[ "${lines[2]}" =~ ^Groups:[[:space:]]+20[[:space:]]+30 ]]
	assert_equal "${lines[3]}" 0077
}

@test "capabilities: the five sets as configured" {
	update_config '.process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
		"effective": ["CAP_CHOWN"],
		"permitted": ["CAP_CHOWN", "CAP_KILL"],
		"inheritable": ["CAP_KILL"],
		"ambient": ["CAP_KILL"]}
		| .process.noNewPrivileges = true
		| .process.args = ["cat", "/proc/self/status"]'
	run_container
	assert_success
	assert_equal "$(status_field CapBnd)" 0000000000002021
	assert_equal "$(status_field CapInh)" 0000000000000020
	assert_equal "$(status_field CapAmb)" 0000000000000020
	# With no_new_privs, execve as root cannot raise permitted beyond
	# what berth set, so the configured permitted set stays; root's
	# execve then makes effective = permitted, so the configured
	# effective set cannot show after execve.
	assert_equal "$(status_field CapPrm)" 0000000000000021
	assert_equal "$(status_field CapEff)" 0000000000000021
}

@test "capabilities: a non-root user keeps only ambient ones" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {
		"bounding": ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
		"effective": ["CAP_NET_BIND_SERVICE"],
		"permitted": ["CAP_NET_BIND_SERVICE"],
		"inheritable": ["CAP_NET_BIND_SERVICE"],
		"ambient": ["CAP_NET_BIND_SERVICE"]}
		| .process.args = ["cat", "/proc/self/status"]'
	run_container
	assert_success
	assert_equal "$(status_field CapEff)" 0000000000000400
	assert_equal "$(status_field CapPrm)" 0000000000000400
	assert_equal "$(status_field CapAmb)" 0000000000000400
	assert_equal "$(status_field CapBnd)" 0000000000000420
}

@test "capabilities: dropped means denied (chown without CAP_CHOWN)" {
	update_config '.process.capabilities = {"bounding": [], "effective": [], "permitted": []}
		| .root.readonly = false
		| .process.args = ["sh", "-c", "touch /tmp/f; chown 1000 /tmp/f 2>&1; echo rc=$?"]'
	run_container
	assert_success
	assert_output_contains "Operation not permitted"
	assert_output_contains "rc=1"
	rm -f "$BUNDLE/rootfs/tmp/f"
}

@test "no capabilities object: the process has none" {
	update_config 'del(.process.capabilities) | .process.args = ["grep", "^Cap", "/proc/self/status"]'
	run_container
	assert_success
	assert_output_contains "CapEff:	0000000000000000"
	assert_output_contains "CapPrm:	0000000000000000"
	assert_output_contains "CapBnd:	0000000000000000"
}

@test "noNewPrivileges" {
	update_config '.process.noNewPrivileges = true | .process.args = ["cat", "/proc/self/status"]'
	run_container
	assert_success
	assert_equal "$(status_field NoNewPrivs)" 1
	update_config '.process.noNewPrivileges = false'
	run_container
	assert_equal "$(status_field NoNewPrivs)" 0
}

@test "rlimits" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 123, "hard": 456}, {"type": "RLIMIT_CORE", "soft": 0, "hard": 0}, {"type": "RLIMIT_NPROC", "soft": 77, "hard": 88}]
		| .process.args = ["cat", "/proc/self/limits"]'
	run_container
	assert_success
	echo "$output" | grep -Eq "^Max open files +123 +456 "
	echo "$output" | grep -Eq "^Max core file size +0 +0 "
	echo "$output" | grep -Eq "^Max processes +77 +88 "
}

@test "rlimits: a hard limit above berth's own is an error" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 1048576}]'
	if capsh --has-b=cap_sys_resource 2>/dev/null; then skip "root can raise limits here"; fi
	run_detached create --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains "set RLIMIT_NOFILE to 1024:1048576"
	assert_no_leftovers
}

@test "oomScoreAdj" {
	update_config '.process.oomScoreAdj = 500 | .process.args = ["cat", "/proc/self/oom_score_adj"]'
	run_container
	assert_success
	assert_equal "$output" 500
}

@test "cwd and env" {
	update_config '.process.cwd = "/tmp" | .process.env = ["A=1", "B=two words", "PATH=/bin"]
		| .process.args = ["sh", "-c", "pwd; echo $A; echo $B; env | wc -l; echo $HOME"]'
	run_container
	assert_success
	assert_equal "${lines[0]}" /tmp
	assert_equal "${lines[1]}" 1
	assert_equal "${lines[2]}" "two words"
	# exactly the configured variables and HOME, from root's line in the
	# rootfs's /etc/passwd as runc sets it (sh adds PWD, SHLVL at most)
	[ "${lines[3]}" -le 6 ]
	assert_equal "${lines[4]}" /root
}

@test "args are passed verbatim, the program is found on the container's PATH" {
	mkdir -p "$BUNDLE/rootfs/opt/tools"
	printf '#!/bin/sh\nfor a; do echo "[$a]"; done\n' >"$BUNDLE/rootfs/opt/tools/mytool"
	chmod 755 "$BUNDLE/rootfs/opt/tools/mytool"
	update_config '.process.env = ["PATH=/opt/tools"] | .process.args = ["mytool", "a  b", "*", ""]'
	run_container
	assert_success
	assert_equal "$output" "$(printf '[a  b]\n[*]\n[]')"
}

@test "personality LINUX32" {
	update_config '.linux.personality = {"domain": "LINUX32"} | .process.args = ["uname", "-m"]'
	run_container
	assert_success
	assert_equal "$output" i686
}

@test "scheduler: SCHED_BATCH with a nice value" {
	update_config '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 5}
		| .process.args = ["sh", "-c", "cut -d\" \" -f19,41 /proc/self/stat"]'
	run_container
	assert_success
	# field 19 nice, field 41 policy (3 = SCHED_BATCH)
	assert_equal "$output" "5 3"
}

@test "ioPriority" {
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}
		| .process.args = ["sleep", "100"]'
	run_detached run -d --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" ctr
	assert_success
	run ionice -p "$(cat "$BATS_TEST_TMPDIR/pid")"
	assert_output_contains idle
}

@test "execCPUAffinity" {
	update_config '.process.execCPUAffinity = {"initial": "0-1", "final": "1"}
		| .process.args = ["grep", "Cpus_allowed_list", "/proc/self/status"]'
	run_container
	assert_success
	[[ "$output" =~ Cpus_allowed_list:[[:space:]]+1$ ]]
}

@test "no host fd leaks into the container" {
	update_config '.process.args = ["ls", "/proc/self/fd"]'
	exec 7</etc/hostname
	run_container
	exec 7<&-
	assert_success
	# 0 1 2 and the fd ls itself opened for the directory
	[ "$(echo "$output" | wc -l)" -le 4 ]
	if echo "$output" | grep -qx 7; then fail "unexpectedly true"; fi
}

@test "--preserve-fds passes the next N fds" {
	update_config '.process.args = ["sh", "-c", "cat <&3; cat <&4; ls /proc/self/fd | grep -c ."]'
	echo three >"$BATS_TEST_TMPDIR/three"
	echo four >"$BATS_TEST_TMPDIR/four"
	run berth run --preserve-fds 2 --bundle "$BUNDLE" ctr 3<"$BATS_TEST_TMPDIR/three" 4<"$BATS_TEST_TMPDIR/four" 5</etc/hostname
	assert_success
	assert_equal "${lines[0]}" three
	assert_equal "${lines[1]}" four
	# 0-4 and ls's own; fd 5 did not pass
	[ "${lines[2]}" -le 6 ]
}
