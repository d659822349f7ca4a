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

# A private mount namespace, held by a sleeping process ($NS_PID), whose
# /sys/fs/cgroup is a fresh tmpfs holding binds of this host's hierarchies
# plus the v1 hierarchy of the controllers $1 (comma-separated), mounted
# there only: the host's own mounts stay as they are.  $NS_CG is that
# hierarchy as seen from here.  Run berth there with in_private_ns.
# stop_private_cgroup_ns makes sure the kernel lets the hierarchy go.
start_private_cgroup_ns() {
	local stage=$BATS_TEST_TMPDIR/cgroup-stage _
	mkdir -p "$stage"
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare -m --propagation private sh -ec '
		mount -t tmpfs -o mode=0755 cgroup "$1"
		for d in /sys/fs/cgroup/*; do
			mkdir "$1/${d##*/}"
			mount --bind "$d" "$1/${d##*/}"
		done
		mkdir "$1/$2"
		mount -t cgroup -o "$2" cgroup "$1/$2"
		mount --move "$1" /sys/fs/cgroup
		touch /sys/fs/cgroup/.ready
		exec sleep 1000' sh "$stage" "$1" </dev/null >/dev/null 2>&1 3>&- &
	NS_PID=$!
	NS_CTRLS=$1
	NS_CG=/proc/$NS_PID/root/sys/fs/cgroup/$1
	for _ in $(seq 100); do
		[ -e "/proc/$NS_PID/root/sys/fs/cgroup/.ready" ] && return 0
		kill -0 "$NS_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "the private mount namespace with a $1 hierarchy did not come up" >&2
	return 1
}

# With the namespace's root and working directory too: where the tests
# run chrooted, the namespace's own root is not theirs.
in_private_ns() {
	nsenter -t "$NS_PID" -m -r -w "$@"
}

# Teardown of start_private_cgroup_ns: the containers berth made there
# (their cgroups in the private hierarchy are invisible from here), the
# cgroups left in that hierarchy, then the namespace.
stop_private_cgroup_ns() {
	[ -n "${NS_PID:-}" ] || return 0
	local state
	for state in "$ROOT"/*; do
		[ -e "$state" ] || continue
		in_private_ns "$BERTH" --root "$ROOT" delete --force "${state##*/}" >/dev/null 2>&1
	done
	if [ -d "$NS_CG/$CGROUP_PARENT" ]; then
		find "$NS_CG/$CGROUP_PARENT" -depth -type d -exec rmdir {} \;
	fi
	kill "$NS_PID" 2>/dev/null
	wait "$NS_PID" 2>/dev/null
	NS_PID=
	end_hierarchy "$NS_CTRLS"
}

# Is the v1 hierarchy of controllers $1 gone from the kernel?
hierarchy_gone() {
	awk -v c="${1%%,*}" '$1 == c && $2 != 0 { found = 1 } END { exit found }' /proc/cgroups
}

# The kernel keeps a v1 hierarchy that no mount shows while a cgroup of it
# lingers (a removed one lives on until its last reference goes); every
# process then lists it in /proc/PID/cgroup with no mount to match, which
# clients such as containerd take for a broken host.  Mounted again once
# nothing is below its root, its unmount ends it.
end_hierarchy() {
	local _
	for _ in $(seq 50); do
		hierarchy_gone "$1" && return 0
		# shellcheck disable=SC2016 # expanded by the inner shell
		unshare -m --propagation private sh -c '
			d=$(mktemp -d) && mount -t cgroup -o "$1" cgroup "$d" && umount "$d"
			rmdir "$d"' sh "$1" 2>/dev/null
		sleep 0.1
	done
	echo "the kernel kept the $1 hierarchy after its test" >&2
	return 1
}

# An RDMA device for rdma.max, which takes limits only for devices that
# exist: the first one there is, or, in the throwaway VM only (tests/vm), a
# soft-RoCE one (rdma_rxe) on a dummy link, which remove_soft_rdma takes
# away again.  Prints its name; nothing when there is none.
SOFT_RDMA=berthrxe0
soft_rdma_device() {
	local d
	for d in /sys/class/infiniband/*; do
		if [ -e "$d" ]; then
			echo "${d##*/}"
			return 0
		fi
	done
	if [ -z "${BERTH_VM:-}" ] || ! modprobe rdma_rxe 2>/dev/null ||
		! ip link add berthrdma0 type dummy 2>/dev/null; then
		return 0
	fi
	ip link set berthrdma0 up
	if rdma link add "$SOFT_RDMA" type rxe netdev berthrdma0; then
		echo "$SOFT_RDMA"
	fi
}

remove_soft_rdma() {
	[ -n "${BERTH_VM:-}" ] || return 0
	if [ -e "/sys/class/infiniband/$SOFT_RDMA" ]; then
		rdma link delete "$SOFT_RDMA"
	fi
	ip link delete berthrdma0 2>/dev/null
	true
}
