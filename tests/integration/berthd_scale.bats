#!/usr/bin/env bats
# berthd with many containers: the short variant of tests/bench/scale.sh,
# for correctness only (no time is judged).  Fifty containers started by
# fifty clients at once all run, each a process of its own in namespaces of
# its own; a kill -9 of berthd loses none of them; two hundred `run --rm`
# in a row leave berthd's fds, mounts, cgroups, processes and store where
# they were.

load berthd_helpers
berthd_file_hooks keep-containers

N=50

client() {
	python3 "$REPO/tests/bench/scale_client.py" "$BERTHD_SOCK" "$@"
}

# "ID STATUS PID" of every container, sorted.
listing() {
	client pids
}

# Everything berthd keeps for a container, counted, once what removals
# finish after their answer (the files and an --rm container's rootfs
# mount, in data/removing) is done.
footprint() {
	berthd_removals_done
	echo "fds $(ls "/proc/$(berthd_pid)/fd" | wc -l)"
	echo "mounts $(grep -c " $BERTHD_DIR/" /proc/self/mountinfo)"
	echo "cgroups $(own_cgroup_dirs "$BERTHD_CGROUP" | while read -r d; do find "$d" -mindepth 1 -type d 2>/dev/null; done | wc -l)"
	echo "shims $(pgrep -fc "berthd-shim --root $BERTHD_ROOT/")"
	local s
	for s in data/containers data/removing run/oci run/shim run/netns run/cni/cache run/exec; do
		echo "$s $(ls -A "$BERTHD_DIR/$s" 2>/dev/null | wc -l)"
	done
	echo "leases $(ls "$BERTHD_ROOT/cni/ipam/bridge" 2>/dev/null | grep -c '^[0-9]' || true)"
	if [ "$BERTHD_BRIDGE" != none ]; then
		echo "veths $(ip -o link show master "$BERTHD_BRIDGE" 2>/dev/null | wc -l)"
	fi
}

back_at_baseline() {
	[ "$(footprint)" = "$(cat "$BERTHD_DIR/churn.before")" ]
}

@test "berthd scale: $N containers started by $N clients at once all run, each its own process and namespaces" {
	run client start "$N" --clients "$N" --image berthd-test/bb:1 --ids "$BERTHD_DIR/ids"
	assert_success
	assert_output_contains "started $N of $N with $N clients"
	assert_equal "$(sort -u "$BERTHD_DIR/ids" | wc -l)" "$N"
	listing >"$BERTHD_DIR/listing"
	assert_equal "$(awk '$2 == "running"' "$BERTHD_DIR/listing" | wc -l)" "$N"
	assert_equal "$(awk '{print $1}' "$BERTHD_DIR/listing")" "$(sort "$BERTHD_DIR/ids")"
	assert_equal "$(dk ps -q --no-trunc | sort)" "$(sort "$BERTHD_DIR/ids")"
	# What the host sees: N sleeps, each in a pid and a network namespace
	# of its own, none the host's.
	local pid comms="" pidns="" netns=""
	for pid in $(awk '{print $3}' "$BERTHD_DIR/listing"); do
		comms="$comms$(cat "/proc/$pid/comm")"$'\n'
		pidns="$pidns$(readlink "/proc/$pid/ns/pid")"$'\n'
		netns="$netns$(readlink "/proc/$pid/ns/net")"$'\n'
	done
	assert_equal "$(echo -n "$comms" | sort -u)" "sleep"
	assert_equal "$(echo -n "$pidns" | sort -u | wc -l)" "$N"
	assert_equal "$(echo -n "$netns" | sort -u | wc -l)" "$N"
	assert_equal "$(echo -n "$pidns" | grep -cxF "$(readlink /proc/self/ns/pid)")" 0
	assert_equal "$(echo -n "$netns" | grep -cxF "$(readlink /proc/self/ns/net)")" 0
	# Each container's init is in its own cgroup below the file's parent.
	for pid in $(awk '{print $3}' "$BERTHD_DIR/listing" | head -5); do
		grep -q "/$BERTHD_CGROUP/" "/proc/$pid/cgroup"
	done
}

@test "berthd scale: kill -9 of berthd with $N running, a new berthd finds every one running, the same process" {
	listing >"$BERTHD_DIR/before"
	assert_equal "$(awk '$2 == "running"' "$BERTHD_DIR/before" | wc -l)" "$N"
	berthd_stop KILL
	# Without berthd, every container's process lives on.
	local pid
	for pid in $(awk '{print $3}' "$BERTHD_DIR/before"); do
		assert_equal "$(cat "/proc/$pid/comm")" "sleep"
	done
	berthd_start
	listing >"$BERTHD_DIR/after"
	assert_equal "$(cat "$BERTHD_DIR/after")" "$(cat "$BERTHD_DIR/before")"
	assert_equal "$(dk ps -q | wc -l)" "$N"
	# And they are managed again: all removed at once, nothing left.
	run client rm --clients "$N"
	assert_success
	assert_output_contains "removed $N of $N"
	for pid in $(awk '{print $3}' "$BERTHD_DIR/before"); do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" != sleep ]
	done
	assert_equal "$(dk ps -aq)" ""
	assert_equal "$(pgrep -fc "berthd-shim --root $BERTHD_ROOT/")" "0"
	assert_equal "$(ls -A "$BERTHD_DATA/containers")" ""
}

@test "berthd scale: 200 run --rm in a row (and 20 on the default bridge) leave berthd at its baseline" {
	# The first run pages in what berthd keeps for containers.
	client run --rounds 1 --image berthd-test/bb:1 >/dev/null
	footprint >"$BERTHD_DIR/churn.before"
	run client churn 200 --image berthd-test/bb:1
	assert_success
	assert_output_contains "churn: 200 run --rm"
	if [ "$BERTHD_BRIDGE" != none ]; then
		run client churn 20 --image berthd-test/bb:1 --network bridge
		assert_success
	fi
	# The last removal's DEL runs after it (berthd_network.bats): given
	# a few seconds to end.
	wait_for back_at_baseline || true
	footprint >"$BERTHD_DIR/churn.after"
	assert_equal "$(cat "$BERTHD_DIR/churn.after")" "$(cat "$BERTHD_DIR/churn.before")"
	assert_equal "$(dk ps -aq)" ""
}
