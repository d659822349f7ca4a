# The containerd instance of a test file (clients_containerd.bats,
# clients_limits_containerd.bats): see the head of clients_containerd.bats
# for why each option is there.

load clients_helpers

containerd_setup_file() {
	command -v containerd >/dev/null || skip "containerd is not installed"
	export CTRD_DIR=$BATS_FILE_TMPDIR/containerd
	export PARENT=berth-ctr-$$
	export RUNC_ROOT=$CTRD_DIR/runc
	start_containerd "$CTRD_DIR"
	export CTR_SOCK CTRD_PID
	# ctr for this containerd, as a script (sub-shells use it too).
	export CTR=$CTRD_DIR/ctr
	printf '#!/bin/sh\nexec ctr -a "%s" "$@"\n' "$CTR_SOCK" >"$CTR"
	chmod +x "$CTR"
	make_image_archive "$CTRD_DIR/image.tar" "$IMAGE"
	"$CTR" images import "$CTRD_DIR/image.tar" >/dev/null
}

containerd_teardown_file() {
	[ -n "${CTR:-}" ] && [ -x "$CTR" ] || return 0
	local images
	"$CTR" images rm "$IMAGE" >/dev/null 2>&1
	images=$("$CTR" images ls -q 2>/dev/null)
	stop_pid "$(cat "$CTRD_DIR/containerd.pid")"
	assert_client_left_nothing "$CTRD_DIR" "$images"
}

containerd_setup() {
	ROOT=$BATS_TEST_TMPDIR/unused
}

# Kill and delete every task and container of the test, then check that
# nothing of them remains.
containerd_teardown() {
	local id left failed=0
	for id in $("$CTR" tasks ls -q 2>/dev/null); do
		"$CTR" tasks kill -a -s SIGKILL "$id" >/dev/null 2>&1
		wait_for sh -c "\"$CTR\" tasks ls | grep -q \"^$id .*STOPPED\""
		"$CTR" tasks delete "$id" >/dev/null 2>&1
	done
	for id in $("$CTR" containers ls -q 2>/dev/null); do
		"$CTR" containers delete "$id" >/dev/null 2>&1
	done
	report_left "containers" "$("$CTR" containers ls -q)" || failed=1
	# berth's state, the shims, the containers' rootfs mounts: all gone.
	report_left "berth state" "$(ls "$RUNC_ROOT/default" 2>/dev/null)" || failed=1
	check_client_test "$CTRD_DIR/state" \
		"containerd-shim-runc-v2 -namespace default -id .* -address $CTR_SOCK" || failed=1
	return "$failed"
}

# ctr run with berth, its state under the test's root, a relative cgroup.
ctr_run() {
	local id=$1
	shift
	"$CTR" run --runc-binary "$BERTH" --runc-root "$RUNC_ROOT" --cgroup "$PARENT/$id" "$@"
}
