#!/usr/bin/env bats
# berthd and hostile image layers: entries that climb out with "..", absolute
# paths, symlink and hard link escapes, whiteout tricks, device nodes and
# setuid files.  Each layer is loaded through the docker CLI on top of the
# busybox layer; the load is refused with an error naming the entry, or the
# entry lands inside the layer.  Either way the host is unchanged: a canary
# outside the store keeps its content and link count, and nothing appears at
# the escape target.

load berthd_helpers
berthd_file_hooks

setup() {
	berthd_skip_in_vm
	OUTSIDE=$BATS_TEST_TMPDIR/outside
	mkdir -p "$OUTSIDE"
	echo host-canary >"$OUTSIDE/canary"
	LAYERS_BEFORE=$(ls "$BERTHD_DATA/layers" | wc -l)
}

# hostile_layer OUT: the tar that the python lines on stdin write with
# f (file), d (directory), sym, hard and dev (a device node).
hostile_layer() {
	python3 -c "
import io, sys, tarfile
t = tarfile.open(sys.argv[1], 'w', format=tarfile.GNU_FORMAT)
def entry(name, kind=tarfile.REGTYPE, data=b'', mode=0o644, link='', major=0, minor=0):
    i = tarfile.TarInfo(name)
    i.type, i.mode, i.linkname, i.devmajor, i.devminor = kind, mode, link, major, minor
    i.size = len(data)
    t.addfile(i, io.BytesIO(data) if data else None)
def f(name, data=b'from-the-layer\n', mode=0o644): entry(name, data=data, mode=mode)
def d(name): entry(name, tarfile.DIRTYPE, mode=0o755)
def sym(name, target): entry(name, tarfile.SYMTYPE, link=target)
def hard(name, target): entry(name, tarfile.LNKTYPE, link=target)
def dev(name, kind, major, minor): entry(name, kind, mode=0o666, major=major, minor=minor)
$(cat)
t.close()
" "$1"
}

# load_layers TAG LAYER.tar...: a docker-archive of the busybox layer and
# these, loaded with docker load.
load_layers() {
	local tag=$1 out
	shift
	out=$BATS_TEST_TMPDIR/$(echo "$tag" | tr ':/' '__').tar
	make_docker_archive "$out" "$tag" "$BERTHD_DIR/img/rootfs.tar" "$@"
	run dk load -i "$out"
}

# The host is unchanged: the canary as it was, nothing else outside.
assert_host_unchanged() {
	assert_equal "$(cat "$OUTSIDE/canary")" "host-canary"
	assert_equal "$(stat -c %h "$OUTSIDE/canary")" "1"
	assert_equal "$(ls -A "$OUTSIDE")" "canary"
	assert_equal "$(find "$BATS_TEST_TMPDIR" \( -type b -o -type c -o -perm -4000 \) -print)" ""
}

# A refused load leaves no image, no layer and nothing in the store's tmp.
assert_refused() {
	assert_failure
	assert_output_contains "$2"
	run dk images -q "$1"
	assert_equal "$output" ""
	assert_equal "$(ls -A "$BERTHD_DATA/tmp")" ""
	assert_equal "$(ls "$BERTHD_DATA/layers" | wc -l)" "$LAYERS_BEFORE"
}

@test "berthd layers: entries that climb out with .. are refused, in a docker-archive and an OCI layout" {
	local entry n=0
	for entry in "../../..$OUTSIDE/escaped" "./../x" "etc/../../x"; do
		n=$((n + 1))
		hostile_layer "$BATS_TEST_TMPDIR/dotdot$n.tar" <<EOF
f('etc/harmless')
f('$entry')
EOF
		load_layers "hl/dotdot:$n" "$BATS_TEST_TMPDIR/dotdot$n.tar"
		assert_refused "hl/dotdot:$n" "unsafe path \"$entry\""
	done
	make_oci_archive "$BATS_TEST_TMPDIR/oci.tar.gz" "hl/oci:1" "$BERTHD_DIR/img/rootfs.tar" \
		"$BATS_TEST_TMPDIR/dotdot1.tar"
	run dk load -i "$BATS_TEST_TMPDIR/oci.tar.gz"
	assert_refused "hl/oci:1" "unsafe path \"../../..$OUTSIDE/escaped\""
	assert_host_unchanged
	if [ -e "$BERTHD_DATA/x" ] || [ -e "$BERTHD_DATA/layers/x" ] || [ -e "$BERTHD_DATA/tmp/x" ]; then
		fail "an entry climbed out of its layer: $(ls -d "$BERTHD_DATA"/x "$BERTHD_DATA"/*/x 2>/dev/null)"
	fi
}

@test "berthd layers: an absolute entry lands inside the layer, as docker's does" {
	hostile_layer "$BATS_TEST_TMPDIR/abs.tar" <<EOF
f('/$OUTSIDE/escaped')
EOF
	load_layers hl/abs:1 "$BATS_TEST_TMPDIR/abs.tar"
	assert_success
	run dk run --rm hl/abs:1 cat "$OUTSIDE/escaped" "$OUTSIDE/canary"
	assert_failure
	assert_equal "${lines[0]}" "from-the-layer"
	assert_output_contains "can't open '$OUTSIDE/canary': No such file or directory"
	assert_host_unchanged
}

@test "berthd layers: a symlink to a host directory cannot carry files out, in one layer or two" {
	hostile_layer "$BATS_TEST_TMPDIR/one.tar" <<EOF
sym('link', '$OUTSIDE')
f('link/escaped')
EOF
	load_layers hl/symlink:1 "$BATS_TEST_TMPDIR/one.tar"
	assert_refused hl/symlink:1 "link/escaped"
	run dk import "$BATS_TEST_TMPDIR/one.tar" hl/symlink:import
	assert_refused hl/symlink:import "link/escaped"
	assert_host_unchanged
	# The symlink in the lower layer, the file through it in the upper
	# one: the upper layer's directory replaces the symlink.
	hostile_layer "$BATS_TEST_TMPDIR/lower.tar" <<EOF
sym('link', '$OUTSIDE')
EOF
	hostile_layer "$BATS_TEST_TMPDIR/upper.tar" <<EOF
f('link/escaped')
EOF
	load_layers hl/symlink:2 "$BATS_TEST_TMPDIR/lower.tar" "$BATS_TEST_TMPDIR/upper.tar"
	assert_success
	run dk run --rm hl/symlink:2 sh -c 'stat -c %F /link; ls -A /link; cat /link/escaped'
	assert_success
	assert_equal "$output" "directory
escaped
from-the-layer"
	run dk run --rm hl/symlink:2 ls "$OUTSIDE"
	assert_failure
	assert_output_contains "No such file or directory"
	assert_host_unchanged
}

@test "berthd layers: a hard link reaches no host file" {
	local shadow_sum shadow_links target n=0
	shadow_sum=$(sha256sum /etc/shadow)
	shadow_links=$(stat -c %h /etc/shadow)
	for target in /etc/shadow "$OUTSIDE/canary"; do
		n=$((n + 1))
		hostile_layer "$BATS_TEST_TMPDIR/hard$n.tar" <<EOF
hard('hard', '$target')
EOF
		load_layers "hl/hard:$n" "$BATS_TEST_TMPDIR/hard$n.tar"
		assert_refused "hl/hard:$n" "Hard-link target '${target#/}' does not exist"
	done
	hostile_layer "$BATS_TEST_TMPDIR/hard3.tar" <<EOF
hard('hard', '../../canary')
EOF
	load_layers hl/hard:3 "$BATS_TEST_TMPDIR/hard3.tar"
	assert_refused hl/hard:3 "unsafe hard link \"../../canary\""
	# A link to the layer's own /etc/shadow links to that file, and
	# writing through it changes the container's copy only.
	hostile_layer "$BATS_TEST_TMPDIR/hard4.tar" <<EOF
f('etc/shadow', b'layer-shadow\n')
hard('hard', '/etc/shadow')
EOF
	load_layers hl/hard:4 "$BATS_TEST_TMPDIR/hard4.tar"
	assert_success
	run dk run --rm hl/hard:4 sh -c 'cat /hard; stat -c %h /hard; echo written >>/hard; cat /hard'
	assert_success
	assert_equal "$output" "layer-shadow
2
layer-shadow
written"
	assert_equal "$(sha256sum /etc/shadow)" "$shadow_sum"
	assert_equal "$(stat -c %h /etc/shadow)" "$shadow_links"
	assert_host_unchanged
}

@test "berthd layers: whiteouts that name . or .. or go through a symlink are refused" {
	local name n=0
	for name in '.wh...' '.wh..' '.wh.' 'tmp/.wh...'; do
		n=$((n + 1))
		hostile_layer "$BATS_TEST_TMPDIR/wh$n.tar" <<EOF
f('$name', b'')
EOF
		load_layers "hl/wh:$n" "$BATS_TEST_TMPDIR/wh$n.tar"
		assert_refused "hl/wh:$n" "unsafe whiteout \"$name\""
	done
	hostile_layer "$BATS_TEST_TMPDIR/up.tar" <<EOF
f('../.wh.x', b'')
EOF
	load_layers hl/wh:up "$BATS_TEST_TMPDIR/up.tar"
	assert_refused hl/wh:up "unsafe path \"../.wh.x\""
	hostile_layer "$BATS_TEST_TMPDIR/through.tar" <<EOF
sym('link', '$OUTSIDE')
f('link/.wh.canary', b'')
EOF
	load_layers hl/wh:link "$BATS_TEST_TMPDIR/through.tar"
	assert_refused hl/wh:link "whiteout link/canary"
	assert_host_unchanged
	# Split over two layers, the whiteout lands in the upper layer's own
	# directory, which replaces the symlink.
	hostile_layer "$BATS_TEST_TMPDIR/lower.tar" <<EOF
sym('link', '$OUTSIDE')
EOF
	hostile_layer "$BATS_TEST_TMPDIR/upper.tar" <<EOF
f('link/.wh.canary', b'')
EOF
	load_layers hl/wh:split "$BATS_TEST_TMPDIR/lower.tar" "$BATS_TEST_TMPDIR/upper.tar"
	assert_success
	run dk run --rm hl/wh:split sh -c 'stat -c %F /link; test -e /link/canary || echo no-canary'
	assert_success
	assert_equal "$output" "directory
no-canary"
	assert_host_unchanged
}

@test "berthd layers: opaque whiteouts hide the layers below only" {
	hostile_layer "$BATS_TEST_TMPDIR/l2.tar" <<EOF
f('keep/a')
EOF
	hostile_layer "$BATS_TEST_TMPDIR/l3.tar" <<EOF
f('keep/.wh..wh..opq', b'')
f('keep/b')
f('.wh..wh..opq', b'')
f('only')
EOF
	hostile_layer "$BATS_TEST_TMPDIR/l4.tar" <<EOF
f('keep/c')
EOF
	load_layers hl/opaque:1 "$BATS_TEST_TMPDIR/l2.tar" "$BATS_TEST_TMPDIR/l3.tar" \
		"$BATS_TEST_TMPDIR/l4.tar"
	assert_success
	# overlayfs ignores an opaque root: the busybox layer stays.
	run dk run --rm hl/opaque:1 sh -c 'ls -A /keep; cat /only; test -x /bin/sh && echo has-sh'
	assert_success
	assert_equal "$output" "b
c
from-the-layer
has-sh"
	assert_host_unchanged
}

@test "berthd layers: device nodes in a layer do not open the host's devices" {
	hostile_layer "$BATS_TEST_TMPDIR/dev.tar" <<EOF
d('hostile')
dev('hostile/mem', tarfile.CHRTYPE, 1, 1)
dev('hostile/sda', tarfile.BLKTYPE, 8, 0)
EOF
	load_layers hl/dev:1 "$BATS_TEST_TMPDIR/dev.tar"
	assert_success
	run dk run --rm hl/dev:1 sh -c 'stat -c "%n %F %t:%T" /hostile/mem /hostile/sda; head -c1 /hostile/mem; head -c1 /hostile/sda'
	assert_failure
	assert_equal "${lines[0]}" "/hostile/mem character special file 1:1"
	assert_equal "${lines[1]}" "/hostile/sda block special file 8:0"
	assert_equal "${lines[2]}" "head: /hostile/mem: Permission denied"
	assert_equal "${lines[3]}" "head: /hostile/sda: Permission denied"
	assert_equal "${#lines[@]}" "4"
	# The image's root is mounted nodev (and the device cgroup would
	# refuse these nodes too).
	run dk run --rm hl/dev:1 awk '$5 == "/" {print $9, $6}' /proc/self/mountinfo
	assert_success
	assert_equal "${#lines[@]}" "1"
	assert_output_contains "overlay "
	assert_output_contains "nodev"
	assert_host_unchanged
}

@test "berthd layers: a setuid file keeps its mode in the image, and only there" {
	hostile_layer "$BATS_TEST_TMPDIR/suid.tar" <<EOF
f('suid', mode=0o4755)
f('sgid', mode=0o2755)
EOF
	load_layers hl/suid:1 "$BATS_TEST_TMPDIR/suid.tar"
	assert_success
	run dk run --rm hl/suid:1 stat -c '%n %a %u' /suid /sgid
	assert_success
	assert_equal "$output" "/suid 4755 0
/sgid 2755 0"
	assert_host_unchanged
}
