#!/usr/bin/env bats
# linux.seccomp: what the container's processes really get from the
# kernel for each action, argument filters, flags, SCMP_ACT_NOTIFY with a
# seccomp agent, and berth's default profile.

load helpers


setup() {
	setup_bundle
	# A static probe: "sysprobe NAME ARGS" makes one syscall and prints
	# "ok N" or "errno N message".
	cp "$HELPERS/sysprobe" "$BUNDLE/rootfs/bin/sysprobe"
	AGENT=
}
teardown() {
	local failed=0
	cleanup_containers || failed=1
	[ -z "$AGENT" ] || kill "$AGENT" 2>/dev/null || true
	return "$failed"
}

# A profile that allows everything but the given rules (a JSON array).
allow_but() {
	update_config ".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": $1}"
}

args() {
	update_config ".process.args = [\"sh\", \"-c\", $(jq -Rn --arg s "$1" '$s')]"
}

start_agent() {
	"$HELPERS/seccomp_agent" "$BATS_TEST_TMPDIR/agent.sock" "$BATS_TEST_TMPDIR/state" "$1" &
	AGENT=$!
	wait_for test -S "$BATS_TEST_TMPDIR/agent.sock"
}

@test "a denied syscall fails with the configured errno (defaultErrnoRet, errnoRet)" {
	allow_but '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
		    {"names": ["rmdir"], "action": "SCMP_ACT_ERRNO"}]'
	args 'mkdir /tmp/x; sysprobe rmdir /tmp; sysprobe getpid'
	run_container
	assert_output_contains "mkdir: can't create directory '/tmp/x': Function not implemented"
	# errnoRet omitted: EPERM.
	assert_output_contains "errno 1 Operation not permitted"
	assert_output_contains "ok 1"
	# An allow list: what is not listed gets defaultErrnoRet.
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 95,
		"syscalls": [{"names": ["execve", "brk", "arch_prctl", "set_tid_address", "exit_group",
			"write", "getpid", "mmap", "munmap", "readlink", "prlimit64", "uname",
			"set_robust_list", "rseq", "mprotect", "newfstatat", "fstat", "ioctl"],
			"action": "SCMP_ACT_ALLOW"}]}
		| .process.args = ["sysprobe", "getppid"]'
	run_container
	assert_equal "$output" "errno 95 Operation not supported"
}

@test "an argument filter denies one value and allows another" {
	# socket(AF_INET, ...) is refused, socket(AF_UNIX, ...) works.
	allow_but '[{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
		     "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]},
		    {"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
		     "args": [{"index": 1, "value": 768, "valueTwo": 512, "op": "SCMP_CMP_MASKED_EQ"}]}]'
	args 'sysprobe socket 2 1 0; sysprobe socket 1 1 0; sysprobe kill 1 515; sysprobe kill 1 0'
	run_container
	assert_equal "$output" "errno 13 Permission denied
ok 3
errno 13 Permission denied
ok 0"
}

@test "SCMP_ACT_KILL, KILL_PROCESS and TRAP kill the process with SIGSYS (status 159)" {
	for action in SCMP_ACT_KILL SCMP_ACT_KILL_PROCESS SCMP_ACT_KILL_THREAD SCMP_ACT_TRAP; do
		allow_but "[{\"names\": [\"getppid\"], \"action\": \"$action\"}]"
		update_config '.process.args = ["sysprobe", "getppid"]'
		run_container
		assert_failure 159
		assert_equal "$output" ""
		assert_no_leftovers
	done
	# SCMP_ACT_LOG and SCMP_ACT_ALLOW let it run.
	allow_but '[{"names": ["getppid"], "action": "SCMP_ACT_LOG"}]'
	run_container
	assert_success
	assert_equal "$output" "ok 0"
}

@test "unknown syscall names are skipped, unknown actions are refused" {
	allow_but '[{"names": ["no_such_syscall_in_2099", "mkdir"], "action": "SCMP_ACT_ERRNO"}]'
	args 'mkdir /tmp/x'
	run_container
	assert_failure 1
	assert_output_contains "Operation not permitted"

	allow_but '[{"names": ["mkdir"], "action": "SCMP_ACT_EXPLODE"}]'
	run berth create --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains '.linux.seccomp.syscalls[0].action'
	assert_output_contains 'SCMP_ACT_EXPLODE'
	assert_no_leftovers
}

@test "profiles the kernel or the spec cannot honour are refused, leaving nothing" {
	allow_but '[{"names": ["mkdir"], "action": "SCMP_ACT_ALLOW", "errnoRet": 5}]'
	run berth create --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains '.linux.seccomp.syscalls[0].errnoRet: SCMP_ACT_ALLOW takes no errno'
	assert_no_leftovers

	allow_but '[{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]'
	run berth create --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains 'SCMP_ACT_NOTIFY needs .linux.seccomp.listenerPath'
	assert_no_leftovers

	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"flags": ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]}'
	run berth create --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs a rule with SCMP_ACT_NOTIFY'
	assert_no_leftovers
}

# The one program of the seccomp cache (not its raw index):
# "INODE MODE OWNER".
cache_entry() {
	local files
	files=$(find "$BERTH_SECCOMP_CACHE" -mindepth 1 ! -name "raw-*")
	[ "$(wc -l <<<"$files")" = 1 ] || { echo "expected one entry, got: $files" >&2; return 1; }
	stat -c '%i %a %U' "$files"
}

@test "compiled programs are cached: a hit, a damaged entry and exec give the same filter" {
	export BERTH_SECCOMP_CACHE=$BATS_TEST_TMPDIR/cache/seccomp
	allow_but '[{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]'
	update_config '.process.args = ["sysprobe", "getppid"]'
	run_container
	assert_equal "$output" "errno 38 Function not implemented"
	assert_equal "$(stat -c '%a %U' "$BERTH_SECCOMP_CACHE")" "700 root"
	local first
	first=$(cache_entry)
	[[ $first == *" 600 root" ]]
	# A hit reads the entry (a miss would rename a new one into place).
	run_container
	assert_equal "$output" "errno 38 Function not implemented"
	assert_equal "$(cache_entry)" "$first"
	# exec takes the container's program from the cache too.
	update_config '.process.args = ["sleep", "1000"]'
	berth run --detach --bundle "$BUNDLE" ctr </dev/null
	run berth exec ctr sysprobe getppid
	assert_equal "$output" "errno 38 Function not implemented"
	assert_equal "$(cache_entry)" "$first"
	berth delete --force ctr
	# A damaged entry (its last instruction: only the checksum tells) is
	# compiled again and replaced.
	local file
	file=$(find "$BERTH_SECCOMP_CACHE" -mindepth 1 ! -name "raw-*")
	printf '\377' | dd of="$file" bs=1 seek=$(($(stat -c %s "$file") - 1)) conv=notrunc 2>/dev/null
	update_config '.process.args = ["sysprobe", "getppid"]'
	run_container
	assert_equal "$output" "errno 38 Function not implemented"
	[ "$(cache_entry)" != "$first" ]
	assert_no_leftovers
}

# create records the program's cache entry in the state, and exec takes
# it from there without reading the profile (most of the config's
# bytes); without the entry it reads the profile as create did.
@test "exec takes the program create recorded, and reads the profile only when the cache lost it" {
	export BERTH_SECCOMP_CACHE=$BATS_TEST_TMPDIR/cache/seccomp
	allow_but '[{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]'
	update_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_SPEC_ALLOW"]
		| .process.args = ["sleep", "1000"]'
	berth run --detach --bundle "$BUNDLE" ctr </dev/null
	local record entry
	record=$(jq -r .berth.seccomp_program "$ROOT/ctr/state.json")
	entry=$(find "$BERTH_SECCOMP_CACHE" -mindepth 1 ! -name "raw-*")
	# SECCOMP_FILTER_FLAG_SPEC_ALLOW is 4.
	assert_equal "$record" "4:$(basename "$entry")"
	# A profile exec would refuse, in the state's copy of the config: the
	# recorded program does not need it.
	jq '.linux.seccomp.syscalls = "not a list"' "$ROOT/ctr/config.json" >"$BATS_TEST_TMPDIR/c"
	cp "$BATS_TEST_TMPDIR/c" "$ROOT/ctr/config.json"
	run berth exec ctr sh -c 'sysprobe getppid; grep -E "^(Seccomp|Seccomp_filters):" /proc/self/status'
	assert_equal "${lines[0]}" "errno 38 Function not implemented"
	assert_equal "${lines[1]}" $'Seccomp:\t2'
	assert_equal "${lines[2]}" $'Seccomp_filters:\t1'
	# Without the entry, exec reads the profile, and says what is wrong
	# with it; no process is left in the container.
	rm "$entry"
	run berth exec ctr sysprobe getppid
	assert_failure 1
	assert_output_contains '.linux.seccomp.syscalls: expected an array'
	assert_equal "$(wc -l <"$(cgroup_dir)/cgroup.procs")" 1
	berth delete --force ctr
	assert_no_leftovers
}

# The cache's raw index (runtime/seccomp_cache_raw.h): the second run of
# a bundle finds the program from the profile's text and never parses
# the profile; the filter is the same and exec still finds it; one byte
# changed is a miss with its own program; a damaged index entry is a
# miss; an error elsewhere in the config is still reported.
@test "the second run takes the program from the profile's text, unparsed; one byte changed is another program" {
	export BERTH_SECCOMP_CACHE=$BATS_TEST_TMPDIR/cache/seccomp
	allow_but '[{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]'
	args 'sysprobe getppid; grep -E "^(Seccomp|Seccomp_filters):" /proc/self/status'
	run berth --debug run --bundle "$BUNDLE" ctr
	assert_success
	assert_output_contains "seccomp: no program cached for the profile's text: parsed"
	refute_output_contains "the program cached for the profile's text"
	assert_output_contains "errno 38 Function not implemented"
	local raw program
	raw=$(find "$BERTH_SECCOMP_CACHE" -name 'raw-*')
	[ "$(wc -l <<<"$raw")" = 1 ]
	assert_equal "$(stat -c '%a %U' "$raw")" "600 root"
	program=$(cache_entry)
	# The second run: from the text, nothing parsed nor written.
	run berth --debug run --bundle "$BUNDLE" ctr
	assert_success
	assert_output_contains "seccomp: the program cached for the profile's text"
	refute_output_contains "no program cached"
	assert_output_contains "errno 38 Function not implemented"
	assert_output_contains $'Seccomp:\t2'
	assert_output_contains $'Seccomp_filters:\t1'
	assert_equal "$(cache_entry)" "$program"
	assert_equal "$(find "$BERTH_SECCOMP_CACHE" -name 'raw-*' -printf '%p %i\n')" \
		"$(find "$raw" -printf '%p %i\n')"
	# Another process, the same profile's bytes: a hit, and exec takes
	# the program create recorded.
	update_config '.process.args = ["sleep", "1000"]'
	berth --debug run --detach --bundle "$BUNDLE" ctr </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/debug"
	grep -q "seccomp: the program cached for the profile's text" "$BATS_TEST_TMPDIR/debug"
	assert_equal "$(jq -r .berth.seccomp_program "$ROOT/ctr/state.json")" \
		"0:$(basename "$(find "$BERTH_SECCOMP_CACHE" -mindepth 1 ! -name 'raw-*')")"
	run berth --debug exec ctr sysprobe getppid
	assert_output_contains "seccomp: the program create cached"
	assert_output_contains "errno 38 Function not implemented"
	berth delete --force ctr
	# One byte changed (38 to 39): not the old program.
	update_config '.linux.seccomp.syscalls[0].errnoRet = 39 | .process.args = ["sysprobe", "getppid"]'
	run berth --debug run --bundle "$BUNDLE" ctr
	assert_output_contains "seccomp: no program cached for the profile's text: parsed"
	assert_output_contains "errno 39 Directory not empty"
	refute_output_contains "errno 38"
	assert_equal "$(find "$BERTH_SECCOMP_CACHE" -name 'raw-*' | wc -l)" 2
	assert_equal "$(find "$BERTH_SECCOMP_CACHE" -mindepth 1 ! -name 'raw-*' | wc -l)" 2
	run berth --debug run --bundle "$BUNDLE" ctr
	assert_output_contains "seccomp: the program cached for the profile's text"
	assert_output_contains "errno 39 Directory not empty"
	# A damaged index entry (its last byte, the checksum's) is a miss,
	# and written again.
	local file
	for file in $(find "$BERTH_SECCOMP_CACHE" -name 'raw-*'); do
		printf '\377' | dd of="$file" bs=1 seek=143 conv=notrunc 2>/dev/null
	done
	run berth --debug run --bundle "$BUNDLE" ctr
	assert_output_contains "seccomp: no program cached for the profile's text: parsed"
	assert_output_contains "errno 39 Directory not empty"
	run berth --debug run --bundle "$BUNDLE" ctr
	assert_output_contains "seccomp: the program cached for the profile's text"
	assert_output_contains "errno 39 Directory not empty"
	# A cached profile hides no error of the rest of the config (read
	# after the profile's place): the message is the one without a cache.
	update_config '.linux.personality = {"domain": "LINUX_NOPE"}'
	run berth create --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains '.linux.personality.domain: unknown personality domain "LINUX_NOPE"'
	local cached=$output
	BERTH_SECCOMP_CACHE= run berth create --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_equal "$output" "$cached"
	assert_no_leftovers
}

# A config without linux.seccomp is recorded as such: exec then installs
# no filter, and reads no profile.
@test "exec into a container without seccomp installs no filter" {
	update_config 'del(.linux.seccomp) | .process.args = ["sleep", "1000"]'
	berth run --detach --bundle "$BUNDLE" ctr </dev/null
	assert_equal "$(jq -r .berth.seccomp_program "$ROOT/ctr/state.json")" none
	run berth exec ctr grep Seccomp: /proc/self/status
	assert_success
	assert_equal "$output" $'Seccomp:\t0'
	berth delete --force ctr
	assert_no_leftovers
}

@test "a seccomp cache others can write is not used, and berth says so" {
	export BERTH_SECCOMP_CACHE=$BATS_TEST_TMPDIR/cache
	mkdir -m 0777 "$BERTH_SECCOMP_CACHE"
	allow_but '[{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]'
	update_config '.process.args = ["sysprobe", "getppid"]'
	run_container
	assert_failure 38
	assert_output_contains "berth: warning: seccomp cache $BERTH_SECCOMP_CACHE not used: it belongs to uid 0 with mode 0777"
	assert_output_contains "errno 38 Function not implemented"
	assert_equal "$(ls -A "$BERTH_SECCOMP_CACHE")" ""
	# "" turns the cache off.
	BERTH_SECCOMP_CACHE= run_container
	assert_equal "$output" "errno 38 Function not implemented"
	assert_no_leftovers
}

test_more_logged() {
	[ "$(logged_rmdirs)" -gt "$1" ]
}

# How often the kernel logged sysprobe's rmdir (syscall 84) being filtered.
logged_rmdirs() {
	dmesg | grep -c 'comm="sysprobe".*syscall=84 ' || true
}

@test "SECCOMP_FILTER_FLAG_LOG reaches seccomp(2): denials are logged" {
	dmesg >/dev/null 2>&1 || skip "cannot read the kernel log"
	local before
	allow_but '[{"names": ["rmdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]'
	update_config '.process.args = ["sysprobe", "rmdir", "/berth-log-probe"]'
	before=$(logged_rmdirs)
	run_container
	assert_equal "$output" "errno 38 Function not implemented"
	# Without the flag the kernel logs only kills.
	assert_equal "$(logged_rmdirs)" "$before"
	update_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"]'
	run_container
	assert_equal "$output" "errno 38 Function not implemented"
	wait_for test_more_logged "$before"
	# An exec'd process gets the flags from the record create made
	# (TSYNC 1, LOG 2, SPEC_ALLOW 4), not from the profile.
	update_config '.process.args = ["sleep", "1000"]'
	berth run --detach --bundle "$BUNDLE" ctr </dev/null
	[[ $(jq -r .berth.seccomp_program "$ROOT/ctr/state.json") == 7:* ]]
	before=$(logged_rmdirs)
	run berth exec ctr sysprobe rmdir /berth-log-probe
	assert_equal "$output" "errno 38 Function not implemented"
	wait_for test_more_logged "$before"
	berth delete --force ctr
	assert_no_leftovers
}

@test "the filter goes in last: berth's own setup syscalls may be denied" {
	# berth calls all of these between clone and execve, in the init and
	# in an exec'd process; a filter installed any earlier would stop it.
	allow_but '[{"names": ["setresuid", "setresgid", "setgroups", "capset", "prctl", "chdir",
		"fchdir", "chroot", "keyctl", "mount", "umount2", "pivot_root", "sethostname",
		"setns", "mount_setattr", "open_tree", "move_mount", "fsopen", "fsmount",
		"fsconfig", "sched_setaffinity", "setrlimit", "prlimit64"],
		"action": "SCMP_ACT_ERRNO", "errnoRet": 1}]'
	update_config '.process.args = ["sleep", "1000"] | .process.user.uid = 1000'
	berth run --detach --bundle "$BUNDLE" ctr
	run berth exec --user 1000:1000 ctr sh -c 'id -u; sysprobe keyctl 0 -3 0; exit 0'
	assert_success
	assert_equal "$output" "1000
errno 1 Operation not permitted"
}

@test "without no_new_privs the filter still goes in, and CAP_SYS_ADMIN does not stay" {
	allow_but '[{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]'
	update_config '.process.noNewPrivileges = false'
	for user in 0 1000; do
		update_config ".process.user.uid = $user"
		args 'grep -E "^(CapPrm|CapEff|NoNewPrivs|Seccomp):" /proc/self/status; mkdir /tmp/y'
		run_container
		assert_output_contains $'NoNewPrivs:\t0'
		assert_output_contains $'Seccomp:\t2'
		assert_output_contains "Operation not permitted"
		# Root keeps the default set (AUDIT_WRITE, KILL,
		# NET_BIND_SERVICE), user 1000 none: no SYS_ADMIN (bit 21).
		if [ "$user" = 0 ]; then
			assert_output_contains $'CapEff:\t0000000020000420'
		else
			assert_output_contains $'CapPrm:\t0000000000000000'
		fi
	done
}

@test "SCMP_ACT_NOTIFY: the agent gets the state and the fd, and answers for the container" {
	start_agent 0
	update_config ".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\",
		\"listenerPath\": \"$BATS_TEST_TMPDIR/agent.sock\", \"listenerMetadata\": \"meta=1\",
		\"flags\": [\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"],
		\"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}
		| .annotations = {\"org.example\": \"yes\"}"
	args 'mkdir /tmp/notified; echo "rc=$?" >/dev/shm/rc; [ -d /tmp/notified ] || echo absent >>/dev/shm/rc; exec sleep 1000'
	berth run --detach --bundle "$BUNDLE" ctr
	local pid
	pid=$(berth state ctr | jq -r .pid)
	wait_for test -e "$BATS_TEST_TMPDIR/state.1"
	# The agent made mkdir succeed without running it.
	wait_for sh -c "\"$BERTH\" --root \"$ROOT\" exec ctr cat /dev/shm/rc | grep -q absent"
	run berth exec ctr cat /dev/shm/rc
	assert_equal "$output" "rc=0
absent"
	# The container process state, as the runtime-spec describes it; the
	# filter went on at create (as runc installs it), so "creating".
	run jq -c '[.ociVersion, .fds, .pid, .metadata, .state.id, .state.status, .state.pid, .state.bundle, .state.annotations]' \
		"$BATS_TEST_TMPDIR/state.1"
	assert_equal "$output" "[\"1.2.0\",[\"seccompFd\"],$pid,\"meta=1\",\"ctr\",\"creating\",$pid,\"$BUNDLE\",{\"org.example\":\"yes\"}]"
	# mkdir ran in a child of the shell: the agent saw it by its host pid.
	grep -q "^nr=83 pid=[0-9]*$" "$BATS_TEST_TMPDIR/state.log"

	# An exec'd process has the same filter and its own listener (every
	# exec above made a connection too).
	berth exec --detach --pid-file "$BATS_TEST_TMPDIR/exec.pid" ctr \
		sh -c 'mkdir /tmp/again; echo "rc=$?" >/dev/shm/rc2' >/dev/null 2>&1
	local epid
	epid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	wait_for sh -c "cat $BATS_TEST_TMPDIR/state.[0-9]* | jq -e 'select(.pid == $epid)' >/dev/null"
	run sh -c "cat $BATS_TEST_TMPDIR/state.[0-9]* | jq -c 'select(.pid == $epid) | [.fds, .state.status, .state.pid]'"
	assert_equal "$output" "[[\"seccompFd\"],\"running\",$pid]"
	wait_for sh -c "\"$BERTH\" --root \"$ROOT\" exec ctr cat /dev/shm/rc2 | grep -q rc=0"
}

@test "SCMP_ACT_NOTIFY: the agent's errno is what the container sees" {
	start_agent 122
	update_config ".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\",
		\"listenerPath\": \"$BATS_TEST_TMPDIR/agent.sock\",
		\"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
	args 'mkdir /tmp/quota'
	run_container
	assert_failure 1
	assert_output_contains "mkdir: can't create directory '/tmp/quota': Disk quota exceeded"
	assert_no_leftovers
}

@test "SCMP_ACT_NOTIFY with no agent listening: create fails, nothing left" {
	# The socket of an agent that died (a missing one fails create too:
	# parity_hooks_cgroups.bats).
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
		"$BATS_TEST_TMPDIR/nobody.sock"
	update_config ".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\",
		\"listenerPath\": \"$BATS_TEST_TMPDIR/nobody.sock\",
		\"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}
		| .process.args = [\"sleep\", \"1000\"]"
	run berth create --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains "seccomp agent $BATS_TEST_TMPDIR/nobody.sock"
	assert_output_contains "Connection refused"
	assert_no_leftovers
	assert_no_berth_processes
}

@test "the default profile blocks keyctl, bpf, mount and personality, and allows the rest" {
	args 'sysprobe keyctl 0 -3 0; sysprobe add_key 0 0 0 0 0; sysprobe bpf 0 0 0;
	      sysprobe mount none /tmp tmpfs 0 0;
	      sysprobe clone3 0 0; sysprobe getppid; mkdir /dev/shm/d && echo mkdir-ok;
	      sysprobe personality 0xffffffff; sysprobe personality 0x0400000'
	run_container
	assert_equal "$output" "errno 1 Operation not permitted
errno 1 Operation not permitted
errno 1 Operation not permitted
errno 1 Operation not permitted
errno 38 Function not implemented
ok 1
mkdir-ok
ok 0
errno 38 Function not implemented"
	# Without the profile the same calls go through: the profile, not the
	# capabilities, stopped them.  (READ_IMPLIES_EXEC: 0x0400000.)
	update_config 'del(.linux.seccomp)'
	args 'sysprobe keyctl 0 -3 0 >/dev/null && echo keyctl-ok; sysprobe personality 0x0400000'
	run_container
	assert_equal "$output" "keyctl-ok
ok 0"
}

@test "the default profile blocks unshare(CLONE_NEWUSER)" {
	# Where the kernel refuses user namespaces anyway (a chroot), the
	# profile could not be what stopped the call.
	require_userns
	args 'unshare -U true; echo "unshare=$?"'
	run_container
	assert_equal "$output" "unshare: unshare(0x10000000): Operation not permitted
unshare=1"
	update_config 'del(.linux.seccomp)'
	args 'unshare -U true && echo unshare-ok'
	run_container
	assert_equal "$output" "unshare-ok"
}

@test "berth spec's profile is contrib/seccomp.json" {
	assert_equal "$(jq -S .linux.seccomp "$BUNDLE/config.json")" "$(jq -S . "$REPO/contrib/seccomp.json")"
	run "$BERTH" seccomp-profile
	assert_success
	assert_equal "$output" "$(cat "$REPO/contrib/seccomp.json")"
}
