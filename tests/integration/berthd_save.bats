#!/usr/bin/env bats
# docker save and docker load through berthd: a docker-archive of one or
# several images (by tag or id), each shared layer written once, the very
# layer tars the images came from (same ids after save -> rmi -> load);
# archives whose shared layers are symlinks to another layer.tar (docker's
# own save) load, and symlinks that leave the archive are refused with
# nothing stored.

load berthd_helpers
berthd_file_hooks

# Names in an archive, one per line, sorted.
members() {
	tar -tf "$1" | sort
}

# What the store holds: images, layers and anything left in its tmp.
store_state() {
	ls "$BERTHD_DATA/images" "$BERTHD_DATA/layers" "$BERTHD_DATA/tmp" 2>&1 | sort
}

@test "berthd save: several images by tag, a shared layer once, then rmi and load give back the same ids and tags" {
	local bb two out=$BATS_TEST_TMPDIR/out.tar
	bb=$(dk image inspect -f '{{.Id}}' berthd-test/bb:1)
	two=$(dk image inspect -f '{{.Id}}' berthd-test/two:layers)
	dk save -o "$out" berthd-test/bb:1 berthd-test/two:layers
	# bb:1's only layer is two:layers' bottom one: two layer.tar in all.
	run sh -c "tar -tf '$out' | grep -c '/layer.tar\$'"
	assert_equal "$output" "2"
	run sh -c "tar -xOf '$out' manifest.json | jq -c '[.[] | [.Config, .RepoTags, (.Layers | length)]]'"
	assert_equal "$output" "[[\"${bb#sha256:}.json\",[\"berthd-test/bb:1\"],1],[\"${two#sha256:}.json\",[\"berthd-test/two:layers\"],2]]"
	# The layer tars are the ones loaded: their digests are the diff ids.
	local d
	for d in $(dk image inspect -f '{{range .RootFS.Layers}}{{.}} {{end}}' berthd-test/two:layers); do
		run sh -c "tar -xOf '$out' ${d#sha256:}/layer.tar | sha256sum | cut -d' ' -f1"
		assert_equal "sha256:$output" "$d"
	done
	dk run --name before berthd-test/two:layers cat /etc/greeting >/dev/null
	dk rm before >/dev/null
	dk rmi berthd-test/bb:1 berthd-test/two:layers >/dev/null
	run dk images -q
	assert_equal "$output" ""
	run dk load -i "$out"
	assert_success
	assert_equal "$output" "Loaded image: berthd-test/bb:1
Loaded image: berthd-test/two:layers"
	assert_equal "$(dk image inspect -f '{{.Id}}' berthd-test/bb:1)" "$bb"
	assert_equal "$(dk image inspect -f '{{.Id}}' berthd-test/two:layers)" "$two"
	# The loaded image runs with its layers: the upper one's file, its
	# whiteout of /bin/ls.
	run dk run --rm berthd-test/two:layers sh -c 'cat /etc/greeting; ls /bin/ls 2>&1 || echo no-ls'
	assert_equal "${lines[0]}" "layer-two"
	assert_equal "${lines[${#lines[@]}-1]}" "no-ls"
	# docker save of what the load made: byte for byte the same members.
	dk save -o "$BATS_TEST_TMPDIR/again.tar" berthd-test/bb:1 berthd-test/two:layers
	assert_equal "$(members "$BATS_TEST_TMPDIR/again.tar")" "$(members "$out")"
	run cmp "$BATS_TEST_TMPDIR/again.tar" "$out"
	assert_success
}

@test "berthd save: by id the image carries no tag; one image named twice is saved once; an unknown name fails and writes nothing" {
	local id
	id=$(dk image inspect -f '{{.Id}}' berthd-test/bb:1)
	dk save "${id:7:12}" >"$BATS_TEST_TMPDIR/byid.tar"
	run sh -c "tar -xOf '$BATS_TEST_TMPDIR/byid.tar' manifest.json | jq -c '[.[] | [.Config, .RepoTags]]'"
	assert_equal "$output" "[[\"${id#sha256:}.json\",null]]"
	dk save -o "$BATS_TEST_TMPDIR/twice.tar" berthd-test/bb:1 "${id:7:12}"
	run sh -c "tar -xOf '$BATS_TEST_TMPDIR/twice.tar' manifest.json | jq -c '[.[] | .RepoTags]'"
	assert_equal "$output" '[["berthd-test/bb:1"]]'
	# A repository without a tag: every tag of it, as docker saves it.
	dk tag berthd-test/bb:1 berthd-test/bb:second
	dk save -o "$BATS_TEST_TMPDIR/repo.tar" berthd-test/bb
	run sh -c "tar -xOf '$BATS_TEST_TMPDIR/repo.tar' manifest.json | jq -c '[.[] | .RepoTags | sort]'"
	assert_equal "$output" '[["berthd-test/bb:1","berthd-test/bb:second"]]'
	dk rmi berthd-test/bb:second >/dev/null
	run dk save -o "$BATS_TEST_TMPDIR/none.tar" berthd-test/bb:1 nosuch/image:1
	assert_failure
	assert_output_contains "No such image: nosuch/image:1"
	[ ! -e "$BATS_TEST_TMPDIR/none.tar" ]
	# Through the API: the status comes before any byte.
	run curl -sS --unix-socket "$BERTHD_SOCK" -o /dev/null -w '%{http_code}' \
		"http://berthd/images/get?names=berthd-test/bb:1&names=nosuch:2"
	assert_equal "$output" "404"
}

# A docker-archive the way docker save writes shared layers: the second
# image's layer.tar is a symlink to the first's.  $1 is that symlink's
# target.
linked_archive() {
	local out=$1 target=$2 work d cfg1 cfg2
	work=$(mktemp -d "$BATS_TEST_TMPDIR/linked.XXXXXX")
	d=$(sha256sum "$BERTHD_DIR/img/rootfs.tar" | cut -d' ' -f1)
	mkdir -p "$work/aaa" "$work/bbb"
	cp "$BERTHD_DIR/img/rootfs.tar" "$work/aaa/layer.tar"
	ln -s "$target" "$work/bbb/layer.tar"
	printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["echo","one"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$d" >"$work/c1"
	printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["echo","two"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$d" >"$work/c2"
	cfg1=$(sha256sum "$work/c1" | cut -d' ' -f1)
	cfg2=$(sha256sum "$work/c2" | cut -d' ' -f1)
	mv "$work/c1" "$work/$cfg1.json"
	mv "$work/c2" "$work/$cfg2.json"
	printf '[{"Config":"%s.json","RepoTags":["linked/one:1"],"Layers":["aaa/layer.tar"]},{"Config":"%s.json","RepoTags":["linked/two:1"],"Layers":["bbb/layer.tar"]}]' \
		"$cfg1" "$cfg2" >"$work/manifest.json"
	# The symlink first, as docker's order may put it.
	tar -C "$work" -cf "$out" manifest.json bbb aaa "$cfg1.json" "$cfg2.json"
}

@test "berthd save: docker load of a multi-image archive whose shared layer is a symlink to another layer.tar" {
	linked_archive "$BATS_TEST_TMPDIR/linked.tar" ../aaa/layer.tar
	run dk load -i "$BATS_TEST_TMPDIR/linked.tar"
	assert_success
	assert_equal "$output" "Loaded image: linked/one:1
Loaded image: linked/two:1"
	run dk run --rm linked/two:1
	assert_equal "$output" "two"
	# One layer, shared by both.
	assert_equal "$(dk image inspect -f '{{index .RootFS.Layers 0}}' linked/one:1)" \
		"$(dk image inspect -f '{{index .RootFS.Layers 0}}' linked/two:1)"
	dk rmi linked/one:1 linked/two:1 >/dev/null
}

@test "berthd save: a symlink that leaves the archive or names nothing in it is refused; nothing is stored" {
	local before target
	before=$(store_state)
	for target in /etc/passwd ../../etc/passwd ../../../../../../etc/hostname ../aaa/missing.tar ../bbb/layer.tar; do
		linked_archive "$BATS_TEST_TMPDIR/bad.tar" "$target"
		run dk load -i "$BATS_TEST_TMPDIR/bad.tar"
		assert_failure
		case $target in
		/* | ../../*) assert_output_contains "symlink bbb/layer.tar points outside it" ;;
		*) assert_output_contains "symlink bbb/layer.tar names no file of the archive" ;;
		esac
		assert_equal "$(store_state)" "$before"
		run dk images -q linked/one
		assert_equal "$output" ""
	done
}

@test "berthd save: a layer stored without its blob (by an older berthd) makes save fail, saying so" {
	linked_archive "$BATS_TEST_TMPDIR/linked.tar" ../aaa/layer.tar
	dk load -i "$BATS_TEST_TMPDIR/linked.tar" >/dev/null
	local d
	d=$(dk image inspect -f '{{index .RootFS.Layers 0}}' linked/one:1)
	[ -f "$BERTHD_DATA/layers/${d#sha256:}/blob" ]
	rm "$BERTHD_DATA/layers/${d#sha256:}/blob"
	run dk save -o "$BATS_TEST_TMPDIR/old.tar" linked/one:1
	assert_failure
	assert_output_contains "layer $d was stored before berthd kept the blobs layers came as"
	[ ! -e "$BATS_TEST_TMPDIR/old.tar" ]
	# Loading it again gives the stored layer its blob back.
	dk load -i "$BATS_TEST_TMPDIR/linked.tar" >/dev/null
	[ -f "$BERTHD_DATA/layers/${d#sha256:}/blob" ]
	dk save -o "$BATS_TEST_TMPDIR/old.tar" linked/one:1
	dk rmi linked/one:1 linked/two:1 >/dev/null
}
