#!/usr/bin/env bats
# berthd and what an image brings: the image config's USER, and the names
# (references) an archive, a tag or a create may carry, held to docker's
# reference grammar.

load berthd_helpers
berthd_file_hooks

# api METHOD PATH [curl args...]: status code on the last line.
api() {
	local method=$1 path=$2
	shift 2
	curl -sS --unix-socket "$BERTHD_SOCK" -X "$method" -w '\n%{http_code}' "$@" "http://berthd$path"
}

# An image of the busybox rootfs whose config says User: $2.
user_image() {
	ARCHIVE_CONFIG="\"User\":\"$2\"," make_docker_archive "$BATS_TEST_TMPDIR/$2.tar" "$1" \
		"$BERTHD_DIR/img/rootfs.tar"
	dk load -i "$BATS_TEST_TMPDIR/$2.tar" >/dev/null
}

@test "berthd images: the image's USER applies when the client names none; -u overrides it" {
	user_image berthd-test/user:num 1234:5678
	user_image berthd-test/user:name user
	# The docker CLI sends "User":"" without -u: that means the image's.
	run dk run --rm berthd-test/user:num sh -c 'grep -E "^(Uid|Gid):" /proc/self/status; awk "/^Groups:/ {print NF - 1}" /proc/self/status'
	assert_success
	assert_equal "$output" "Uid:	1234	1234	1234	1234
Gid:	5678	5678	5678	5678
0"
	run dk run --rm berthd-test/user:name sh -c 'id -un; id -u; id -g'
	assert_success
	assert_equal "$output" "user
1000
1000"
	run dk run --rm -u 0 berthd-test/user:num id -u
	assert_success
	assert_equal "$output" "0"
	run dk run --rm -u 65534:65534 berthd-test/user:name grep '^Uid:' /proc/self/status
	assert_equal "$output" "Uid:	65534	65534	65534	65534"
	# The same through the API with an explicit empty User.
	run api POST "/containers/create?name=apiuser" \
		-d '{"Image":"berthd-test/user:num","User":"","Cmd":["sleep","100"]}'
	assert_equal "${lines[1]}" "201"
	run dk inspect -f '{{.Config.User}}' apiuser
	assert_equal "$output" "1234:5678"
	dk start apiuser >/dev/null
	wait_status apiuser running
	# Its init and an exec without -u run as the image's user.
	local pid
	pid=$(dk inspect -f '{{.State.Pid}}' apiuser)
	assert_equal "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" "1234"
	run dk exec apiuser id -u
	assert_equal "$output" "1234"
	run dk exec -u 0 apiuser id -u
	assert_equal "$output" "0"
}
