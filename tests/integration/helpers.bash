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
# a fresh cgroup below ours, a command that exits by itself.
setup_bundle() {
	BUNDLE=$BATS_TEST_TMPDIR/bundle
	ROOT=$BATS_TEST_TMPDIR/root
	CGROUP_PARENT=berth-test-$$-$BATS_TEST_NUMBER
	mkdir -p "$BUNDLE" "$ROOT"
	make_rootfs "$BUNDLE/rootfs"
	"$BERTH" spec --bundle "$BUNDLE"
	update_config ".linux.cgroupsPath = \"$CGROUP_PARENT/ctr\"
		| del(.linux.resources)
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

# Remove the (empty) cgroup tree $1 below our own cgroups in every v1
# hierarchy.  A parent that a test's containers share stays after their
# deletes when a second container found it made, as runc leaves it.
remove_v1_cgroups() {
	local d
	for d in $(own_v1_cgroups); do
		[ -d "$d/$1" ] && find "$d/$1" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	true
}

# Run a container in the foreground and capture its output and status.
run_container() {
	run berth run --bundle "$BUNDLE" "${1:-ctr}"
}

# Wait until a command succeeds (up to 5 s).
wait_for() {
	local i
	for i in $(seq 100); do
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

# Fail if anything of container ID remains: state, cgroup, processes.
assert_no_leftovers() {
	local id=${1:-ctr}
	if [ -e "$ROOT/$id" ]; then
		echo "state directory $ROOT/$id left behind" >&2
		return 1
	fi
	if [ -n "${CGROUP_PARENT:-}" ] && [ -e "$(cgroup_dir "$id")" ]; then
		echo "cgroup $(cgroup_dir "$id") left behind" >&2
		return 1
	fi
	if [ -n "${CGROUP_PARENT:-}" ] && [ -e "$(unified_root)$(own_unified_cgroup)/$CGROUP_PARENT" ]; then
		echo "cgroup parent $CGROUP_PARENT left behind" >&2
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

# Default teardown: remove every container of this test, then check.
cleanup_containers() {
	local id
	for id in $(ls "$ROOT" 2>/dev/null); do
		"$BERTH" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
	done
	local parent
	parent="$(unified_root)$(own_unified_cgroup)/${CGROUP_PARENT:-none}"
	[ -d "$parent" ] && find "$parent" -depth -type d -exec rmdir {} \; 2>/dev/null
	[ -n "${CGROUP_PARENT:-}" ] && remove_v1_cgroups "$CGROUP_PARENT"
	true
}
