# Shared set-up for berth's bats tests.
#
# Every test gets its own state root, bundle and busybox rootfs under
# BATS_TEST_TMPDIR, and a relative cgroupsPath, so that its cgroups nest
# below the test process's own cgroup in every hierarchy.  teardown
# deletes whatever the test left and fails the test if anything remains:
# a state directory, a cgroup, a process.

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BERTH=${BERTH:-$REPO/build/berth}
BUSYBOX=${BUSYBOX:-$(command -v busybox)}
# Small static programs the tests use (recvtty, seccomp_agent, sysprobe).
HELPERS=$REPO/build/tests/helpers

# The berth command of this test, with its own state root.
berth() {
	"$BERTH" --root "$ROOT" "$@"
}

# A rootfs of busybox-static with every applet as a symlink, plus the
# files programs expect (/etc/passwd for id, /etc/group).  Built once per
# bats run and copied: spawning 270 ln processes per test is slow, above
# all in the emulated VM.
make_rootfs() {
	local dir=$1 tmpl=$BATS_RUN_TMPDIR/rootfs-template
	if [ ! -d "$tmpl" ]; then
		local new=$tmpl.$$
		mkdir -p "$new"/{bin,sbin,etc,proc,sys,dev,tmp,root,var,run,usr/bin}
		cp "$BUSYBOX" "$new/bin/busybox"
		(cd "$new/bin" && "$BUSYBOX" --list | grep -vx busybox |
			python3 -c 'import os, sys; [os.symlink("busybox", a.strip()) for a in sys.stdin]')
		printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\nuser:x:1000:1000::/tmp:/bin/sh\n' >"$new/etc/passwd"
		printf 'root:x:0:\nnobody:x:65534:\nuser:x:1000:\n' >"$new/etc/group"
		chmod 1777 "$new/tmp"
		mv -T "$new" "$tmpl" 2>/dev/null || rm -rf "$new"
	fi
	mkdir -p "$(dirname "$dir")"
	cp -a "$tmpl" "$dir"
}

# A bundle with berth's default config, changed to fit a test:
# a fresh cgroup below ours, a command that exits by itself, no terminal
# (berth spec's shell wants one, as runc spec's).
setup_bundle() {
	BUNDLE=$BATS_TEST_TMPDIR/bundle
	ROOT=$BATS_TEST_TMPDIR/root
	CGROUP_PARENT=berth-test-$$-$BATS_TEST_NUMBER
	mkdir -p "$BUNDLE" "$ROOT"
	make_rootfs "$BUNDLE/rootfs"
	"$BERTH" spec --bundle "$BUNDLE"
	update_config ".linux.cgroupsPath = \"$CGROUP_PARENT/ctr\"
		| del(.linux.resources)
		| .process.terminal = false
		| .process.args = [\"true\"]"
}

# A container in a user namespace runs as a host uid that must reach the
# bundle: let everyone traverse the directories above it.
make_bundle_reachable() {
	local d=$BUNDLE
	while [ "$d" != / ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
}

# Apply a jq filter to the bundle's config.json.
update_config() {
	local tmp
	tmp=$(mktemp "$BUNDLE/config.XXXXXX")
	jq "$1" "$BUNDLE/config.json" >"$tmp" && mv "$tmp" "$BUNDLE/config.json"
}

# The container's cgroup directory in the unified hierarchy, as the host
# sees it (relative cgroupsPath nests below our own cgroup).
unified_root() {
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		echo /sys/fs/cgroup
	else
		echo /sys/fs/cgroup/unified
	fi
}
own_unified_cgroup() {
	sed -n 's/^0:://p' /proc/self/cgroup | sed 's:/$::'
}
cgroup_dir() {
	echo "$(unified_root)$(own_unified_cgroup)/$CGROUP_PARENT/${1:-ctr}"
}

# `run berth ARGS` for commands that leave a container process behind
# (create, run -d): that process inherits stdout and stderr, so bats'
# capture pipe would never close.  Output goes through a file instead.
run_detached() {
	local out=$BATS_TEST_TMPDIR/detached.out
	status=0
	"$BERTH" --root "$ROOT" "$@" >"$out" 2>&1 </dev/null || status=$?
	output=$(cat "$out")
	lines=()
	[ -n "$output" ] && mapfile -t lines <<<"$output"
	return 0
}

# The mount point of the cgroup v1 hierarchy holding controller $1
# (nothing when there is none).
v1_mount() {
	awk -v c="$1" '{
		for (i = 7; i <= NF && $i != "-"; i++);
		if ($(i + 1) != "cgroup") next;
		n = split($(i + 3), o, ",");
		for (k = 1; k <= n; k++) if (o[k] == c) { print $5; exit }
	}' /proc/self/mountinfo
}

# Our own cgroup directory in each v1 hierarchy with controllers (a
# hybrid or legacy host keeps containers there too; none when unified).
own_v1_cgroups() {
	local id ctrl path mnt
	while IFS=: read -r id ctrl path; do
		[ "$id" != 0 ] && [ -n "$ctrl" ] || continue
		[[ $ctrl == name=* ]] && continue
		mnt=$(v1_mount "${ctrl%%,*}")
		[ -n "$mnt" ] && echo "$mnt${path%/}"
	done </proc/self/cgroup
}

# Our own cgroup directory in each named v1 hierarchy (name=systemd): they
# hold no controller, berth makes nothing there, but runc (a peer in some
# tests) does, and leaves it; only the clean-up looks there.
own_named_cgroups() {
	local id ctrl path mnt
	while IFS=: read -r id ctrl path; do
		[[ $id != 0 && $ctrl == name=* ]] || continue
		mnt=$(v1_mount "$ctrl")
		[ -n "$mnt" ] && echo "$mnt${path%/}"
	done </proc/self/cgroup
}

# The directories of cgroup $1 (relative) below our own cgroup in every
# hierarchy: each v1 one with controllers, and the unified one.  None for
# an empty $1: our own cgroup may be a hierarchy's root, and what is
# below it is not the test's to check or remove.
own_cgroup_dirs() {
	local d
	if [ -z "$1" ]; then
		echo "own_cgroup_dirs: no cgroup named" >&2
		return 1
	fi
	for d in $(own_v1_cgroups) "$(unified_root)$(own_unified_cgroup)"; do
		echo "$d/$1"
	done
}

# The processes of cgroup directory $1 and of every cgroup below it.
cgroup_tree_procs() {
	[ -d "$1" ] || return 0
	find "$1" -name cgroup.procs -exec cat {} + 2>/dev/null
}

# Fail when cgroup $1 (relative to ours) exists in any hierarchy; with
# $2 = below, only a cgroup below it or a process in it fails (a parent
# that two containers shared stays after their deletes, as runc leaves
# it: berth removes only the cgroups it made, and the second container
# found the parent made).
assert_no_own_cgroup() {
	local d left="" procs
	own_cgroup_dirs "$1" >/dev/null || return 1
	for d in $(own_cgroup_dirs "$1"); do
		[ -d "$d" ] || continue
		if [ "${2:-}" != below ]; then
			left="$left $d"
		elif [ -n "$(find "$d" -mindepth 1 -type d)" ]; then
			left="$left $(find "$d" -mindepth 1 -type d | xargs)"
		fi
		procs=$(cgroup_tree_procs "$d" | xargs)
		[ -z "$procs" ] || left="$left (processes $procs in $d)"
	done
	if [ -n "$left" ]; then
		echo "cgroups left behind:$left" >&2
		return 1
	fi
}

# Remove cgroup $1 (relative to ours) and everything below it in every
# hierarchy, ending what still runs there: the clean-up after the checks.
# With $2 = below, $1 itself stays.
remove_own_cgroups() {
	local d c p min=0
	[ -n "$1" ] || return 1
	[ "${2:-}" != below ] || min=1
	for d in $(own_cgroup_dirs "$1") $(own_named_cgroups | sed "s|\$|/$1|"); do
		[ -d "$d" ] || continue
		for c in $(find "$d" -mindepth "$min" -depth -type d); do
			# A paused container's processes die only once thawed.
			if [ -e "$c/freezer.state" ]; then
				echo THAWED >"$c/freezer.state"
			fi
			if [ -e "$c/cgroup.freeze" ]; then
				echo 0 >"$c/cgroup.freeze"
			fi
			for p in $(cat "$c/cgroup.procs" 2>/dev/null); do
				kill -9 "$p" 2>/dev/null
			done
			wait_for rmdir "$c" 2>/dev/null
		done
	done
	return 0
}

# Run a container in the foreground and capture its output and status.
run_container() {
	run berth run --bundle "$BUNDLE" "${1:-ctr}"
}

# Wait until a command succeeds (up to 5 s, or WAIT_FOR_SECONDS).
wait_for() {
	local i
	for i in $(seq $((${WAIT_FOR_SECONDS:-5} * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

container_status() {
	berth state "$1" 2>/dev/null | jq -r .status
}

# Wait until container ID has STATUS.
wait_status() {
	local i
	for i in $(seq 100); do
		[ "$(container_status "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	echo "container $1 is $(container_status "$1"), not $2" >&2
	return 1
}

# Fail if anything of container ID remains: its state, its cgroup in
# any hierarchy (a process in it), the test's cgroup parent (which the
# test's container made, and its delete removes).
assert_no_leftovers() {
	local id=${1:-ctr} failed=0
	if [ -e "$ROOT/$id" ]; then
		echo "state directory $ROOT/$id left behind" >&2
		failed=1
	fi
	if [ -n "${CGROUP_PARENT:-}" ]; then
		assert_no_own_cgroup "$CGROUP_PARENT/$id" || failed=1
		assert_no_own_cgroup "$CGROUP_PARENT" || failed=1
	fi
	return "$failed"
}

# The berth commands of this test that still run (a foreground run, an
# exec), as "pid command line" lines.
berth_processes() {
	pgrep -a -f -- "--root $ROOT( |\$)"
}

no_berth_processes() {
	[ -z "$(berth_processes)" ]
}

# Fail when a berth command of this test still runs, after a moment to
# exit for those whose container was just deleted.
assert_no_berth_processes() {
	if ! wait_for no_berth_processes; then
		echo "berth processes left behind: $(berth_processes)" >&2
		return 1
	fi
}

# bats' own assertions, kept small.
# Fail the test.  A negation is written "if cmd; then fail ...; fi": bats
# ignores a failed "! cmd" unless it is the test's last command.
fail() {
	echo "${1:-failed}" >&2
	return 1
}

assert_success() {
	if [ "$status" -ne 0 ]; then
		echo "expected success, got status $status; output:" >&2
		echo "$output" >&2
		return 1
	fi
}
assert_failure() {
	if [ "$status" -eq 0 ]; then
		echo "expected failure; output:" >&2
		echo "$output" >&2
		return 1
	fi
	if [ -n "${1:-}" ] && [ "$status" -ne "$1" ]; then
		echo "expected status $1, got $status; output:" >&2
		echo "$output" >&2
		return 1
	fi
}
assert_output_contains() {
	if [[ "$output" != *"$1"* ]]; then
		echo "expected output to contain: $1" >&2
		echo "output was: $output" >&2
		return 1
	fi
}
refute_output_contains() {
	if [[ "$output" == *"$1"* ]]; then
		echo "expected output not to contain: $1" >&2
		echo "output was: $output" >&2
		return 1
	fi
}
assert_equal() {
	if [ "$1" != "$2" ]; then
		echo "expected: $2" >&2
		echo "actual:   $1" >&2
		return 1
	fi
}

# Skip a test that needs user namespaces where this environment forbids
# them (a chroot, as some CI sandboxes are, may not create one).
require_userns() {
	local why
	if ! why=$(unshare --user true 2>&1); then
		skip "this environment cannot create user namespaces (unshare --user: ${why:-failed})"
	fi
}

# Skip a test that needs a pure cgroup v2 host (the VM).
require_cgroup_v2() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] ||
		skip "needs a unified cgroup v2 host (runs in tests/vm)"
}

# Skip a test that needs cgroup v1 controllers (a hybrid or legacy host).
require_cgroup_v1() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] ||
		skip "needs cgroup v1 controllers (runs on a hybrid host)"
}

# Default teardown: delete every container of this test (berth delete
# --force, as a user would), then fail if anything of them remains: a
# state, a berth process, a cgroup below the test's parent or a process
# in one.  The checks come first; what they found is removed after them,
# so that a failed test leaves nothing to the next.
cleanup_containers() {
	local id p failed=0
	for id in $(ls "$ROOT" 2>/dev/null); do
		"$BERTH" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
	done
	if [ -n "$(ls -A "$ROOT" 2>/dev/null)" ]; then
		echo "state left behind after delete --force: $(ls "$ROOT" | xargs)" >&2
		failed=1
	fi
	assert_no_berth_processes || failed=1
	if [ -n "${CGROUP_PARENT:-}" ]; then
		assert_no_own_cgroup "$CGROUP_PARENT" below || failed=1
	fi
	for p in $(berth_processes | cut -d' ' -f1); do
		kill -9 "$p" 2>/dev/null
	done
	[ -z "${CGROUP_PARENT:-}" ] || remove_own_cgroups "$CGROUP_PARENT"
	return "$failed"
}

# Is this process chrooted (as the tests run in a fresh Debian made with
# debootstrap)?  The kernel refuses a chrooted process a new user
# namespace, which is how it shows.
chrooted() {
	! unshare --user true 2>/dev/null
}
