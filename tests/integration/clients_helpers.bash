# Shared set-up of the client tests (podman, containerd, dockerd driving
# berth as they drive runc).  Each client instance lives under the test
# file's own temporary directory; containers go in a cgroup parent given
# as a RELATIVE path, so that berth nests them below the caller's own
# cgroup in every hierarchy (on a hybrid host the memory hierarchy must
# never get a cgroup at its root).

load helpers

# run -N (expected status) needs 1.5.
bats_require_minimum_version 1.5.0

# The image every client imports (make_image_archive, make_rootfs_tar).
IMAGE=localhost/berth-test:latest

# A shell command that prints the container's memory and pids limits
# from its cgroup (v1 on a hybrid host, v2 on a unified one).
LIMITS='if [ -e /sys/fs/cgroup/memory.max ]; then cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max; else cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max; fi'

# Kill a daemon started by a test, by the pid it recorded, and wait for it.
stop_pid() {
	local pid=$1 i
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	kill "$pid" 2>/dev/null
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	sleep 0.2
}

# A contrib/ file with berth's installed path replaced by the one under test.
contrib_copy() {
	sed "s|/usr/local/bin/berth|$BERTH|g" "$REPO/contrib/$1" >"$2"
}

# A rootfs tarball of busybox-static (the template every test uses), with
# a file in /tmp to see that a client's tmpfs copies the image's up.
make_rootfs_tar() {
	local dir=$BATS_FILE_TMPDIR/image-rootfs
	if [ ! -d "$dir" ]; then
		make_rootfs "$dir"
		echo "in the image" >"$dir/tmp/from-image"
	fi
	tar -C "$dir" -cf "$1" .
}

# A docker-archive image ("docker save" format: ctr images import and
# docker load read it) named $2, whose one layer is the busybox rootfs;
# its command is the JSON array $3 (default ["sh"]).
make_image_archive() {
	local out=$1 name=$2 cmd=${3:-'["sh"]'} dir=$BATS_FILE_TMPDIR/image.$$ diff config
	rm -rf "$dir"
	mkdir -p "$dir"
	make_rootfs_tar "$dir/layer.tar"
	diff=sha256:$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)
	jq -n --arg diff "$diff" --argjson cmd "$cmd" '{
		architecture: "amd64", os: "linux",
		config: {
			Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
			Cmd: $cmd
		},
		rootfs: {type: "layers", diff_ids: [$diff]}
	}' >"$dir/config.json"
	config=$(sha256sum "$dir/config.json" | cut -d' ' -f1).json
	mv "$dir/config.json" "$dir/$config"
	jq -n --arg c "$config" --arg n "$name" \
		'[{Config: $c, RepoTags: [$n], Layers: ["layer.tar"]}]' >"$dir/manifest.json"
	tar -C "$dir" -cf "$out" manifest.json "$config" layer.tar
	rm -rf "$dir"
}

# A containerd of the test's own: root, state, sockets under $1, no CRI.
# Sets CTR_SOCK and CTRD_PID.
start_containerd() {
	local dir=$1 i
	mkdir -p "$dir"
	cat >"$dir/config.toml" <<-EOF
	version = 2
	root = "$dir/root"
	state = "$dir/state"
	disabled_plugins = ["io.containerd.grpc.v1.cri"]
	[grpc]
	  address = "$dir/containerd.sock"
	[ttrpc]
	  address = "$dir/containerd.sock.ttrpc"
	[debug]
	  address = "$dir/debug.sock"
	EOF
	CTR_SOCK=$dir/containerd.sock
	containerd --config "$dir/config.toml" </dev/null >"$dir/containerd.log" 2>&1 3>&- &
	CTRD_PID=$!
	echo "$CTRD_PID" >"$dir/containerd.pid"
	for i in $(seq 300); do
		ctr -a "$CTR_SOCK" version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	cat "$dir/containerd.log" >&2
	return 1
}

# The cgroup of process $1 (a pid or "self") in the hierarchy holding
# controller $2, relative to that hierarchy's mount, without a trailing /.
proc_cgroup() {
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		sed -n 's/^0:://p' "/proc/$1/cgroup"
	else
		awk -F: -v c="$2" '{
			n = split($2, a, ",");
			for (i = 1; i <= n; i++) if (a[i] == c) print $3
		}' "/proc/$1/cgroup"
	fi | sed 's:/$::'
}

# The directory of that cgroup, as the host sees it.
host_cgroup_dir() {
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		echo "/sys/fs/cgroup$(proc_cgroup "$1" "$2")"
	else
		echo "$(v1_mount "$2")$(proc_cgroup "$1" "$2")"
	fi
}

# The file holding limit $2 (memory or pids) of the cgroup of process $1,
# as the host sees it.
host_limit_file() {
	local dir
	dir=$(host_cgroup_dir "$1" "$2")
	case "$2,$(stat -f -c %T /sys/fs/cgroup)" in
	*,cgroup2fs) echo "$dir/$2.max" ;;
	memory,*) echo "$dir/memory.limit_in_bytes" ;;
	*) echo "$dir/$2.max" ;;
	esac
}

# Fail unless the cgroup of process $1 for controller $2 is $3 (relative)
# below the test's own: a client's relative parent nests there.
assert_cgroup_below_ours() {
	assert_equal "$(proc_cgroup "$1" "$2")" "$(proc_cgroup self "$2")/$3"
}

# Kill every process of cgroup directory $1 but process $2 (the
# container's init, which reaps them), and wait until at most $3 remain.
kill_all_but() {
	local p
	for p in $(cat "$1/cgroup.procs"); do
		[ "$p" = "$2" ] || kill "$p" 2>/dev/null || true
	done
	wait_for sh -c "[ \$(cat $1/pids.current) -le $3 ]"
}

# Fail when a container's cgroup (or a process) remains below parent $1
# in any hierarchy (the parent itself may stay until the file's teardown).
assert_no_cgroups_below() {
	assert_no_own_cgroup "$1" below
}

# Fail when a cgroup below parent $1 remains, or one at the root of the
# memory hierarchy (a client that made its parent absolute would put it
# there).  The parent itself may stay: berth leaves a parent its
# containers shared, as runc does.
assert_no_client_cgroups() {
	local mem failed=0
	assert_no_own_cgroup "$1" below || failed=1
	mem=$(v1_mount memory)
	if [ -n "$mem" ] && [ -e "$mem/$1" ]; then
		echo "cgroup $mem/$1 made at the root of the memory hierarchy" >&2
		failed=1
	fi
	return "$failed"
}

# Remove the cgroups of parent $1 (with $2 = below, keep the parent),
# the one at the root of the memory hierarchy too.
remove_client_cgroups() {
	local mem
	remove_own_cgroups "$@"
	mem=$(v1_mount memory)
	if [ -n "$mem" ] && [ -d "$mem/$1" ] && [ "${2:-}" != below ]; then
		find "$mem/$1" -depth -type d -exec rmdir {} \; 2>/dev/null
	fi
	return 0
}

# Fail, naming them, when the things a teardown found left ($2, a
# list) are there: "$1 left behind: $2".
report_left() {
	if [ -n "$2" ]; then
		echo "$1 left behind: $2" >&2
		return 1
	fi
}

# Fail when a mount below $1 remains.
assert_no_mounts_under() {
	local left
	left=$(mounts_under "$1")
	if [ -n "$left" ]; then
		echo "mounts left behind: $left" >&2
		return 1
	fi
}

# The mount points below $1, the deepest first.
mounts_under() {
	awk -v d="$1" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

no_processes_of() {
	! pgrep -f -- "$1" >/dev/null
}

# Fail when a process whose command line names $1 remains (a daemon, a
# shim, conmon, a container started from that directory), after a moment
# to exit: a client may answer before its helper is gone (podman rm -f
# can return while conmon, or its fork that becomes the exit command, is
# still on its way out; caught twice in one CI run while the VM's stage
# took a core, never before).
assert_no_processes_of() {
	local left
	WAIT_FOR_SECONDS=15 wait_for no_processes_of "$1" && return 0
	left=$(pgrep -a -f -- "$1" || true)
	if [ -n "$left" ]; then
		echo "processes left behind: $left" >&2
		return 1
	fi
}

# Stop every process whose command line names $1.
stop_processes_of() {
	local p
	for p in $(pgrep -f -- "$1"); do
		stop_pid "$p"
	done
}

# After a test of a client: fail when a mount below $1, a process whose
# command line names $2 or a container cgroup below $PARENT remains; then
# remove what remains, so that the next test starts clean.
check_client_test() {
	local failed=0
	assert_no_mounts_under "$1" || failed=1
	assert_no_processes_of "$2" || failed=1
	assert_no_cgroups_below "$PARENT" || failed=1
	unmount_under "$1"
	stop_processes_of "$2"
	remove_client_cgroups "$PARENT" below
	return "$failed"
}

# A client's instance in directory $1 is stopped: fail when a mount
# below $1 or a process naming it remains; then remove them.
assert_dir_left_nothing() {
	local failed=0
	assert_no_mounts_under "$1" || failed=1
	assert_no_processes_of "$1" || failed=1
	unmount_under "$1"
	stop_processes_of "$1"
	return "$failed"
}

# The instance of a test file in $1 is stopped: fail when anything of it
# remains (images: the list in $2; mounts, processes, cgroups below
# $PARENT), then remove what remains.
assert_client_left_nothing() {
	local images=$2 failed=0
	if [ -n "$images" ]; then
		echo "images left behind: $images" >&2
		failed=1
	fi
	assert_no_client_cgroups "$PARENT" || failed=1
	assert_dir_left_nothing "$1" || failed=1
	remove_client_cgroups "$PARENT"
	return "$failed"
}

# Unmount what remains below $1 (a failed test's container rootfs), the
# deepest first, so that the directory can be removed.
unmount_under() {
	local m
	for m in $(mounts_under "$1"); do
		umount -l "$m" 2>/dev/null || true
	done
}
