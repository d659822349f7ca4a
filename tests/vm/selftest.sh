#!/bin/bash
# Checks tests/vm/run by booting it a few times.  Prints one "ok"/"not ok"
# line per check and "N passed, N failed" at the end; exits 1 if any failed.
#
# With --guest it is the part that runs inside the VM (started by itself).
set -eu

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN=$HERE/run
# A value that survives only careful quoting on its way into the guest.
TRICKY="it's \"quoted\" \$HOME \`x\` \\ two  spaces"
CONTROLLERS="cpuset cpu io memory hugetlb pids"

passed=0
failed=0
# Scratch files of check_guest, removed on exit.
scratch=()

ok() {
	echo "ok - $*"
	passed=$((passed + 1))
}

not_ok() {
	echo "not ok - $*"
	failed=$((failed + 1))
}

# check DESCRIPTION COMMAND...: runs COMMAND quietly, reports its success.
check() {
	local desc=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$desc"; else not_ok "$desc"; fi
}

has_words() {
	local have=" $1 " w
	shift
	for w in "$@"; do
		case $have in *" $w "*) ;; *) return 1 ;; esac
	done
}

# --- inside the guest --------------------------------------------------------

cgroup_memory_max() {
	local cg=/sys/fs/cgroup/selftest
	mkdir "$cg"
	echo 100M >"$cg/memory.max"
	[ "$(cat "$cg/memory.max")" = 104857600 ] || return 1
	# Move ourselves in and out again: the cgroup is usable, not just there.
	echo $$ >"$cg/cgroup.procs"
	echo $$ >/sys/fs/cgroup/cgroup.procs
	rmdir "$cg"
}

cgroup_nested() {
	local cg=/sys/fs/cgroup/selftest-nested
	mkdir -p "$cg/child"
	echo "+memory +pids +cpu +io" >"$cg/cgroup.subtree_control"
	echo 10 >"$cg/child/pids.max"
	rmdir "$cg/child" "$cg"
}

overlay_mount() {
	local d
	d=$(mktemp -d)
	mkdir "$d/l" "$d/u" "$d/w" "$d/m"
	echo lower >"$d/l/f"
	mount -t overlay -o "lowerdir=$d/l,upperdir=$d/u,workdir=$d/w" overlay "$d/m"
	echo upper >"$d/m/f"
	[ "$(cat "$d/l/f")" = lower ] && [ "$(cat "$d/u/f")" = upper ] || return 1
	umount "$d/m"
}

# The host made a file in its /tmp: the guest's /tmp must not show it.
fresh_tmp() {
	[ -n "${SELFTEST_MARKER:-}" ] && [ ! -e "$SELFTEST_MARKER" ]
}

no_zombies() {
	# An orphan that exits becomes PID 1's child: init must reap it.
	sh -c 'sleep 0.1 &'
	sleep 1
	! awk '$3 == "Z"' /proc/[0-9]*/stat 2>/dev/null | grep -q .
}

guest_checks() {
	check "cgroup2 at /sys/fs/cgroup" \
		test "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs
	# shellcheck disable=SC2086
	check "controllers: $CONTROLLERS" \
		has_words "$(cat /sys/fs/cgroup/cgroup.controllers)" $CONTROLLERS
	# shellcheck disable=SC2086
	check "controllers enabled for children" \
		has_words "$(cat /sys/fs/cgroup/cgroup.subtree_control)" $CONTROLLERS
	check "a cgroup with memory.max" cgroup_memory_max
	check "nested cgroups with controllers" cgroup_nested
	check "working directory preserved" test "$(pwd -P)" = "${SELFTEST_CWD:-}"
	check "VM_ENV variables passed" test "${SELFTEST_TRICKY:-}" = "$TRICKY"
	check "other variables not passed" test -z "${SELFTEST_HIDDEN:-}"
	check "BERTH_VM set" test "${BERTH_VM:-}" = 1
	check "/tmp is fresh" fresh_tmp
	check "/tmp writable" sh -c 'echo x >/tmp/berth-vm-selftest-guest'
	check "writes over the host's files" sh -c \
		'echo guest >victim && rm gone && echo x >/etc/berth-vm-selftest && echo x >new'
	for dev in null zero full random urandom tty ptmx; do
		check "/dev/$dev" test -c "/dev/$dev"
	done
	check "/dev/fuse" test -c /dev/fuse
	check "/dev/shm writable" sh -c 'echo x >/dev/shm/selftest'
	check "a pseudo-terminal" script -qc true /dev/null
	check "/proc/sys/kernel writable" sh -c 'echo berth-vm >/proc/sys/kernel/hostname'
	check "/etc/hostname readable" test -r /etc/hostname
	check "hostname" test "$(hostname)" = berth-vm
	check "loopback up" test "$(cat /sys/class/net/lo/flags)" = 0x9
	check "unshare -fpnimuC --mount-proc" unshare -fpnimuC --mount-proc true
	check "user namespaces" unshare -U -r true
	check "seccomp" grep -q '^Seccomp:' /proc/self/status
	check "overlayfs" overlay_mount
	check "init reaps orphans" no_zombies
	[ "$failed" = 0 ]
}

# --- on the host -------------------------------------------------------------

# Exit status, stdout and stderr, and that output streams as it is written.
check_output() {
	local out rc=0 first late
	# Each line is stamped with the time it reached the host.
	out=$(set -o pipefail
		"$RUN" 'echo out-line; echo err-line >&2; sleep 4; echo late-line; exit 3' 2>&1 |
		while IFS= read -r line; do echo "$(date +%s) $line"; done) || rc=$?
	check "exit status propagates" test "$rc" = 3
	check "stdout arrives" grep -q ' out-line$' <<<"$out"
	check "stderr arrives" grep -q ' err-line$' <<<"$out"
	first=$(awk '$2 == "out-line" {print $1}' <<<"$out")
	late=$(awk '$2 == "late-line" {print $1}' <<<"$out")
	check "output streams" test "$((${late:-0} - ${first:-0}))" -ge 3
}

check_timeout() {
	local rc=0
	"$RUN" --timeout 3 'sleep 100' >/dev/null 2>&1 || rc=$?
	check "timeout exits 124" test "$rc" = 124
}

# Runs the guest checks from a scratch directory (with a space in its name)
# and checks afterwards that nothing the guest wrote reached the host.
check_guest() {
	local dir marker out line rc=0
	dir=$(mktemp -d "$HERE/.selftest dir.XXXXXX")
	# On the host's /tmp: the guest must not see it.
	marker=$(mktemp /tmp/berth-vm-selftest-host.XXXXXX)
	scratch+=("$dir" "$marker")
	echo host >"$dir/victim"
	echo host >"$dir/gone"
	out=$(cd "$dir" &&
		export SELFTEST_CWD=$dir SELFTEST_TRICKY=$TRICKY SELFTEST_MARKER=$marker \
			SELFTEST_HIDDEN=1 VM_ENV="SELFTEST_CWD SELFTEST_TRICKY SELFTEST_MARKER" &&
		"$RUN" "'$HERE/selftest.sh' --guest" 2>&1) || rc=$?
	echo "$out" | grep -E '^(not )?ok ' || true
	passed=$((passed + $(grep -c '^ok ' <<<"$out" || true)))
	failed=$((failed + $(grep -c '^not ok ' <<<"$out" || true)))
	if [ "$rc" != 0 ] && ! grep -q '^not ok ' <<<"$out"; then
		not_ok "the guest checks ran (exit $rc)"
		while IFS= read -r line; do echo "# $line"; done <<<"$out"
	fi
	check "host file not modified" test "$(cat "$dir/victim")" = host
	check "host file not removed" test -e "$dir/gone"
	check "no new file in the host's cwd" test ! -e "$dir/new"
	check "no new file in the host's /etc" test ! -e /etc/berth-vm-selftest
	check "guest's /tmp not on the host" test ! -e /tmp/berth-vm-selftest-guest
}

cleanup() {
	[ ${#scratch[@]} -eq 0 ] || rm -rf "${scratch[@]}"
}

main() {
	if [ "${1:-}" = --guest ]; then
		guest_checks
		return
	fi
	trap cleanup EXIT
	check_output
	check_timeout
	check_guest
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
}

main "$@"
