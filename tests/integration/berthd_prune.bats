#!/usr/bin/env bats
# docker history, docker container prune and docker image prune through
# berthd: what goes is exactly what the filters name, with the space it
# held; running containers and images in use stay.

load berthd_helpers
berthd_file_hooks

# An image config with a history of three steps, one made no layer.
history_image() {
	ARCHIVE_CONFIG='"Cmd":["true"],' make_docker_archive "$BATS_TEST_TMPDIR/h.tar" berthd-test/hist:1 \
		"$BERTHD_DIR/img/rootfs.tar" "$BERTHD_DIR/img/l2.tar"
	# make_docker_archive writes no history: add one to the config.
	local work cfg new
	work=$(mktemp -d "$BATS_TEST_TMPDIR/h.XXXXXX")
	tar -C "$work" -xf "$BATS_TEST_TMPDIR/h.tar"
	cfg=$(jq -r '.[0].Config' "$work/manifest.json")
	jq -c '.history = [{"created":"2024-01-01T00:00:00Z","created_by":"ADD rootfs.tar /"},{"created":"2024-01-02T00:00:00Z","created_by":"ENV X=1","empty_layer":true},{"created":"2024-01-03T00:00:00Z","created_by":"RUN make-layer-two","comment":"second"}]' \
		"$work/$cfg" >"$work/new.json"
	new=$(sha256sum "$work/new.json" | cut -d' ' -f1)
	rm "$work/$cfg"
	mv "$work/new.json" "$work/$new.json"
	jq -c ".[0].Config = \"$new.json\"" "$work/manifest.json" >"$work/m" && mv "$work/m" "$work/manifest.json"
	tar -C "$work" -cf "$BATS_TEST_TMPDIR/h.tar" .
	dk load -i "$BATS_TEST_TMPDIR/h.tar" >/dev/null
}

@test "berthd history: each step newest first, the layer sizes on the steps that made them, the image id and tags on the top one" {
	history_image
	local id l1 l2
	id=$(dk image inspect -f '{{.Id}}' berthd-test/hist:1)
	l1=$(cat "$BERTHD_DATA/layers/$(dk image inspect -f '{{index .RootFS.Layers 0}}' berthd-test/hist:1 | cut -d: -f2)/size")
	l2=$(cat "$BERTHD_DATA/layers/$(dk image inspect -f '{{index .RootFS.Layers 1}}' berthd-test/hist:1 | cut -d: -f2)/size")
	run curl -sS --unix-socket "$BERTHD_SOCK" http://berthd/images/berthd-test/hist:1/history
	assert_equal "$(jq -c '[.[] | [.Id, .Created, .CreatedBy, .Tags, .Size, .Comment]]' <<<"$output")" \
		"[[\"$id\",1704240000,\"RUN make-layer-two\",[\"berthd-test/hist:1\"],$l2,\"second\"],[\"<missing>\",1704153600,\"ENV X=1\",null,0,\"\"],[\"<missing>\",1704067200,\"ADD rootfs.tar /\",null,$l1,\"\"]]"
	run dk history --no-trunc --format '{{.CreatedBy}}|{{.Comment}}' berthd-test/hist:1
	assert_success
	assert_equal "$output" "RUN make-layer-two|second
ENV X=1|
ADD rootfs.tar /|"
	# An image without history: a line per layer.
	run dk history -q berthd-test/two:layers
	assert_equal "${#lines[@]}" "2"
	run dk history nosuch:1
	assert_failure
	assert_output_contains "No such image: nosuch:1"
}

@test "berthd prune: container prune removes the stopped containers the filters name, with their writable layers' bytes; running ones stay" {
	dk create --name created1 --label keep=no berthd-test/bb:1 true >/dev/null
	dk run --name exited1 --label keep=no berthd-test/bb:1 sh -c 'head -c 100000 /dev/zero >/big && ln -s /big /link' >/dev/null
	dk run --name exited2 --label keep=yes berthd-test/bb:1 true >/dev/null
	dk run -d --name running1 --label keep=no berthd-test/bb:1 sleep 1000 >/dev/null
	wait_status running1 running
	local c1 e1
	c1=$(dk inspect -f '{{.Id}}' created1)
	e1=$(dk inspect -f '{{.Id}}' exited1)
	# What it frees is what ps -s shows, as docker counts it: the file's
	# bytes and the symlink's (the length of "/big").
	run curl -sS --unix-socket "$BERTHD_SOCK" 'http://berthd/containers/json?all=1&size=1'
	assert_equal "$(jq '.[] | select(.Names[0] == "/exited1") | .SizeRw' <<<"$output")" 100004
	run curl -sS --unix-socket "$BERTHD_SOCK" -X POST \
		'http://berthd/containers/prune?filters=%7B%22label%22%3A%5B%22keep%3Dno%22%5D%7D'
	assert_equal "$(jq -c '.ContainersDeleted | sort' <<<"$output")" "$(printf '["%s","%s"]' "$c1" "$e1" | jq -c sort)"
	assert_equal "$(jq '.SpaceReclaimed' <<<"$output")" "100004"
	[ ! -d "$BERTHD_DATA/containers/$c1" ]
	[ ! -d "$BERTHD_DATA/containers/$e1" ]
	run dk ps -a --format '{{.Names}}'
	assert_equal "$(sort <<<"$output")" "exited2
running1"
	# until: nothing is older than an hour.
	run dk container prune -f --filter until=1h
	assert_success
	run dk ps -aq
	assert_equal "${#lines[@]}" "2"
	run dk container prune -f --filter until=bogus
	assert_failure
	assert_output_contains "invalid filter 'until=bogus'"
	run dk container prune -f
	assert_success
	run dk ps -a --format '{{.Names}}'
	assert_equal "$output" "running1"
}

@test "berthd prune: image prune removes dangling images only, -a every image no container uses; layers shared with kept images stay" {
	history_image
	# Dangling: untag two:layers by loading the same tag onto another image.
	dk tag berthd-test/bb:1 berthd-test/two:layers
	local before two_id
	two_id=$(dk images -q --filter dangling=true)
	[ -n "$two_id" ]
	dk run -d --name user berthd-test/bb:1 sleep 1000 >/dev/null
	run dk image prune -f
	assert_success
	assert_output_contains "deleted: sha256:${two_id}"
	# Its layers are shared with hist:1 and bb:1: no space comes back.
	assert_output_contains "Total reclaimed space: 0B"
	run dk images -q --filter dangling=true
	assert_equal "$output" ""
	# hist:1 shares its bottom layer with bb:1 (in use): -a removes hist:1
	# and its top layer only.
	local shared top hist_id
	hist_id=$(dk image inspect -f '{{.Id}}' berthd-test/hist:1)
	shared=$(dk image inspect -f '{{index .RootFS.Layers 0}}' berthd-test/hist:1)
	top=$(dk image inspect -f '{{index .RootFS.Layers 1}}' berthd-test/hist:1)
	local topsize
	topsize=$(cat "$BERTHD_DATA/layers/${top#sha256:}/size")
	run curl -sS --unix-socket "$BERTHD_SOCK" -X POST \
		'http://berthd/images/prune?filters=%7B%22dangling%22%3A%5B%22false%22%5D%7D'
	assert_equal "$(jq -c '[.ImagesDeleted[] | .Untagged // .Deleted]' <<<"$output")" \
		"[\"berthd-test/hist:1\",\"${hist_id}\",\"$top\"]"
	assert_equal "$(jq '.SpaceReclaimed' <<<"$output")" "$topsize"
	run dk images --format '{{.Repository}}:{{.Tag}}'
	assert_equal "$(sort <<<"$output")" "berthd-test/bb:1
berthd-test/two:layers"
	[ -d "$BERTHD_DATA/layers/${shared#sha256:}/diff" ]
	[ ! -e "$BERTHD_DATA/layers/${top#sha256:}" ]
	run dk run --rm berthd-test/bb:1 true
	assert_success
}
