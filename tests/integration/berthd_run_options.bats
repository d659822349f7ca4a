#!/usr/bin/env bats
# The rest of docker run through the docker CLI, each checked by what the
# container sees: --init, --ulimit, --sysctl, --shm-size, --group-add,
# --oom-score-adj, --oom-kill-disable, --device, --device-cgroup-rule,
# --pid/--ipc/--uts host, and the modes berthd refuses by name.

load berthd_helpers

berthd_file_hooks

@test "berthd run: --init runs the command below an init that reaps and forwards signals" {
	run dk run --rm --init berthd-test/bb:1 sh -c \
		'tr "\0" " " </proc/1/cmdline; echo; sh -c "sleep 0.2 &"; sleep 1; ps -o pid,stat,comm | grep -c " Z " || true'
	assert_success
	assert_equal "${lines[0]}" "/sbin/docker-init -- sh -c tr \"\\0\" \" \" </proc/1/cmdline; echo; sh -c \"sleep 0.2 &\"; sleep 1; ps -o pid,stat,comm | grep -c \" Z \" || true "
	# No zombie: the orphaned sleep was reaped by pid 1.
	assert_equal "${lines[1]}" "0"
	# docker stop's SIGTERM reaches the command, which is not pid 1.
	dk run -d --name initsig --init berthd-test/bb:1 sh -c \
		'trap "echo got-term; exit 7" TERM; echo pid-$$; while :; do sleep 0.1; done' >/dev/null
	wait_for sh -c "$DOCKER logs initsig | grep -q pid-"
	# The command is pid 2: the init is 1.
	assert_equal "$(dk logs initsig)" "pid-2"
	dk stop -t 10 initsig >/dev/null
	assert_equal "$(dk inspect -f '{{.State.ExitCode}}' initsig)" "7"
	assert_equal "$(dk logs initsig | tail -1)" "got-term"
	assert_equal "$(dk inspect -f '{{.HostConfig.Init}}' initsig)" "true"
}

@test "berthd run: --ulimit, --sysctl, --shm-size, --oom-score-adj" {
	run dk run --rm --ulimit nofile=1000:2000 --ulimit core=0:0 \
		--sysctl net.ipv4.ip_forward=1 --sysctl kernel.shmmni=1234 --shm-size 8m \
		--oom-score-adj 500 berthd-test/bb:1 sh -c \
		'grep -E "^Max (open files|core file)" /proc/self/limits | tr -s " "; cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni /proc/self/oom_score_adj; awk "\$5 == \"/dev/shm\" {print \$NF}" /proc/self/mountinfo'
	assert_success
	assert_equal "$output" "Max core file size 0 0 bytes 
Max open files 1000 2000 files 
1
1234
500
rw,size=8192k"
	# The host's are untouched.
	[ "$(cat /proc/sys/kernel/shmmni)" != 1234 ]
	# The docker CLI refuses what is not namespaced before berthd sees
	# it; berthd refuses it too.
	run curl -sS --unix-socket "$BERTHD_SOCK" -w '\n%{http_code}' -X POST \
		-H 'Content-Type: application/json' http://berthd/containers/create \
		-d '{"Image":"berthd-test/bb:1","Cmd":["true"],"HostConfig":{"Sysctls":{"vm.swappiness":"10"}}}'
	assert_equal "${lines[1]}" "400"
	assert_output_contains 'sysctl \"vm.swappiness\" is not allowed'
	run dk run --rm --network host --sysctl net.ipv4.ip_forward=1 berthd-test/bb:1 true
	assert_failure
	assert_output_contains "not allowed in host network mode"
	run dk run --rm --ulimit nofile=3000:2000 berthd-test/bb:1 true
	assert_failure
	assert_output_contains "soft limit must be less than or equal to hard limit"
	assert_equal "$(dk ps -aq)" ""
}

@test "berthd run: -u gets the image's groups, --group-add adds more" {
	run dk run --rm -u user --group-add nobody --group-add 4321 berthd-test/bb:1 id
	assert_success
	assert_equal "$output" "uid=1000(user) gid=1000(user) groups=4321,65534(nobody)"
	run dk run --rm --group-add nosuchgroup berthd-test/bb:1 true
	assert_failure
	assert_output_contains "unable to find group nosuchgroup"
}

@test "berthd run: --device and --device-cgroup-rule open what the default rules refuse" {
	# /dev/fuse (c 10:229, which anyone may open on the host) is not
	# among the default devices; /dev is not nodev (the image's root
	# is), so the device rules decide.
	run dk run --rm berthd-test/bb:1 sh -c 'mknod /dev/f c 10 229 && head -c 0 /dev/f'
	assert_failure
	assert_output_contains "Operation not permitted"
	run dk run --rm --device /dev/fuse:/dev/fuse2:r berthd-test/bb:1 sh -c \
		'stat -c "%F %t:%T" /dev/fuse2; head -c 0 /dev/fuse2 && echo read-ok; echo x >/dev/fuse2'
	assert_failure
	assert_equal "${lines[0]}" "character special file a:e5"
	assert_equal "${lines[1]}" "read-ok"
	assert_output_contains "Operation not permitted"
	run dk run --rm --device-cgroup-rule 'c 10:229 r' berthd-test/bb:1 sh -c \
		'mknod /dev/f c 10 229 && head -c 0 /dev/f && echo read-ok'
	assert_success
	assert_equal "$output" "read-ok"
	run dk run --rm --device /etc/passwd berthd-test/bb:1 true
	assert_failure
	assert_output_contains "not a device node"
	assert_equal "$(dk ps -aq)" ""
}

@test "berthd run: --oom-kill-disable reaches the memory cgroup" {
	require_cgroup_v1
	run dk run --rm --memory 64m --oom-kill-disable berthd-test/bb:1 \
		grep oom_kill_disable /sys/fs/cgroup/memory/memory.oom_control
	assert_success
	assert_equal "$output" "oom_kill_disable 1"
}

@test "berthd run: --pid, --ipc, --uts, --cgroupns and --userns host share the host's namespaces; other modes are refused" {
	run dk run --rm --pid host --ipc host --uts host --cgroupns host --userns host berthd-test/bb:1 sh -c \
		'for n in pid ipc uts cgroup user; do readlink /proc/self/ns/$n; done; hostname'
	assert_success
	assert_equal "$output" "$(for n in pid ipc uts cgroup user; do readlink /proc/self/ns/$n; done; hostname)"
	run dk run --rm berthd-test/bb:1 sh -c 'for n in pid ipc uts cgroup; do readlink /proc/self/ns/$n; done'
	assert_success
	for n in pid ipc uts cgroup; do
		refute_output_contains "$(readlink /proc/self/ns/$n)"
	done
	# The docker CLI checks the modes too; berthd on its own.
	run curl -sS --unix-socket "$BERTHD_SOCK" -w '\n%{http_code}' -X POST \
		-H 'Content-Type: application/json' http://berthd/containers/create \
		-d '{"Image":"berthd-test/bb:1","Cmd":["true"],"HostConfig":{"PidMode":"bogus"}}'
	assert_equal "${lines[1]}" "501"
	assert_output_contains 'pid mode \"bogus\" is not supported by berthd'
	run dk run --rm --uts host -h name berthd-test/bb:1 true
	assert_failure
	assert_equal "$(dk ps -aq)" ""
}

@test "berthd run: --security-opt seccomp=PROFILE (docker's format), apparmor=unconfined, label=disable" {
	cat >"$BATS_TEST_TMPDIR/profile.json" <<-'JSON'
	{
	  "defaultAction": "SCMP_ACT_ALLOW",
	  "archMap": [
	    { "architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"] },
	    { "architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"] }
	  ],
	  "syscalls": [
	    { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1 },
	    { "name": "uname", "action": "SCMP_ACT_ERRNO", "errnoRet": 38,
	      "includes": { "caps": ["CAP_SYS_ADMIN"] } },
	    { "names": ["sethostname"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
	      "excludes": { "caps": ["CAP_SYS_ADMIN"] } }
	  ]
	}
	JSON
	run dk run --rm --security-opt "seccomp=$BATS_TEST_TMPDIR/profile.json" \
		--security-opt apparmor=unconfined --security-opt label=disable berthd-test/bb:1 \
		sh -c 'grep Seccomp: /proc/self/status; mkdir /tmp/d; echo "u=$(uname -s)"; hostname x'
	assert_failure
	assert_equal "${lines[0]}" "Seccomp:	2"
	assert_output_contains "mkdir: can't create directory '/tmp/d': Operation not permitted"
	# uname's rule is for containers with SYS_ADMIN only; sethostname's
	# for those without it.
	assert_output_contains "u=Linux"
	assert_output_contains "hostname: sethostname: Permission denied"
	run dk run --rm --cap-add SYS_ADMIN --security-opt "seccomp=$BATS_TEST_TMPDIR/profile.json" \
		berthd-test/bb:1 sh -c 'echo "u=$(uname -s)"; hostname x && echo renamed'
	assert_success
	# busybox's uname prints nothing when the call fails.
	assert_equal "${lines[0]}" "u="
	# Without the rule, the capability decides: SYS_ADMIN may.
	assert_output_contains "renamed"
	echo '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_SOMETIMES"}]}' \
		>"$BATS_TEST_TMPDIR/bad.json"
	run dk run --rm --security-opt "seccomp=$BATS_TEST_TMPDIR/bad.json" berthd-test/bb:1 true
	assert_failure
	assert_output_contains ".syscalls[0].action"
	assert_equal "$(dk ps -aq)" ""
}

@test "berthd run: --memory-reservation and --memory-swappiness reach the memory cgroup; --kernel-memory is discarded with a warning" {
	require_cgroup_v1
	run dk run --rm --memory 64m --memory-reservation 32m --memory-swappiness 10 berthd-test/bb:1 \
		cat /sys/fs/cgroup/memory/memory.soft_limit_in_bytes /sys/fs/cgroup/memory/memory.swappiness
	assert_success
	assert_equal "$output" "33554432
10"
	# The docker CLI no longer sends --kernel-memory (API 1.42 and later);
	# older clients do.
	run curl -sS --unix-socket "$BERTHD_SOCK" -X POST -H 'Content-Type: application/json' \
		http://berthd/v1.41/containers/create \
		-d '{"Image":"berthd-test/bb:1","Cmd":["true"],"HostConfig":{"KernelMemory":67108864}}'
	assert_success
	assert_equal "$(echo "$output" | jq -r '.Warnings[0]')" \
		"Kernel memory limits are deprecated and not applied by berthd (the kernel's cgroup v2 has none); the limit was discarded."
	run dk run --rm --memory 64m --memory-reservation 128m berthd-test/bb:1 true
	assert_failure
	assert_output_contains "minimum memory limit can not be less than memory reservation limit"
	run dk update --memory-reservation 16m "$(dk ps -aq)"
	assert_failure
	assert_output_contains "changing the memory reservation is not supported by berthd"
}

@test "berthd run: --ipc shareable and --ipc/--pid container:NAME join the other container's namespaces and /dev/shm" {
	dk run -d --name donor --ipc shareable berthd-test/bb:1 \
		sh -c 'echo shared >/dev/shm/x; exec sleep 1000' >/dev/null
	dk run -d --name plain berthd-test/bb:1 sleep 1000 >/dev/null
	wait_for dk exec donor test -e /dev/shm/x
	local ipc pid
	ipc=$(dk exec donor readlink /proc/self/ns/ipc)
	pid=$(dk exec donor readlink /proc/self/ns/pid)
	run dk run --rm --ipc container:donor --pid container:donor berthd-test/bb:1 \
		sh -c 'cat /dev/shm/x; readlink /proc/self/ns/ipc; readlink /proc/self/ns/pid; ps -o comm | grep -c "^sleep"'
	assert_success
	assert_equal "$output" "shared
$ipc
$pid
1"
	# The donor's /dev/shm is a tmpfs on the host, in its directory.
	local id
	id=$(dk inspect -f '{{.Id}}' donor)
	grep -q " $BERTHD_DATA/containers/$id/shm " /proc/self/mountinfo
	run dk run --rm --ipc container:plain berthd-test/bb:1 true
	assert_failure
	assert_output_contains "non-shareable IPC namespace"
	dk stop -t 0 plain >/dev/null
	run dk run --rm --pid container:plain berthd-test/bb:1 true
	assert_failure
	assert_output_contains "container plain is not running"
	dk rm -f donor plain >/dev/null
	if grep -q "$BERTHD_DATA/containers/$id" /proc/self/mountinfo; then
		fail "the donor's mounts are left"
	fi
}

@test "berthd run: --privileged: every capability berthd holds, every host device, no seccomp, no masks" {
	local bnd
	bnd=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
	run dk run --rm --privileged berthd-test/bb:1 sh -c \
		'grep -E "^(CapEff|CapBnd|Seccomp):" /proc/self/status; head -c 0 /dev/fuse && echo fuse-ok; awk "\$5 == \"/sys\" {print \$6}" /proc/self/mountinfo; grep -c " /proc/kcore " /proc/self/mountinfo'
	assert_equal "$output" "CapEff:	$bnd
CapBnd:	$bnd
Seccomp:	0
fuse-ok
rw,nosuid,nodev,noexec,relatime
0"
	# --cap-drop still drops (CAP_NET_RAW is bit 13).
	run dk run --rm --privileged --cap-drop NET_RAW berthd-test/bb:1 grep CapEff: /proc/self/status
	assert_success
	assert_equal "$(( 0x${output#CapEff:	} >> 13 & 1 ))" "0"
	assert_equal "$(( 0x$bnd >> 13 & 1 ))" "1"
	assert_equal "$(dk ps -aq)" ""
}

@test "berthd run: --label, --env-file, --stop-signal, --security-opt no-new-privileges" {
	printf '# a comment\nFROM_FILE=yes\nSPACED=a b\n' >"$BATS_TEST_TMPDIR/env"
	dk run -d --name opts --label team=blue --env-file "$BATS_TEST_TMPDIR/env" \
		--stop-signal USR1 --security-opt no-new-privileges berthd-test/bb:1 sh -c \
		'trap "echo got-usr1; exit 3" USR1; echo "$FROM_FILE|$SPACED"; grep NoNewPrivs /proc/self/status; while :; do sleep 0.1; done' >/dev/null
	wait_for sh -c "$DOCKER logs opts | grep -q NoNewPrivs"
	assert_equal "$(dk logs opts)" "yes|a b
NoNewPrivs:	1"
	assert_equal "$(dk ps -q --filter label=team=blue)" "$(dk ps -q --filter name=opts)"
	assert_equal "$(dk inspect -f '{{.Config.Labels.team}} {{.Config.StopSignal}}' opts)" "blue USR1"
	dk stop -t 10 opts >/dev/null
	assert_equal "$(dk logs opts | tail -1)" "got-usr1"
	assert_equal "$(dk inspect -f '{{.State.ExitCode}}' opts)" "3"
	dk rm opts >/dev/null
}

@test "berthd run: --log-driver none keeps nothing, json-file and local are berthd's log" {
	run dk run --rm --log-driver none berthd-test/bb:1 echo attached-hi
	assert_success
	assert_equal "$output" "attached-hi"
	dk run -d --name nolog --log-driver none berthd-test/bb:1 echo hi >/dev/null
	dk wait nolog >/dev/null
	run dk logs nolog
	assert_failure
	assert_output_contains "configured logging driver does not support reading"
	local id
	id=$(dk inspect -f '{{.Id}}' nolog)
	[ ! -e "$BERTHD_DATA/containers/$id/container.log" ]
	assert_equal "$(dk inspect -f '{{.HostConfig.LogConfig.Type}}|{{.LogPath}}' nolog)" "none|"
	dk run -d --name jlog --log-driver json-file berthd-test/bb:1 echo in-log >/dev/null
	dk wait jlog >/dev/null
	assert_equal "$(dk logs jlog)" "in-log"
	run curl -sS --unix-socket "$BERTHD_SOCK" -w '\n%{http_code}' -X POST \
		-H 'Content-Type: application/json' http://berthd/containers/create \
		-d '{"Image":"berthd-test/bb:1","Cmd":["true"],"HostConfig":{"LogConfig":{"Type":"none","Config":{"max-size":"1m"}}}}'
	assert_equal "${lines[1]}" "400"
	assert_output_contains "the none log driver takes no options"
	run dk run --rm --log-opt max-file=2 berthd-test/bb:1 true
	assert_failure
	assert_output_contains "max-file needs max-size"
	run dk run --rm --log-opt colour=red berthd-test/bb:1 true
	assert_failure
	assert_output_contains 'log option "colour" is not supported by berthd'
	run dk run --rm --log-driver syslog berthd-test/bb:1 true
	assert_failure
	assert_output_contains 'log driver "syslog" is not supported by berthd'
	dk rm nolog jlog >/dev/null
}

@test "berthd run: --log-opt max-size and max-file rotate the log; docker logs reads across the files" {
	dk run -d --name rot --log-opt max-size=1k --log-opt max-file=3 berthd-test/bb:1 \
		sh -c 'i=0; while [ $i -lt 200 ]; do echo line-$i; i=$((i+1)); done' >/dev/null
	dk wait rot >/dev/null
	local dir
	dir=$BERTHD_DATA/containers/$(dk inspect -f '{{.Id}}' rot)
	[ -f "$dir/container.log" ]
	[ -f "$dir/container.log.1" ]
	[ -f "$dir/container.log.2" ]
	[ ! -e "$dir/container.log.3" ]
	assert_equal "$(dk inspect -f '{{index .HostConfig.LogConfig.Config "max-size"}} {{index .HostConfig.LogConfig.Config "max-file"}}' rot)" "1024 3"
	for f in "$dir/container.log.1" "$dir/container.log.2"; do
		[ "$(stat -c %s "$f")" -ge 1024 ]
		[ "$(stat -c %s "$f")" -lt 1200 ]
	done
	# What is kept is the end, in order, without a gap.
	run dk logs rot
	assert_success
	local first=${lines[0]#line-}
	[ "$first" -gt 0 ]
	assert_equal "${#lines[@]}" "$((200 - first))"
	assert_equal "$output" "$(seq "$first" 199 | sed 's/^/line-/')"
	# A file holds about 23 records: 30 come from two files.
	run dk logs --tail 30 rot
	assert_equal "$output" "$(seq 170 199 | sed 's/^/line-/')"
	# A follower goes on across rotations.
	dk run -d --name rotf --log-opt max-size=1k --log-opt max-file=6 berthd-test/bb:1 \
		sh -c 'sleep 0.5; i=0; while [ $i -lt 100 ]; do echo follow-$i; i=$((i+1)); sleep 0.01; done' >/dev/null
	run timeout 60 "$DOCKER" logs -f rotf
	assert_success
	assert_equal "$output" "$(seq 0 99 | sed 's/^/follow-/')"
	[ -f "$BERTHD_DATA/containers/$(dk inspect -f '{{.Id}}' rotf)/container.log.2" ]
	dk rm rot rotf >/dev/null
}

@test "berthd run: --annotation reaches the container's OCI config and state" {
	local id
	# Debian's docker CLI (20.10) has no --annotation: through the API.
	if dk run --help | grep -q -- --annotation; then
		dk run -d --name ann --annotation org.example.walk=1 --annotation "org.example.two=a=b" \
			berthd-test/bb:1 sleep 1000 >/dev/null
	else
		curl -sS --unix-socket "$BERTHD_SOCK" -X POST -H 'Content-Type: application/json' \
			"http://berthd/containers/create?name=ann" \
			-d '{"Image":"berthd-test/bb:1","Cmd":["sleep","1000"],"HostConfig":{"Annotations":{"org.example.walk":"1","org.example.two":"a=b"}}}' >/dev/null
		dk start ann >/dev/null
	fi
	id=$(dk inspect -f '{{.Id}}' ann)
	assert_equal "$(dk inspect -f '{{json .HostConfig.Annotations}}' ann)" \
		'{"org.example.two":"a=b","org.example.walk":"1"}'
	# What the runtime holds of the running container: its OCI state.
	run "$BERTH" --root "$BERTHD_ROOT/oci" state "$id"
	assert_success
	assert_equal "$(echo "$output" | jq -c '.annotations | {"org.example.walk", "org.example.two"}')" \
		'{"org.example.walk":"1","org.example.two":"a=b"}'
	dk rm -f ann >/dev/null
	assert_equal "$(dk ps -aq)" ""
}
