#!/usr/bin/env bats
# docker diff through berthd: what a container added, changed and deleted
# against its image, read from its writable layer, as dockerd reports it.

load berthd_helpers
berthd_file_hooks

@test "berthd diff: added, changed and deleted paths against the image, its whiteouts and new directories, sorted" {
	# two:layers already whites out /bin/ls: the container's own changes
	# are what shows.
	dk run --name d1 berthd-test/two:layers sh -c '
		echo new >/etc/added; echo more >>/etc/greeting; rm /bin/cat;
		mkdir -p /newdir/sub; touch /newdir/sub/f; rm -r /tmp' >/dev/null
	run dk diff d1
	assert_success
	assert_equal "$output" "C /bin
D /bin/cat
C /etc
A /etc/added
C /etc/greeting
A /newdir
A /newdir/sub
A /newdir/sub/f
D /tmp"
	# The kinds through the API: 0 changed, 1 added, 2 deleted.
	run curl -sS --unix-socket "$BERTHD_SOCK" http://berthd/containers/d1/changes
	assert_equal "$(jq -c '[.[] | select(.Path == "/etc" or .Path == "/etc/added" or .Path == "/bin/cat") | [.Path, .Kind]]' <<<"$output")" \
		'[["/bin/cat",2],["/etc",0],["/etc/added",1]]'
	# A container that changed nothing: no line (the mount points of
	# /etc/hostname, hosts and resolv.conf are berthd's, as dockerd's are).
	dk run --name d2 berthd-test/bb:1 true >/dev/null
	[ -e "$(dk inspect -f '{{.GraphDriver.Data.UpperDir}}' d2)/etc/hosts" ]
	run dk diff d2
	assert_success
	assert_equal "$output" ""
	run dk diff nosuch
	assert_failure
	assert_output_contains "No such container: nosuch"
}
