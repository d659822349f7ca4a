#!/usr/bin/env bats
# docker cp through berthd, both ways, stopped and running containers:
# the path stat header, files, directories, symlinks kept as symlinks,
# owners (kept out, root in unless -a); and every write resolved inside
# the container's root: "..", absolute names, symlinks planted in the
# container or in the archive, hard links out of it.  Nothing of the host
# is read or written, nothing stays mounted.

load berthd_helpers
berthd_file_hooks

api() {
	curl -sS --unix-socket "$BERTHD_SOCK" "$@"
}

# The container c1 (stopped) with /data holding a file owned 12:34, a
# symlink and a directory.
make_c1() {
	dk run --name c1 berthd-test/bb:1 sh -c '
		mkdir -p /data/sub; echo hi >/data/f; chown 12:34 /data/f; chmod 0604 /data/f
		ln -s /data/f /data/l; echo deep >/data/sub/g' >/dev/null
}

assert_nothing_mounted() {
	run grep -c "$BERTHD_DIR/data/containers" /proc/self/mountinfo
	assert_equal "$output" "${1:-0}"
}

@test "berthd cp: out of a stopped container: a file, a directory with owners and a symlink as a symlink; the stat header" {
	make_c1
	dk cp c1:/data/f "$BATS_TEST_TMPDIR/f"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/f")" "hi"
	run sh -c "docker cp c1:/data - | tar -tvf - | awk '{print \$1, \$2, \$6}' | sort -k3"
	assert_equal "$output" "drwxr-xr-x root/root data/
-rw----r-- 12/34 data/f
lrwxrwxrwx root/root data/l
drwxr-xr-x root/root data/sub/
-rw-r--r-- root/root data/sub/g"
	run sh -c "docker cp c1:/data/l - | tar -tvf - | awk '{print \$6, \$7, \$8}'"
	assert_equal "$output" "l -> /data/f"
	# The stat header: base64 of name, size, Go's file mode, linkTarget.
	run sh -c "curl -sSI --unix-socket '$BERTHD_SOCK' 'http://berthd/containers/c1/archive?path=/data/l' | tr -d '\r' | awk -F': ' 'tolower(\$1) == \"x-docker-container-path-stat\" {print \$2}' | base64 -d | jq -c '[.name, .size, .mode, .linkTarget]'"
	assert_equal "$output" '["l",7,134218239,"/data/f"]'
	run sh -c "curl -sSI --unix-socket '$BERTHD_SOCK' 'http://berthd/containers/c1/archive?path=/data' | tr -d '\r' | awk -F': ' 'tolower(\$1) == \"x-docker-container-path-stat\" {print \$2}' | base64 -d | jq -c '[.name, .mode]'"
	assert_equal "$output" "[\"data\",$(( (1 << 31) | 0755 ))]"
	run dk cp c1:/nope -
	assert_failure
	# Newer CLIs pass berthd's words on; Debian's 20.10 says its own.
	[[ "$output" == *"Could not find the file /nope in container"* ||
		"$output" == *"No such container:path: c1:/nope"* ]]
	run api -o /dev/null -w '%{http_code}' "http://berthd/containers/c1/archive?path=/nope"
	assert_equal "$output" "404"
	assert_nothing_mounted
}

@test "berthd cp: into stopped and running containers; root owns what comes in unless -a; a file's parent must be a directory" {
	make_c1
	mkdir -p "$BATS_TEST_TMPDIR/src/dir"
	echo one >"$BATS_TEST_TMPDIR/src/dir/one"
	chown 777:888 "$BATS_TEST_TMPDIR/src/dir/one"
	dk cp "$BATS_TEST_TMPDIR/src/dir" c1:/data/
	dk cp "$BATS_TEST_TMPDIR/src/dir/one" c1:/renamed
	dk cp -a "$BATS_TEST_TMPDIR/src/dir/one" c1:/kept
	assert_nothing_mounted
	run sh -c "docker cp c1:/data/dir - | tar -tvf - | awk '{print \$1, \$2, \$NF}'"
	assert_output_contains "-rw-r--r-- root/root dir/one"
	run sh -c "docker cp c1:/renamed - | tar -xOf -"
	assert_equal "$output" "one"
	run sh -c "docker cp c1:/kept - | tar -tvf - | awk '{print \$2}'"
	assert_equal "$output" "777/888"
	run dk cp "$BATS_TEST_TMPDIR/src/dir/one" c1:/data/f/under-a-file
	assert_failure
	# A running container sees what comes in, at once.
	dk run -d --name c2 berthd-test/bb:1 sleep 1000 >/dev/null
	wait_status c2 running
	dk cp "$BATS_TEST_TMPDIR/src/dir/one" c2:/tmp/
	run dk exec c2 cat /tmp/one
	assert_equal "$output" "one"
	run sh -c "docker cp c2:/tmp/one - | tar -xOf -"
	assert_equal "$output" "one"
	# Only the running container's own root mount.
	assert_nothing_mounted 1
}

# A tar with one hostile entry, sent straight to the API.
put_tar() {
	api -o "$BATS_TEST_TMPDIR/put.out" -w '%{http_code}' -X PUT -T "$1" \
		"http://berthd/containers/c1/archive?path=$2"
}

@test "berthd cp: archives that climb out with .., absolute names or hard links are refused; their own symlinks lead inside the root; the host is untouched" {
	make_c1
	local mark=/tmp/berth-cp-escape-$$ t=$BATS_TEST_TMPDIR
	rm -f "$mark" "$mark-abs" "$mark-link" "$mark-hard"
	mkdir -p "$t/w"
	echo x >"$t/w/f"
	# "..": tar writes the name as given.
	tar -C "$t/w" -cf "$t/dotdot.tar" --transform "s|^f\$|../../../../../../..$mark|" f
	run put_tar "$t/dotdot.tar" /data
	assert_equal "$output" "400"
	# An absolute name.
	tar -C "$t/w" -cPf "$t/abs.tar" --transform "s|^f\$|$mark-abs|" f
	run put_tar "$t/abs.tar" /data
	assert_equal "$output" "400"
	# A symlink in the archive, then a file written through it: it
	# lands where the symlink leads inside the container, as with dockerd.
	ln -s /../../../../tmp "$t/w/out"
	mkdir -p "$t/w2/out"
	echo y >"$t/w2/out/berth-cp-escape-$$-link"
	tar -C "$t/w" -cf "$t/link.tar" out
	tar -C "$t/w2" -rf "$t/link.tar" "out/berth-cp-escape-$$-link"
	run put_tar "$t/link.tar" /data
	assert_equal "$output" "200"
	run sh -c "docker cp c1:/tmp/berth-cp-escape-$$-link - | tar -xOf -"
	assert_equal "$output" "y"
	# A hard link to a file outside.
	python3 - "$t/hard.tar" "$mark" <<'PY'
import sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    i = tarfile.TarInfo("h")
    i.type = tarfile.LNKTYPE
    i.linkname = "../../../../../../../etc/passwd"
    t.addfile(i)
PY
	run put_tar "$t/hard.tar" /data
	assert_equal "$output" "400"
	[ ! -e "$mark" ]
	[ ! -e "$mark-abs" ]
	[ ! -e "$mark-link" ]
	[ ! -e "$mark-hard" ]
	# Nothing else landed in the container.
	run sh -c "docker cp c1:/data - | tar -tf - | sort"
	assert_equal "$output" "data/
data/f
data/l
data/out
data/sub/
data/sub/g"
	assert_nothing_mounted
}

@test "berthd cp: the container's own symlinks resolve inside its root, into and out of it" {
	dk run --name c1 berthd-test/bb:1 sh -c '
		ln -s / /data-root; ln -s ../../../../../../../../etc /etc-up; ln -s /../../../../tmp /tmp-up' >/dev/null
	echo planted >"$BATS_TEST_TMPDIR/planted-$$"
	# Into /tmp-up: the container's /tmp, not the host's.
	dk cp "$BATS_TEST_TMPDIR/planted-$$" c1:/tmp-up/
	[ ! -e "/tmp/planted-$$" ]
	run sh -c "docker cp c1:/tmp/planted-$$ - | tar -xOf -"
	assert_equal "$output" "planted"
	# Out through /etc-up: the container's passwd, not the host's.
	run sh -c "docker cp c1:/etc-up/passwd - | tar -xOf -"
	assert_equal "$output" "$(cat "$BERTHD_DIR/img/rootfs/etc/passwd")"
	[ "$output" != "$(cat /etc/passwd)" ]
	run sh -c "docker cp c1:/data-root/etc/passwd - | tar -xOf -"
	assert_equal "$output" "$(cat "$BERTHD_DIR/img/rootfs/etc/passwd")"
	assert_nothing_mounted
}
