#!/usr/bin/env bats
# containerd drives berth through its runc shim (containerd-shim-runc-v2),
# the path Kubernetes nodes take: ctr run with --runc-binary, task exec,
# kill, pause/resume, metrics, ps, delete; berth's errors reach ctr through
# the JSON log file the shim passes (--log FILE --log-format json).
#
# The containerd is the file's own (root, state and sockets in a temporary
# directory, no CRI plugin).  The shim keeps berth's state in --runc-root
# under that directory (its default would be /run/containerd/runc/<ns>).
# ctr's default cgroupsPath is /default/<id>, absolute: the tests pass a
# RELATIVE one with --cgroup, which berth nests below our own cgroup.

load containerd_helpers

setup_file() { containerd_setup_file; }
teardown_file() { containerd_teardown_file; }
setup() { containerd_setup; }

# What a failed CRI test left: berth's containers, the shims, the CRI
# containerd, its mounts.
cri_cleanup() {
	local dir=$BATS_TEST_TMPDIR/cri id pid
	[ -f "$dir/containerd.pid" ] || return 0
	for id in $("$BERTH" --root "$dir/berth-root/k8s.io" list -q 2>/dev/null); do
		"$BERTH" --root "$dir/berth-root/k8s.io" delete --force "$id" >/dev/null 2>&1
	done
	for pid in $(pgrep -f -- "-address $dir/containerd.sock"); do
		stop_pid "$pid"
	done
	stop_pid "$(cat "$dir/containerd.pid")"
	unmount_under "$dir"
}

teardown() {
	cri_cleanup
	containerd_teardown
}

# A runtime that records its arguments and runs berth.
make_wrapper() {
	WRAPPER=$BATS_TEST_TMPDIR/berth-wrapper
	printf '#!/bin/sh\necho "$*" >>%s/calls\nexec %s "$@"\n' "$BATS_TEST_TMPDIR" "$BERTH" >"$WRAPPER"
	chmod +x "$WRAPPER"
}

@test "ctr run --rm: output, exit status, the cgroup below ours, containerd's flags" {
	make_wrapper
	run "$CTR" run --rm --runc-binary "$WRAPPER" --runc-root "$RUNC_ROOT" --cgroup "$PARENT/c1" \
		"$IMAGE" c1 sh -c 'echo hello; cat /proc/self/cgroup; exit 3'
	assert_failure 3
	assert_equal "${lines[0]}" hello
	if grep -q '^[0-9]*:memory:' /proc/self/cgroup; then
		local own
		own=$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup | sed 's:/$::')
		assert_output_contains ":memory:$own/$PARENT/c1"
	else
		assert_output_contains "0::$(own_unified_cgroup)/$PARENT/c1"
	fi
	# What the shim called, with the root and the JSON log it passes.
	local calls=$BATS_TEST_TMPDIR/calls
	local flags="--root $RUNC_ROOT/default --log $CTRD_DIR/state/io.containerd.runtime.v2.task/default/c1/log.json --log-format json"
	grep -qx -- "$flags create --bundle $CTRD_DIR/state/io.containerd.runtime.v2.task/default/c1 --pid-file $CTRD_DIR/state/io.containerd.runtime.v2.task/default/c1/init.pid c1" "$calls"
	grep -qx -- "$flags start c1" "$calls"
	grep -qx -- "$flags delete c1" "$calls"
}

@test "ctr run -d, task exec, ps, metrics, pause/resume, kill, delete; a memory limit inside" {
	run ctr_run c1 -d --memory-limit 67108864 \
		--mount type=cgroup,src=cgroup,dst=/sys/fs/cgroup,options=ro \
		"$IMAGE" c1 sh -c 'trap "exit 9" USR1; while :; do sleep 0.1; done'
	assert_success
	wait_for sh -c "\"$CTR\" tasks ls | grep -q '^c1 .*RUNNING'"
	local pid
	pid=$("$CTR" tasks ls | awk '$1 == "c1" { print $2 }')
	# The pid file the shim reads: digits only.
	local pidfile=$CTRD_DIR/state/io.containerd.runtime.v2.task/default/c1/init.pid
	assert_equal "$(cat "$pidfile")" "$pid"
	assert_equal "$(stat -c %s "$pidfile")" "${#pid}"
	# berth's state is where the shim said.
	assert_equal "$("$BERTH" --root "$RUNC_ROOT/default" state c1 | jq -r .status)" running

	run "$CTR" tasks exec --exec-id e1 c1 sh -c \
		'if [ -e /sys/fs/cgroup/memory.max ]; then cat /sys/fs/cgroup/memory.max; else cat /sys/fs/cgroup/memory/memory.limit_in_bytes; fi; exit 4'
	assert_failure 4
	assert_equal "${lines[0]}" 67108864

	# ps lists the container's processes (berth ps --format json).
	"$CTR" tasks exec --exec-id e2 -d c1 sleep 100
	run "$CTR" tasks ps c1
	assert_success
	assert_output_contains "$pid"
	[ "${#lines[@]}" -ge 3 ]

	run "$CTR" tasks metrics c1
	assert_success
	assert_output_contains 67108864

	run "$CTR" tasks pause c1
	assert_success
	assert_equal "$("$CTR" tasks ls | awk '$1 == "c1" { print $3 }')" PAUSED
	assert_equal "$("$BERTH" --root "$RUNC_ROOT/default" state c1 | jq -r .status)" paused
	run "$CTR" tasks resume c1
	assert_success
	assert_equal "$("$CTR" tasks ls | awk '$1 == "c1" { print $3 }')" RUNNING

	# kill: the signal reaches the container's trap; its status, 9.
	run "$CTR" tasks kill -s SIGUSR1 c1
	assert_success
	wait_for sh -c "\"$CTR\" tasks ls | grep -q '^c1 .*STOPPED'"
	run "$CTR" tasks delete c1
	assert_success
	assert_output_contains "exit code 9"
	run "$CTR" containers delete c1
	assert_success
	[ ! -e "$RUNC_ROOT/default/c1" ]
	if kill -0 "$pid" 2>/dev/null; then fail "unexpectedly true"; fi
}

@test "ctr task kill --all reaches every process" {
	ctr_run c1 -d "$IMAGE" c1 sleep 1000
	"$CTR" tasks exec --exec-id e1 -d c1 sleep 1000
	wait_for sh -c "[ \$(\"$BERTH\" --root \"$RUNC_ROOT/default\" ps --format json c1 | jq length) = 2 ]"
	run "$CTR" tasks kill --all -s SIGKILL c1
	assert_success
	wait_for sh -c "\"$CTR\" tasks ls | grep -q '^c1 .*STOPPED'"
	run "$CTR" tasks delete c1
	assert_output_contains "exit code 137"
}

@test "a failure in the container reaches ctr as berth's error (JSON log)" {
	run ctr_run c1 --rm "$IMAGE" c1 nosuchprogram
	assert_failure
	assert_output_contains 'OCI runtime create failed: exec: "nosuchprogram": executable file not found in $PATH'
	run ctr_run c2 --rm "$IMAGE" c2 /etc/passwd
	assert_failure
	assert_output_contains 'OCI runtime create failed: exec: "/etc/passwd": permission denied'

	ctr_run c3 -d "$IMAGE" c3 sleep 1000
	run "$CTR" tasks exec --exec-id e1 c3 nosuchprogram
	assert_failure
	assert_output_contains 'OCI runtime exec failed: exec: "nosuchprogram": executable file not found in $PATH'
	run "$CTR" tasks exec --exec-id e2 c3 /no/such/file
	assert_failure
	assert_output_contains "no such file or directory"
}

@test "ctr --runc-systemd-cgroup: berth says why it cannot, nothing left behind" {
	run ctr_run c1 --rm --runc-systemd-cgroup "$IMAGE" c1 true
	assert_failure
	if [ -d /run/systemd/system ]; then
		assert_output_contains "--systemd-cgroup: the systemd cgroup driver is not supported by berth"
	else
		assert_output_contains "--systemd-cgroup: systemd is not running on this host"
	fi
	[ ! -e "$RUNC_ROOT/default/c1" ]
}

@test "ctr run --tty and task exec --tty get a terminal (console socket)" {
	run script -qec "$CTR run --rm -t --runc-binary $BERTH --runc-root $RUNC_ROOT --cgroup $PARENT/c1 $IMAGE c1 sh -c 'tty; exit 6'" /dev/null
	assert_failure 6
	assert_output_contains /dev/pts/0
	ctr_run c2 -d "$IMAGE" c2 sleep 1000
	run script -qec "$CTR tasks exec -t --exec-id e1 c2 sh -c 'tty; exit 2'" /dev/null
	assert_failure 2
	assert_output_contains /dev/pts/
	run "$CTR" tasks exec --exec-id e2 c2 tty
	assert_failure 1
	assert_output_contains "not a tty"
}

# A second containerd, with the CRI plugin, in $1 (the kubelet's side):
# contrib's runtime entry for berth, as shipped but for the paths (berth's
# state in $1/berth-root), the pause image and the test image in its
# k8s.io namespace.  Sets CRI, the CRI client's command for it.
cri_containerd_start() {
	local dir=$1
	/usr/bin/python3 -c 'import grpc' 2>/dev/null || skip "python3-grpcio is not installed"
	mkdir -p "$dir/cni"
	{
		echo 'version = 2'
		echo "root = \"$dir/root\""
		echo "state = \"$dir/state\""
		echo '[grpc]'
		echo "  address = \"$dir/containerd.sock\""
		echo '[ttrpc]'
		echo "  address = \"$dir/containerd.sock.ttrpc\""
		echo '[plugins."io.containerd.grpc.v1.cri"]'
		echo '  sandbox_image = "localhost/berth-pause:latest"'
		echo '  stream_server_port = "0"'
		echo '  disable_apparmor = true'
		# The sandbox asks for oom_score_adj -998, which needs
		# CAP_SYS_RESOURCE: not below containerd's own, where root lacks it.
		if ! capsh --has-b=cap_sys_resource 2>/dev/null; then
			echo '  restrict_oom_score_adj = true'
		fi
		echo '  [plugins."io.containerd.grpc.v1.cri".cni]'
		echo "    bin_dir = \"$dir/cni\""
		echo "    conf_dir = \"$dir/cni\""
		# The default runtime of `containerd config default`, which the
		# snippet is merged into (the plugin wants its default runtime).
		echo '  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]'
		echo '    runtime_type = "io.containerd.runc.v2"'
		# contrib's entry, as shipped but for the paths.
		contrib_copy containerd-config.toml /dev/stdout | grep -v '^version' |
			sed "s|/run/containerd/berth|$dir/berth-root|"
	} >"$dir/config.toml"
	grep -q "BinaryName = \"$BERTH\"" "$dir/config.toml"
	containerd --config "$dir/config.toml" </dev/null >"$dir/containerd.log" 2>&1 3>&- &
	echo $! >"$dir/containerd.pid"
	wait_for sh -c "ctr -a '$dir/containerd.sock' version >/dev/null 2>&1"
	make_image_archive "$dir/pause.tar" localhost/berth-pause:latest '["sleep", "100000"]'
	ctr -a "$dir/containerd.sock" -n k8s.io images import "$dir/pause.tar" >/dev/null
	ctr -a "$dir/containerd.sock" -n k8s.io images import "$CTRD_DIR/image.tar" >/dev/null
	CRI="/usr/bin/python3 $BATS_TEST_DIRNAME/cri_client.py $dir/containerd.sock"
}

# The images gone, containerd stopped, and nothing of it left.
cri_containerd_stop() {
	local dir=$1
	ctr -a "$dir/containerd.sock" -n k8s.io images rm localhost/berth-pause:latest "$IMAGE" >/dev/null
	stop_pid "$(cat "$dir/containerd.pid")"
	assert_dir_left_nothing "$dir"
}

# The Kubernetes path: a kubelet asks containerd's CRI plugin for a pod
# with runtime handler "berth" (a RuntimeClass), and the plugin runs the
# runc shim with the options of contrib/containerd-config.toml (BinaryName,
# Root).  A second containerd, with the CRI plugin, is driven by a small CRI
# client (cri_client.py) since Debian has no crictl.
@test "CRI: a pod with runtime handler berth runs through contrib's BinaryName entry" {
	local dir=$BATS_TEST_TMPDIR/cri cri pod ctr1 rootdir=$BATS_TEST_TMPDIR/cri/berth-root
	cri_containerd_start "$dir"
	cri=$CRI

	run $cri run-pod pod1 "$PARENT/pod1" berth
	echo "$output"
	assert_success
	pod=$output
	run $cri create "$pod" c1 "$PARENT/pod1" "$IMAGE" 67108864 sh -c 'echo started; sleep 1000'
	assert_success
	ctr1=$output
	run $cri start "$ctr1"
	assert_success
	# berth ran the pod's sandbox and its container, with its state under
	# the entry's Root.
	assert_equal "$("$BERTH" --root "$rootdir/k8s.io" state "$pod" | jq -r .status)" running
	assert_equal "$("$BERTH" --root "$rootdir/k8s.io" state "$ctr1" | jq -r .status)" running
	# Exec (berth exec) sees the memory limit the kubelet asked for.
	run $cri exec "$ctr1" sh -c 'if [ -e /sys/fs/cgroup/memory.max ]; then cat /sys/fs/cgroup/memory.max; else cat /sys/fs/cgroup/memory/memory.limit_in_bytes; fi; exit 3'
	assert_failure 3
	assert_equal "$output" 67108864
	# Its cgroup: below the pod's relative parent, below ours.
	local pid
	pid=$("$BERTH" --root "$rootdir/k8s.io" state "$ctr1" | jq -r .pid)
	grep -q "^0::$(own_unified_cgroup)/$PARENT/pod1/$ctr1\$" /proc/$pid/cgroup

	run $cri stop "$ctr1"
	assert_success
	run $cri status "$ctr1"
	assert_output_contains EXITED
	run $cri rm "$ctr1"
	assert_success
	run $cri stop-pod "$pod"
	assert_success
	run $cri rm-pod "$pod"
	assert_success
	[ -z "$(ls "$rootdir/k8s.io")" ]
	cri_containerd_stop "$dir"
}

# A pod as the kubelet runs it, with contrib/kubernetes-runtimeclass.yaml's
# handler: the sandbox, an init container run to completion before any
# other is created, then two containers sharing an emptyDir (a directory
# of the pod's on the node, which the kubelet makes and passes to each
# container as a mount), one writing and one reading, with their output in
# the CRI log files under the pod's log directory (what `kubectl logs`
# reads).
@test "CRI: a pod with an init container and two containers sharing an emptyDir, runtime handler berth" {
	local dir=$BATS_TEST_TMPDIR/cri rootdir=$BATS_TEST_TMPDIR/cri/berth-root cri pod init writer reader vol logs handler c
	cri_containerd_start "$dir"
	cri=$CRI
	handler=$(sed -n 's/^handler: *//p' "$REPO/contrib/kubernetes-runtimeclass.yaml")
	assert_equal "$handler" berth
	logs=$dir/logs
	vol=$dir/pods/pod2-uid/volumes/kubernetes.io~empty-dir/shared
	mkdir -p "$vol" "$logs"
	chmod 0777 "$vol"
	run $cri run-pod pod2 "$PARENT/pod2" "$handler" "$logs"
	assert_success
	pod=$output

	run $cri create "$pod" init "$PARENT/pod2" "$IMAGE" 0 --mount "$vol:/data" --log init/0.log \
		sh -c 'echo init >/data/order; echo init-done'
	assert_success
	init=$output
	run $cri start "$init"
	assert_success
	wait_for sh -c "$cri status $init | grep -q '^EXITED '"
	run $cri status "$init"
	assert_output_contains "EXITED 0 Completed"
	# The sandbox runs in berth; the shim deleted the init container from
	# berth's state once it exited, as it does with runc.
	assert_equal "$("$BERTH" --root "$rootdir/k8s.io" state "$pod" | jq -r .status)" running
	assert_equal "$("$BERTH" --root "$rootdir/k8s.io" list -q)" "$pod"
	assert_equal "$(cat "$vol/order")" init
	grep -q ' stdout F init-done$' "$logs/init/0.log"

	run $cri create "$pod" writer "$PARENT/pod2" "$IMAGE" 0 --mount "$vol:/data" --log writer/0.log \
		sh -c 'cat /data/order; echo writer >>/data/order; echo hello-from-writer >/data/msg.tmp; mv /data/msg.tmp /data/msg; exec sleep 1000'
	assert_success
	writer=$output
	run $cri create "$pod" reader "$PARENT/pod2" "$IMAGE" 0 --mount "$vol:/data" --log reader/0.log \
		sh -c 'while [ ! -e /data/msg ]; do sleep 0.1; done; cat /data/msg; exec sleep 1000'
	assert_success
	reader=$output
	run $cri start "$reader"
	assert_success
	run $cri start "$writer"
	assert_success
	wait_for grep -q ' stdout F hello-from-writer$' "$logs/reader/0.log"
	# The writer found what the init container left: it ran first.
	grep -q ' stdout F init$' "$logs/writer/0.log"
	assert_equal "$(cat "$vol/order")" "init
writer"
	assert_equal "$("$BERTH" --root "$rootdir/k8s.io" state "$writer" | jq -r .status)" running
	assert_equal "$("$BERTH" --root "$rootdir/k8s.io" state "$reader" | jq -r .status)" running
	# One directory, the node's: the same inode at /data in both, and what
	# one writes the other reads.
	run $cri exec "$writer" stat -c %i /data
	assert_equal "$output" "$(stat -c %i "$vol")"
	run $cri exec "$reader" stat -c %i /data
	assert_equal "$output" "$(stat -c %i "$vol")"
	run $cri exec "$reader" sh -c 'echo from-reader >/data/back'
	assert_success
	run $cri exec "$writer" cat /data/back
	assert_equal "$output" from-reader
	# Each container has a mount namespace and a root of its own, both in
	# the pod's cgroup, below ours.
	local wpid rpid
	wpid=$("$BERTH" --root "$rootdir/k8s.io" state "$writer" | jq -r .pid)
	rpid=$("$BERTH" --root "$rootdir/k8s.io" state "$reader" | jq -r .pid)
	[ "$(readlink "/proc/$wpid/ns/mnt")" != "$(readlink "/proc/$rpid/ns/mnt")" ]
	[ "$(readlink "/proc/$wpid/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ]
	grep -q "^0::$(own_unified_cgroup)/$PARENT/pod2/$writer\$" "/proc/$wpid/cgroup"
	grep -q "^0::$(own_unified_cgroup)/$PARENT/pod2/$reader\$" "/proc/$rpid/cgroup"

	for c in "$writer" "$reader"; do
		run $cri stop "$c"
		assert_success
	done
	for c in "$init" "$writer" "$reader"; do
		run $cri rm "$c"
		assert_success
	done
	run $cri stop-pod "$pod"
	assert_success
	run $cri rm-pod "$pod"
	assert_success
	[ -z "$(ls "$rootdir/k8s.io")" ]
	cri_containerd_stop "$dir"
}
