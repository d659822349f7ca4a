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

@test "berthd images: names docker's reference grammar refuses are refused wherever berthd takes one; nothing is stored" {
	local images layers tag
	images=$(ls "$BERTHD_DATA/images" | sort)
	layers=$(ls "$BERTHD_DATA/layers" | sort)
	# A layer of its own, so that storing it would show.
	mkdir -p "$BATS_TEST_TMPDIR/l/etc"
	echo hostile >"$BATS_TEST_TMPDIR/l/etc/hostile"
	tar -C "$BATS_TEST_TMPDIR/l" -cf "$BATS_TEST_TMPDIR/l.tar" .
	for tag in "../../../etc/x:1" "a/../b:1" "team/Case:1" "a//b:1" "x:-dash" "x:$(printf 'a%.0s' $(seq 129))" \
		"bad name:1" "x@sha256:abc"; do
		make_docker_archive "$BATS_TEST_TMPDIR/evil.tar" "$tag" "$BATS_TEST_TMPDIR/l.tar"
		run dk load -i "$BATS_TEST_TMPDIR/evil.tar"
		assert_failure
		assert_output_contains "invalid reference format: \"$tag\""
	done
	make_oci_archive "$BATS_TEST_TMPDIR/evil-oci.tar.gz" "../../x:1" "$BATS_TEST_TMPDIR/l.tar"
	run dk load -i "$BATS_TEST_TMPDIR/evil-oci.tar.gz"
	assert_failure
	assert_output_contains 'invalid reference format: "../../x:1"'
	assert_equal "$(ls "$BERTHD_DATA/images" | sort)" "$images"
	assert_equal "$(ls "$BERTHD_DATA/layers" | sort)" "$layers"
	assert_equal "$(ls -A "$BERTHD_DATA/tmp")" ""
	[ ! -e "$BERTHD_DATA/etc" ]
	[ ! -e "$BERTHD_DIR/etc" ]
	[ ! -e /etc/x ]
	# The tag API, create's Image and import's repository (the docker CLI
	# checks these itself, so straight to the API).
	run api POST "/images/berthd-test/bb:1/tag?repo=..%2F..%2Fevil&tag=1"
	assert_equal "${lines[1]}" "400"
	assert_output_contains 'invalid reference format: \"../../evil:1\"'
	run api POST "/images/berthd-test/bb:1/tag?repo=ok&tag=..x"
	assert_equal "${lines[1]}" "400"
	run api POST /containers/create -d '{"Image":"../../etc/x:1","Cmd":["true"]}'
	assert_equal "${lines[1]}" "400"
	assert_output_contains 'invalid reference format: \"../../etc/x:1\"'
	run api POST "/images/create?fromSrc=-&repo=..%2Fx" --data-binary "@$BATS_TEST_TMPDIR/l.tar"
	assert_output_contains 'invalid reference format: \"../x\"'
	assert_equal "$(ls "$BERTHD_DATA/images" | sort)" "$images"
	assert_equal "$(ls "$BERTHD_DATA/layers" | sort)" "$layers"
	assert_equal "$(ls "$BERTHD_DATA/containers")" ""
	run dk images --format '{{.Repository}}:{{.Tag}}'
	[[ "$output" != *..* ]]
	# Names the grammar accepts still work.
	dk tag berthd-test/bb:1 localhost:5000/team/app_x.y:v1.2-rc >/dev/null
	run dk image inspect -f '{{.Id}}' localhost:5000/team/app_x.y:v1.2-rc
	assert_success
	assert_equal "$output" "$(dk image inspect -f '{{.Id}}' berthd-test/bb:1)"
}

@test "berthd images: filters label, before, since, and reference with wildcards, as dockerd's" {
	local fmt='{{.Repository}}:{{.Tag}}' red blue
	dk import --change 'LABEL team=red' "$BERTHD_DIR/img/rootfs.tar" berthd-test/filt-red:1 >/dev/null
	dk import --change 'LABEL team=blue' "$BERTHD_DIR/img/rootfs.tar" berthd-test/filt-blue:1 >/dev/null
	red=$(dk image inspect -f '{{.Created}}' berthd-test/filt-red:1)
	blue=$(dk image inspect -f '{{.Created}}' berthd-test/filt-blue:1)
	[[ "$red" < "$blue" ]]
	assert_equal "$(dk images --filter label=team=red --format "$fmt")" "berthd-test/filt-red:1"
	assert_equal "$(dk images --filter label=team --format "$fmt" | sort | tr '\n' ' ')" \
		"berthd-test/filt-blue:1 berthd-test/filt-red:1 "
	assert_equal "$(dk images --filter 'reference=berthd-test/filt-*' --format "$fmt" | sort | tr '\n' ' ')" \
		"berthd-test/filt-blue:1 berthd-test/filt-red:1 "
	assert_equal "$(dk images --filter 'reference=berthd-test/*-red:?' --format "$fmt")" "berthd-test/filt-red:1"
	# '*' stops at '/', as path.Match's does.
	assert_equal "$(dk images --filter 'reference=filt-*' --format "$fmt")" ""
	assert_equal "$(dk images --filter 'reference=berthd-test/filt-*' --filter before=berthd-test/filt-blue:1 --format "$fmt")" \
		"berthd-test/filt-red:1"
	assert_equal "$(dk images --filter 'reference=berthd-test/filt-*' --filter since=berthd-test/filt-red:1 --format "$fmt")" \
		"berthd-test/filt-blue:1"
	run dk images --filter before=berthd-test/no-such:1
	assert_failure
	assert_output_contains "No such image: berthd-test/no-such:1"
	run dk images --filter nonsense=1
	assert_failure
	assert_output_contains "nonsense"
	dk rmi berthd-test/filt-red:1 berthd-test/filt-blue:1 >/dev/null
}
