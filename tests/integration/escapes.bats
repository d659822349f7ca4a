#!/usr/bin/env bats
# Escape classes, each as an attack run from inside a container (or from
# a hostile rootfs): the attack must fail and the host must be unchanged.
# Where runc does the same thing, the same attack runs against it too, so
# that a difference shows.  SECURITY.md lists these tests by class.

load helpers

setup() {
	setup_bundle
	SOCK=$BATS_TEST_TMPDIR/console.sock
}
teardown() {
	local failed=0
	# runc's container first: it lives in the test's cgroups too.  runc
	# also makes its cgroup in the name=systemd hierarchy, which berth
	# leaves alone.
	if [ -n "${RUNC_ROOT:-}" ]; then
		runc --root "$RUNC_ROOT" delete --force runc-ctr >/dev/null 2>&1 || true
		remove_runc_systemd_cgroup
	fi
	cleanup_containers || failed=1
	[ -z "${RECV:-}" ] || kill "$RECV" 2>/dev/null
	return "$failed"
}

# Run the shell script $1 as the container's process.
set_script() {
	local tmp
	tmp=$(mktemp "$BUNDLE/config.XXXXXX")
	jq --arg s "$1" '.process.args = ["sh", "-c", $s]' "$BUNDLE/config.json" >"$tmp" &&
		mv "$tmp" "$BUNDLE/config.json"
}

remove_runc_systemd_cgroup() {
	local own d
	own=$(sed -n 's/^[0-9]*:name=systemd://p' /proc/self/cgroup | sed 's:/$::')
	d=/sys/fs/cgroup/systemd$own/$CGROUP_PARENT
	[ -d "$d" ] || return 0
	find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
}

has_runc() {
	command -v runc >/dev/null
}

# A program of the rootfs whose interpreter is the runtime's own binary,
# as the process about to execve it sees it: "#!/proc/self/exe".  Its one
# argument makes berth's binary, run there, log its error to a FIFO,
# which holds it until the thief has looked (see exe_thief.c).
plant_self_exe_script() {
	cp "$HELPERS/exe_thief" "$BUNDLE/rootfs/bin/exe_thief"
	printf '#!/proc/self/exe --log=/tmp/gate\n' >"$BUNDLE/rootfs/bin/evil"
	chmod 755 "$BUNDLE/rootfs/bin/evil"
	mkfifo "$BUNDLE/rootfs/tmp/gate"
}

# Start the attacker of the CVE-2019-5736 class as container "attacker":
# exe_thief watches the container's processes for a foreign binary and
# tries to write to it once nobody runs it.
start_exe_thief() {
	plant_self_exe_script
	update_config '.root.readonly = false
		| .process.args = ["/bin/exe_thief", "/tmp/thief.log", "15", "/tmp/gate"]'
	run_detached run -d --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/attacker.pid" attacker
	assert_success
	wait_for grep -q watching "$BUNDLE/rootfs/tmp/thief.log"
}

# Wait until the thief has finished with what it found: "wrote", or
# "refused" (reopening for writing failed for good), or its deadline.
thief_verdict() {
	local log=$BUNDLE/rootfs/tmp/thief.log i
	for i in $(seq 150); do
		grep -q "wrote\|refused\|done" "$log" && break
		sleep 0.1
	done
	cat "$log"
}

# The runtime binary these attacks run: a copy, so that an attack that
# works damages only the copy.
use_runtime_copy() {
	cp "$1" "$BATS_TEST_TMPDIR/runtime-copy"
	BERTH=$BATS_TEST_TMPDIR/runtime-copy
	BEFORE=$(sha256sum "$BERTH" | cut -d' ' -f1)
}

# berth runs the container's first instructions from its own binary, and
# a program "#!/proc/self/exe" makes the kernel execute that binary inside
# the container, where any process of the container opens it through
# /proc/PID/exe and would write it once berth has exited.  berth runs
# from a read-only view of its binary (isolation/selfexe.h), runc (the
# control below) from a sealed copy in a memfd.
@test "CVE-2019-5736: exec of a '#!/proc/self/exe' program cannot reach the runtime's binary" {
	use_runtime_copy "$BERTH"
	start_exe_thief
	run berth exec attacker /bin/evil
	run thief_verdict
	# The attack ran: the thief met the runtime's binary in the container.
	assert_output_contains found
	if [[ "$output" == *wrote* ]]; then
		fail "the container wrote to the runtime's binary: $output"
	fi
	assert_equal "$(sha256sum "$BERTH" | cut -d' ' -f1)" "$BEFORE"
}

# The same, where the victim is a second container's init, created in
# the attacker's pid namespace.
@test "CVE-2019-5736: run of a '#!/proc/self/exe' program cannot reach the runtime's binary" {
	use_runtime_copy "$BERTH"
	start_exe_thief
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/attacker.pid")
	update_config ".linux.cgroupsPath = \"$CGROUP_PARENT/victim\"
		| .linux.namespaces |= map(if .type == \"pid\" then .path = \"/proc/$pid/ns/pid\" else . end)
		| .process.args = [\"/bin/evil\"]"
	run_detached run -d --bundle "$BUNDLE" victim
	run thief_verdict
	# The attack ran: the thief met the runtime's binary in the container.
	assert_output_contains found
	if [[ "$output" == *wrote* ]]; then
		fail "the container wrote to the runtime's binary: $output"
	fi
	assert_equal "$(sha256sum "$BERTH" | cut -d' ' -f1)" "$BEFORE"
}

# On x86_64 the view is taken by berth's ELF entry, before glibc starts
# (isolation/selfexe_entry.c): the first process makes the view and
# executes it before glibc's first system call (arch_prctl for its TLS),
# the second finds itself on a read-only mount and goes on.  A command
# that makes no container does not execute itself again.
@test "CVE-2019-5736: run executes its read-only view before the C library starts; state does not" {
	[ "$(uname -m)" = x86_64 ] || skip "the early entry is x86_64 only"
	local trace=$BATS_TEST_TMPDIR/trace first
	update_config '.process.args = ["/bin/true"]'
	strace -o "$trace" -e trace=arch_prctl,open_tree,mount_setattr,execve,execveat,statfs,fstatfs \
		"$BERTH" --root "$ROOT" run --bundle "$BUNDLE" early </dev/null
	# The lines before glibc's first arch_prctl: one process, no libc yet.
	first=$(sed '/arch_prctl/q' "$trace")
	echo "$first"
	grep -q 'open_tree(AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE' <<<"$first"
	grep -Eq 'mount_setattr\([0-9]+, "", AT_EMPTY_PATH, \{attr_set=MOUNT_ATTR_RDONLY' <<<"$first"
	grep -Eq '^execveat\([0-9]+, "", .* = 0$' <<<"$first"
	# The second start finds its binary on a read-only mount (main's check).
	grep -q 'fstatfs(.*ST_RDONLY' "$trace"
	assert_equal "$(grep -c '^execveat(' "$trace")" 1
	[ ! -d "$ROOT/early" ]
	strace -o "$trace" -e trace=open_tree,execveat "$BERTH" --root "$ROOT" state early </dev/null || true
	assert_equal "$(grep -c 'open_tree\|execveat' "$trace")" 0
}

# The same attack against runc: its binary, run inside the container, is
# found but cannot be written.  Debian's runc is linked dynamically, so
# the rootfs gets its loader and libraries, as a real image has them.
@test "CVE-2019-5736 control: runc's binary holds against the same exec attack" {
	has_runc || skip "runc is not installed"
	RUNC_ROOT=$BATS_TEST_TMPDIR/runc
	local lib
	for lib in $(ldd "$(command -v runc)" | grep -o '/[^ ]*'); do
		mkdir -p "$BUNDLE/rootfs$(dirname "$lib")"
		cp "$lib" "$BUNDLE/rootfs$lib"
	done
	use_runtime_copy "$(command -v runc)"
	plant_self_exe_script
	update_config '.root.readonly = false
		| .process.args = ["/bin/exe_thief", "/tmp/thief.log", "15", "/tmp/gate"]'
	"$BERTH" --root "$RUNC_ROOT" run -d --bundle "$BUNDLE" runc-ctr </dev/null >/dev/null 2>&1
	wait_for grep -q watching "$BUNDLE/rootfs/tmp/thief.log"
	run "$BERTH" --root "$RUNC_ROOT" exec runc-ctr /bin/evil
	run thief_verdict
	# The attack ran: the thief met runc's binary and could not write it,
	# or was refused its /proc entry at once (runc not yet dumpable; seen
	# where the tests run chrooted).
	if [[ "$output" == *found* ]]; then
		assert_output_contains refused
	else
		assert_output_contains denied
	fi
	if [[ "$output" == *wrote* ]]; then
		fail "the container wrote to runc's binary: $output"
	fi
	assert_equal "$(sha256sum "$BERTH" | cut -d' ' -f1)" "$BEFORE"
}

# The caller holds a directory of the host open on fd 7 and a file on
# fd 8, as a careless caller would.
open_caller_fds() {
	HOSTDIR=$BATS_TEST_TMPDIR/hostdir
	mkdir -p "$HOSTDIR"
	echo host-secret >"$HOSTDIR/secret"
}

@test "CVE-2024-21626 / CVE-2016-9962: no fd of the caller or of berth reaches run; no cwd through /proc/self/fd/N" {
	open_caller_fds
	update_config '.process.args = ["sh", "-c", "ls /proc/self/fd | xargs; cat /proc/self/fd/7/secret 2>&1; true"]'
	run berth run --bundle "$BUNDLE" ctr 7<"$HOSTDIR" 8<"$HOSTDIR/secret"
	assert_success
	# stdio and ls's own directory
	assert_equal "${lines[0]}" "0 1 2 3"
	if [[ "$output" == *host-secret* ]]; then fail "the container read the caller's directory"; fi
	# Whatever fd berth holds while it sets the process up, none is a
	# way out: every cwd through /proc/self/fd is refused.
	local n
	for n in $(seq 3 12); do
		update_config ".process.cwd = \"/proc/self/fd/$n\" | .process.args = [\"cat\", \"secret\"]"
		run_detached create --bundle "$BUNDLE" ctr 7<"$HOSTDIR" 8<"$HOSTDIR/secret"
		assert_failure 1
		if [[ "$output" == *host-secret* ]]; then fail "fd $n: the container read the host"; fi
		assert_output_contains "/proc/self/fd/$n"
		assert_no_leftovers
	done
}

@test "CVE-2024-21626 / CVE-2016-9962: no fd of the caller or of berth reaches exec; no --cwd through /proc/self/fd/N" {
	open_caller_fds
	update_config '.process.args = ["sleep", "100"]'
	run_detached run -d --bundle "$BUNDLE" ctr
	assert_success
	run berth exec ctr ls /proc/self/fd 7<"$HOSTDIR" 8<"$HOSTDIR/secret"
	assert_success
	assert_equal "$(echo $output)" "0 1 2 3"
	local n
	for n in $(seq 3 12); do
		run berth exec --cwd "/proc/self/fd/$n" ctr cat secret 7<"$HOSTDIR" 8<"$HOSTDIR/secret"
		assert_failure
		if [[ "$output" == *host-secret* ]]; then fail "fd $n: the exec read the host"; fi
		assert_output_contains "/proc/self/fd/$n"
	done
	# The container is untouched, and no exec is left running.
	assert_equal "$(container_status ctr)" running
	run berth ps ctr
	assert_equal "$(echo "$output" | grep -c -v PID)" 1
}

# A container may sit in `created` for long, with its init not yet
# under its final settings: only stdio, the exec socket and
# --preserve-fds may cross into it.
@test "CVE-2016-9962: a created container's init holds no fd of the caller" {
	open_caller_fds
	run_detached create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/init.pid" ctr \
		7<"$HOSTDIR" 8<"$HOSTDIR/secret"
	assert_success
	local pid fd target leaked=""
	pid=$(cat "$BATS_TEST_TMPDIR/init.pid")
	for fd in $(ls "/proc/$pid/fd"); do
		[ "$fd" -ge 3 ] || continue
		target=$(readlink "/proc/$pid/fd/$fd")
		case "$target" in
		socket:*) ;;
		*) leaked="$leaked $fd=$target" ;;
		esac
	done
	[ -z "$leaked" ] || fail "the created container's init holds:$leaked"
}

@test "CVE-2021-30465 / CVE-2019-19921: a helper in the rootfs swaps a mount target for a symlink thousands of times; every mount stays in the root" {
	local host=$BATS_TEST_TMPDIR/hostside i met=0 swaps
	mkdir -p "$host" "$BUNDLE/rootfs/link"
	ln -s "$host" "$BUNDLE/rootfs/swap"
	cp "$HELPERS/swapper" "$BUNDLE/rootfs/bin/swapper"
	# The attacker: a container on the same rootfs, swapping /link (a
	# directory) and /swap (a symlink to a host path) without pause.
	update_config ".root.readonly = false
		| .linux.cgroupsPath = \"$CGROUP_PARENT/attacker\"
		| .process.args = [\"/bin/swapper\", \"/link\", \"/swap\", \"/tmp/swaps\"]"
	run_detached run -d --bundle "$BUNDLE" attacker
	assert_success
	wait_for test -s "$BUNDLE/rootfs/tmp/swaps"
	# The victims: containers with a tmpfs on /link.
	update_config ".linux.cgroupsPath = \"$CGROUP_PARENT/ctr\"
		| .mounts += [{\"destination\": \"/link\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"size=1200k\"]}]
		| .process.args = [\"awk\", \"/size=1200k/ {print \$5}\", \"/proc/self/mountinfo\"]"
	for i in $(seq 60); do
		run berth run --bundle "$BUNDLE" ctr
		# A start that meets the swap mid-way may fail, cleanly: an error
		# naming the mount, nothing of that container left.
		if [ "$status" -ne 0 ]; then
			echo "run $i: $output" >>"$BATS_TEST_TMPDIR/failed-runs"
			assert_output_contains "on /link"
			[ ! -e "$ROOT/ctr" ] || fail "run $i left its state"
			assert_no_own_cgroup "$CGROUP_PARENT/ctr"
			continue
		fi
		case "$output" in
		/link | /swap) ;;
		"$host") met=$((met + 1)) ;;
		*) fail "run $i: the tmpfs is not where the container sees it: '$output'" ;;
		esac
		if [ "$met" -ge 2 ]; then break; fi
	done
	swaps=$(cat "$BUNDLE/rootfs/tmp/swaps")
	berth delete --force attacker
	# The race was run: thousands of swaps, and containers met the link.
	[ "$swaps" -ge 1000 ] || fail "only $swaps swaps"
	[ "$met" -ge 1 ] || fail "no container met the symlink in $i runs"
	if grep -q hostside /proc/self/mountinfo; then fail "a mount on the host's side"; fi
	assert_equal "$(ls -A "$host")" ""
}

# A rootfs that brings its own /dev (no tmpfs from the config), in which
# the attacker planted symlinks to host paths.
own_dev_rootfs() {
	update_config '.mounts |= map(select(.destination != "/dev"))'
	mkdir -p "$BUNDLE/rootfs/dev"
	HOSTFILE=$BATS_TEST_TMPDIR/host-target
	echo host-content >"$HOSTFILE"
	touch -d @1000000000 "$HOSTFILE"
}

host_file_untouched() {
	assert_equal "$(cat "$HOSTFILE")" host-content
	assert_equal "$(stat -c %Y "$HOSTFILE")" 1000000000
	if grep -q "host-target" /proc/self/mountinfo; then fail "a mount on the host's file"; fi
}

@test "CVE-2025-31133 / CVE-2025-52881: /dev/null and a masked path as symlinks to a host file mask nothing of the host" {
	own_dev_rootfs
	ln -s "$HOSTFILE" "$BUNDLE/rootfs/dev/null"
	ln -s "$HOSTFILE" "$BUNDLE/rootfs/masklink"
	# The same path inside the root, which the masked symlink reaches.
	mkdir -p "$BUNDLE/rootfs$(dirname "$HOSTFILE")"
	echo inside-content >"$BUNDLE/rootfs$HOSTFILE"
	update_config '.linux.maskedPaths += ["/masklink"]
		| .process.args = ["sh", "-c", "stat -c \"%F %t:%T\" /dev/null; stat -L -c \"%t:%T\" /proc/keys; cat /masklink | wc -c; echo x > /dev/null && echo null-writable"]'
	run_container
	assert_success
	assert_equal "${lines[0]}" "character special file 1:3"
	assert_equal "${lines[1]}" "1:3"
	assert_equal "${lines[2]}" 0
	assert_equal "${lines[3]}" null-writable
	host_file_untouched
	# the symlink was replaced by the device inside the root only
	[ -c "$BUNDLE/rootfs/dev/null" ]
	assert_equal "$(cat "$BUNDLE/rootfs$HOSTFILE")" inside-content
}

@test "CVE-2025-52565: /dev/console as a symlink to a host file gets the container's terminal, the host file nothing" {
	own_dev_rootfs
	ln -s "$HOSTFILE" "$BUNDLE/rootfs/dev/console"
	update_config '.process.terminal = true
		| .process.args = ["sh", "-c", "stat -L -c \"%t\" /dev/console; readlink /proc/self/fd/0"]'
	"$HELPERS/recvtty" "$SOCK" >"$BATS_TEST_TMPDIR/tty.out" &
	RECV=$!
	wait_for test -S "$SOCK"
	run_detached run -d --console-socket "$SOCK" --bundle "$BUNDLE" ctr
	assert_success
	wait "$RECV"
	RECV=
	run cat "$BATS_TEST_TMPDIR/tty.out"
	# 0x88 = 136, the devpts major: the console is the container's pty.
	assert_equal "$(echo "${lines[0]}" | tr -d '\r')" 88
	assert_output_contains /dev/pts/0
	host_file_untouched
}

@test "CVE-2019-19921: /proc as a regular file in the rootfs is refused, nothing left" {
	rmdir "$BUNDLE/rootfs/proc"
	echo not-proc >"$BUNDLE/rootfs/proc"
	run_detached create --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains "destination /proc is not a directory"
	assert_no_leftovers
	assert_equal "$(cat "$BUNDLE/rootfs/proc")" not-proc
}

@test "CVE-2025-52881: a volume over /proc/sys through a rootfs symlink cannot take a sysctl" {
	# /data -> /proc/sys/kernel: the volume lands on the container's
	# /proc/sys/kernel, and a sysctl written through /proc/sys would go
	# to the volume instead of the kernel.
	ln -s /proc/sys/kernel "$BUNDLE/rootfs/data"
	local before
	before=$(cat /proc/sys/kernel/shmmni)
	update_config '.mounts += [{"destination": "/data", "type": "tmpfs", "source": "tmpfs"}]
		| .linux.sysctl = {"kernel.shmmni": "1234"}
		| .process.args = ["cat", "/proc/sys/kernel/shmmni"]'
	run_detached create --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains "sysctl kernel.shmmni"
	assert_no_leftovers
	assert_equal "$(cat /proc/sys/kernel/shmmni)" "$before"
}

# The capability sets of a process, as /proc/PID/status shows them.
cap_sets() {
	grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb):' | xargs
}

@test "CVE-2022-29162: inheritable and ambient capabilities only as asked, for the init and exec (also --cap); as runc" {
	update_config '.process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"effective": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"]}
		| .process.args = ["sleep", "100"]'
	run_detached run -d --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/init.pid" ctr
	assert_success
	local init exec1 exec2 exec3
	init=$(cap_sets <"/proc/$(cat "$BATS_TEST_TMPDIR/init.pid")/status")
	assert_equal "$init" "CapInh: 0000000000000000 CapPrm: 0000000000000421 CapEff: 0000000000000421 CapBnd: 0000000000000421 CapAmb: 0000000000000000"
	exec1=$(berth exec ctr cat /proc/self/status | cap_sets)
	assert_equal "$exec1" "$init"
	exec2=$(berth exec --cap CAP_SYS_ADMIN ctr cat /proc/self/status | cap_sets)
	# --cap adds to the bounding, effective and permitted sets, never to
	# the inheritable or ambient ones (CVE-2022-29162).
	assert_equal "$exec2" "CapInh: 0000000000000000 CapPrm: 0000000000200421 CapEff: 0000000000200421 CapBnd: 0000000000200421 CapAmb: 0000000000000000"
	# A non-root user without ambient capabilities keeps none.
	exec3=$(berth exec --user 1000:1000 ctr cat /proc/self/status | cap_sets)
	assert_equal "$exec3" "CapInh: 0000000000000000 CapPrm: 0000000000000000 CapEff: 0000000000000000 CapBnd: 0000000000000421 CapAmb: 0000000000000000"
	berth delete --force ctr
	has_runc || return 0
	# runc, the same steps: the same sets.
	RUNC_ROOT=$BATS_TEST_TMPDIR/runc
	runc --root "$RUNC_ROOT" run -d --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/runc.pid" runc-ctr \
		</dev/null >/dev/null 2>&1
	assert_equal "$(cap_sets <"/proc/$(cat "$BATS_TEST_TMPDIR/runc.pid")/status")" "$init"
	assert_equal "$(runc --root "$RUNC_ROOT" exec runc-ctr cat /proc/self/status | cap_sets)" "$exec1"
	assert_equal "$(runc --root "$RUNC_ROOT" exec --cap CAP_SYS_ADMIN runc-ctr cat /proc/self/status | cap_sets)" "$exec2"
	assert_equal "$(runc --root "$RUNC_ROOT" exec --user 1000:1000 runc-ctr cat /proc/self/status | cap_sets)" "$exec3"
}

# The attack of the CVE-2023-25809 class from inside: every cgroup and
# sysfs mount the container sees, and writes to its own cgroup's
# pids.max and a new cgroup below it, through whatever /sys/fs/cgroup
# shows (its own cgroup, found in /proc/self/cgroup).
CGROUPFS_ATTACK='grep -E " /sys(/fs/cgroup[^ ]*)? " /proc/self/mountinfo | cut -d" " -f5,6
	p=$(sed -n "s/^[0-9]*:pids://p" /proc/self/cgroup)
	[ -n "$p" ] || p=$(sed -n "s/^0:://p" /proc/self/cgroup)
	for d in /sys/fs/cgroup/pids$p /sys/fs/cgroup$p /sys/fs/cgroup/unified$p; do
		[ -e $d/pids.max ] || continue
		echo 7 > $d/pids.max && echo wrote $d
		mkdir $d/probe && echo made $d/probe
	done
	echo 1 > /sys/kernel/mm/ksm/run && echo wrote ksm
	true'

check_cgroupfs_attack() {
	assert_success
	local line
	while read -r line; do
		case "$line" in
		/sys*) [[ "${line#* }" == ro,* ]] || fail "writable in the container: $line" ;;
		wrote* | made*) fail "the container changed the host: $line" ;;
		esac
	done <<<"$output"
	assert_output_contains "Read-only file system"
	local d
	for d in $(own_cgroup_dirs "$CGROUP_PARENT/ctr"); do
		if [ -e "$d/probe" ]; then fail "a cgroup made from inside: $d/probe"; fi
	done
}

@test "CVE-2023-25809: /sys/fs/cgroup and sysfs are read-only in the default config; writes fail with EROFS" {
	update_config ".linux.resources = {\"pids\": {\"limit\": 100}}"
	set_script "$CGROUPFS_ATTACK"
	run_container
	check_cgroupfs_attack
}

@test "CVE-2023-25809: a rootless-style config (user namespace, /sys bound from the host, no cgroup namespace) gets no writable cgroupfs" {
	require_userns
	rm "$BUNDLE/config.json"
	"$BERTH" spec --rootless --bundle "$BUNDLE"
	update_config ".linux.cgroupsPath = \"$CGROUP_PARENT/ctr\"
		| .process.terminal = false
		| .linux.resources = {\"pids\": {\"limit\": 100}}
		| .linux.namespaces |= map(select(.type != \"cgroup\"))"
	set_script "$CGROUPFS_ATTACK"
	make_bundle_reachable
	run_container
	check_cgroupfs_attack
}
