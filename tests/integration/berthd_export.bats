#!/usr/bin/env bats
# docker export and docker import through berthd: a container's files
# (its writable layer over its image's, whiteouts applied) as one tar with
# owners, modes, symlinks and hard links; imported back, the image runs
# with the same files.  Nothing stays mounted on the host.

load berthd_helpers
berthd_file_hooks

@test "berthd export: the container's merged files with owners, modes, links; deletions applied; import of it runs the same" {
	dk run --name ex1 berthd-test/two:layers sh -c '
		echo data >/srv-file; chown 1234:5678 /srv-file; chmod 0640 /srv-file;
		ln -s /srv-file /srv-link; ln /srv-file /srv-hard; mkdir -p /d/e; rm /bin/cat' >/dev/null
	dk export -o "$BATS_TEST_TMPDIR/ex1.tar" ex1
	run tar -tvf "$BATS_TEST_TMPDIR/ex1.tar" srv-file srv-link srv-hard
	assert_success
	# One of the two names is the file, the other a hard link to it.
	assert_equal "$(awk '/^-/ {print $1, $2}' <<<"$output")" "-rw-r----- 1234/5678"
	assert_output_contains "srv-link -> /srv-file"
	run sh -c "tar -tvf '$BATS_TEST_TMPDIR/ex1.tar' | grep -cE ' srv-(file link to srv-hard|hard link to srv-file)\$'"
	assert_equal "$output" "1"
	# The image's files and the upper layer's; the deleted and the
	# whited-out are not there; names are relative.
	run sh -c "tar -tf '$BATS_TEST_TMPDIR/ex1.tar' | grep -xE 'etc/greeting|d/e/|bin/cat|bin/ls|bin/sh|\\./.*|/.*' | sort"
	assert_equal "$output" "bin/sh
d/e/
etc/greeting"
	# Nothing of berthd's stays mounted (the exited container's network
	# namespace goes a moment after its exit, outside berthd's lock).
	wait_for sh -c "! grep -q '$BERTHD_DIR' /proc/self/mountinfo"
	run grep "$BERTHD_DIR" /proc/self/mountinfo
	assert_equal "$output" ""
	# Export to stdout is the same archive.
	dk export ex1 >"$BATS_TEST_TMPDIR/ex1-stdout.tar"
	assert_equal "$(tar -tvf "$BATS_TEST_TMPDIR/ex1-stdout.tar" | sort)" "$(tar -tvf "$BATS_TEST_TMPDIR/ex1.tar" | sort)"
	# import: the same files as one layer.
	dk import "$BATS_TEST_TMPDIR/ex1.tar" berthd-test/exported:1 >/dev/null
	run dk run --rm berthd-test/exported:1 sh -c 'cat /srv-hard; stat -c "%u:%g %a" /srv-file; readlink /srv-link; cat /etc/greeting; ls /bin/cat 2>&1 || echo no-cat'
	assert_equal "${lines[0]}" "data"
	assert_equal "${lines[1]}" "1234:5678 640"
	assert_equal "${lines[2]}" "/srv-file"
	assert_equal "${lines[3]}" "layer-two"
	assert_equal "${lines[${#lines[@]}-1]}" "no-cat"
}

@test "berthd export: a running container exports too; an unknown one is a 404 and nothing is left in the store's tmp" {
	dk run -d --name ex2 berthd-test/bb:1 sh -c 'echo live >/live; sleep 1000' >/dev/null
	wait_status ex2 running
	local i
	for i in $(seq 50); do
		dk exec ex2 test -f /live && break
		sleep 0.1
	done
	run sh -c "docker export ex2 | tar -xO live"
	assert_equal "$output" "live"
	run dk export nosuch
	assert_failure
	assert_output_contains "No such container: nosuch"
	run ls -A "$BERTHD_DATA/tmp"
	assert_equal "$output" ""
}
