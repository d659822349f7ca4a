# Helpers of the cgroup tests (cgroups*.bats), on top of helpers.bash.
#
# Every container keeps the relative cgroupsPath of setup_bundle, so its
# cgroups nest below the test's own cgroup in every hierarchy (the memory
# one is below the caller's own memory cgroup on a hybrid host).

is_unified() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]
}

# The controllers mounted as v1 hierarchies.
v1_controllers() {
	local c
	for c in cpu cpuacct cpuset memory devices freezer blkio pids hugetlb \
		net_cls net_prio perf_event rdma misc; do
		[ -n "$(v1_mount "$c")" ] && echo "$c"
	done
	true
}

# The test's own cgroup in the v1 hierarchy of controller $1.
v1_own() {
	awk -F: -v c="$1" '{
		n = split($2, a, ",");
		for (i = 1; i <= n; i++) if (a[i] == c) { sub(/\/$/, "", $3); print $3 }
	}' /proc/self/cgroup
}

# The host's directory of container $2 (default ctr) for controller $1:
# in its v1 hierarchy, or in the unified tree when it is not a v1 one.
ctl_dir() {
	local mnt
	mnt=$(v1_mount "$1")
	if [ -n "$mnt" ]; then
		echo "$mnt$(v1_own "$1")/$CGROUP_PARENT/${2:-ctr}"
	else
		cgroup_dir "${2:-ctr}"
	fi
}

# Where the container sees controller $1's files under its /sys/fs/cgroup
# (a v1 hierarchy is a directory named after its mount point there).
inner_dir() {
	local mnt
	if is_unified; then
		echo /sys/fs/cgroup
		return
	fi
	mnt=$(v1_mount "$1")
	if [ -n "$mnt" ]; then
		echo "/sys/fs/cgroup/${mnt##*/}"
	else
		echo /sys/fs/cgroup/unified
	fi
}

# Set the container's command to a shell script (given as one string).
set_script() {
	local tmp
	tmp=$(mktemp "$BUNDLE/config.XXXXXX")
	jq --arg s "$1" '.process.args = ["sh", "-c", $s] | .process.terminal = false' \
		"$BUNDLE/config.json" >"$tmp" && mv "$tmp" "$BUNDLE/config.json"
}

# Set linux.resources to the JSON $1.
set_resources() {
	local tmp
	tmp=$(mktemp "$BUNDLE/config.XXXXXX")
	jq --argjson r "$1" '.linux.resources = $r' "$BUNDLE/config.json" >"$tmp" &&
		mv "$tmp" "$BUNDLE/config.json"
}

# Run container ${1:-ctr} detached; its output goes to $OUT.
start_detached() {
	OUT=$BATS_TEST_TMPDIR/out-${1:-ctr}
	berth run -d --bundle "$BUNDLE" "${1:-ctr}" >"$OUT" 2>&1 </dev/null
}

# A container that prints each file it is given (absolute paths inside
# it) as "path=value", then READY, then sleeps.
start_reading() {
	local f script=""
	for f in "$@"; do
		script="$script echo \"$f=\$(cat $f 2>&1)\";"
	done
	set_script "$script echo READY; exec sleep 1000"
	start_detached
	wait_for grep -q READY "$OUT"
}

# What the container printed for file $1 (through start_reading).
inside() {
	grep -F "$1=" "$OUT" | head -1 | cut -d= -f2-
}

# For wait_for: is container $1 in status $2 now?
status_is() {
	[ "$(container_status "$1")" = "$2" ]
}

init_pid() {
	berth state "${1:-ctr}" | jq -r .pid
}

# Start a container reading controller $1's file $2, and check that it
# (under its /sys/fs/cgroup) and the host both see $3.
check_file() {
	local path
	path="$(inner_dir "$1")/$2"
	start_reading "$path"
	assert_equal "$(inside "$path")" "$3"
	assert_equal "$(cat "$(ctl_dir "$1")/$2")" "$3"
}

# Fail if container ${1:-ctr} left a cgroup in any hierarchy
# (assert_no_leftovers looks in every one).
assert_no_cgroups() {
	assert_no_leftovers "$@"
}

# teardown: delete the containers, check and remove whatever cgroups a
# failed test left (cleanup_containers reaches every hierarchy).
cleanup_cgroups() {
	cleanup_containers
}

# A block device of this machine as MAJOR:MINOR (nothing when none).
block_device() {
	local d
	for d in /sys/block/*; do
		[ -e "$d/dev" ] || continue
		case ${d##*/} in loop* | ram* | zram*) continue ;; esac
		cat "$d/dev"
		return
	done
}
