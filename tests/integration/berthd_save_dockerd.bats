#!/usr/bin/env bats
# docker save and load between berthd and dockerd, both ways: a
# multi-image archive dockerd writes (its shared layers symlinks to
# another layer.tar) loads into berthd with the same image ids, and what
# berthd saves loads into dockerd with the same ids.  The dockerd is a
# private one (its own containerd, data root and socket); it runs no
# container.

load berthd_helpers
load berthd_peer

setup_file() {
	berthd_setup_file host-only
	[ -n "${BERTHD_SKIPPED:-}" ] && return 0
	berthd_peer_start berth-save
}

teardown_file() {
	[ -n "${BERTHD_SKIPPED:-}" ] && return 0
	berthd_peer_stop
	berthd_teardown_file
}

setup() { berthd_skip_in_vm; }
teardown() { berthd_remove_containers; }


@test "berthd save: what berthd saves dockerd loads with the same ids, and dockerd's multi-image save (shared layers as symlinks) loads into berthd with the same ids" {
	local bb two
	bb=$(dk image inspect -f '{{.Id}}' berthd-test/bb:1)
	two=$(dk image inspect -f '{{.Id}}' berthd-test/two:layers)
	dk save -o "$BATS_TEST_TMPDIR/from-berthd.tar" berthd-test/bb:1 berthd-test/two:layers
	run peer load -i "$BATS_TEST_TMPDIR/from-berthd.tar"
	assert_success
	assert_equal "$(peer image inspect -f '{{.Id}}' berthd-test/bb:1)" "$bb"
	assert_equal "$(peer image inspect -f '{{.Id}}' berthd-test/two:layers)" "$two"
	# dockerd's save of both: its second image's shared layer is a symlink.
	peer tag berthd-test/two:layers peer/two:again
	peer save -o "$BATS_TEST_TMPDIR/from-dockerd.tar" berthd-test/bb:1 berthd-test/two:layers peer/two:again
	run sh -c "tar -tvf '$BATS_TEST_TMPDIR/from-dockerd.tar' | grep -c '^l.*layer.tar -> '"
	assert_success
	[ "$output" -ge 1 ]
	dk rmi berthd-test/bb:1 berthd-test/two:layers >/dev/null
	run dk load -i "$BATS_TEST_TMPDIR/from-dockerd.tar"
	assert_success
	assert_equal "$(dk image inspect -f '{{.Id}}' berthd-test/bb:1)" "$bb"
	assert_equal "$(dk image inspect -f '{{.Id}}' berthd-test/two:layers)" "$two"
	assert_equal "$(dk image inspect -f '{{.Id}}' peer/two:again)" "$two"
	run dk run --rm berthd-test/two:layers cat /etc/greeting
	assert_equal "$output" "layer-two"
	dk rmi peer/two:again >/dev/null
}
