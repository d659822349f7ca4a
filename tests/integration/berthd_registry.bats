#!/usr/bin/env bats
# berthd and registries, through the docker CLI: login, pull (by tag and
# by digest, docker v2 schema 2 and OCI manifests, a multi-platform
# index), RepoDigests, what a corrupted blob or a plain HTTP registry
# leaves (an error naming the cause, and nothing in the store), all
# against Debian's docker-registry with TLS and htpasswd auth
# (registry_helpers.bash).

load berthd_helpers
load registry_helpers

setup_file() {
	if berthd_host_only; then
		export BERTHD_SKIPPED=1
		return 0
	fi
	registry_setup_file
	# Two plain HTTP registries: berthd names only the first insecure.
	registry_start plain plain
	registry_start refused plain
	token_start
	registry_start tok token
	registry_start mtls mtls
	# Ports for the relays that make registries misbehave: a plain one
	# (named insecure) in front of "plain", a TLS one in front of "main".
	export REG_FLAKY_PORT REG_SLOW_PORT
	REG_FLAKY_PORT=$(free_port)
	REG_SLOW_PORT=$(free_port)
	mkdir -p "$REG_CERTS/127.0.0.1:$REG_SLOW_PORT"
	cp "$REG_DIR/pki/ca.crt" "$REG_CERTS/127.0.0.1:$REG_SLOW_PORT/ca.crt"
	export BERTHD_EXTRA_ARGS="--certs-dir $REG_CERTS --insecure-registry $REG_PLAIN_ADDR --insecure-registry 127.0.0.1:$REG_FLAKY_PORT"
	berthd_setup_file host-only
	push_image reg/bb:1
}

teardown_file() {
	local ret=0
	berthd_teardown_file || ret=$?
	[ -n "${REG_DIR:-}" ] && registry_teardown_file
	return "$ret"
}

setup() {
	berthd_skip_in_vm
}

teardown() {
	berthd_remove_containers
}

reg_login() {
	echo "$REG_PASS" | dk login -u "$REG_USER" --password-stdin "${1:-$REG_MAIN_ADDR}" >/dev/null
}

# The digest of a manifest as the registry serves it.
manifest_digest() {
	curl -sSfI -u "$REG_USER:$REG_PASS" --cacert "$REG_DIR/pki/ca.crt" \
		-H 'Accept: application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
		"https://$REG_MAIN_ADDR/v2/$1/manifests/$2" |
		awk -F': ' 'tolower($1) == "docker-content-digest" {print $2}' | tr -d '\r'
}

# Nothing of a failed or finished pull in berthd's temp area.
assert_no_pull_leftovers() {
	local left
	left=$(ls -A "$BERTHD_DATA/tmp")
	[ -z "$left" ] || fail "berthd's tmp holds: $left"
	# No helper process is left either.
	if pgrep -f "berthd-unpack .*--data-root $BERTHD_DATA" >/dev/null; then
		fail "a berthd-unpack is still running"
	fi
}

layer_count() {
	ls "$BERTHD_DATA/layers" | wc -l
}

@test "berthd registry: a pull is refused before login and after a wrong password, and works after docker login; the credentials are nowhere on disk" {
	local layers
	layers=$(layer_count)
	dk logout "$REG_MAIN_ADDR" >/dev/null 2>&1 || true
	run dk pull "$REG_MAIN_ADDR/reg/bb:1"
	assert_failure
	assert_output_contains "$REG_MAIN_ADDR/reg/bb"
	assert_output_contains "docker login"
	assert_equal "$(dk images -q "$REG_MAIN_ADDR/reg/bb")" ""
	assert_equal "$(layer_count)" "$layers"
	assert_no_pull_leftovers

	run dk login -u "$REG_USER" -p wrong-password "$REG_MAIN_ADDR"
	assert_failure
	assert_output_contains "incorrect username or password"

	run reg_login
	assert_success
	run dk pull "$REG_MAIN_ADDR/reg/bb:1"
	assert_success
	assert_output_contains "1: Pulling from reg/bb"
	assert_equal "$(grep -c 'Pull complete' <<<"$output")" 3
	assert_no_pull_leftovers
	# berthd kept no credential: not in its log, its state or its store.
	run grep -rl -e "$REG_PASS" "$BERTHD_DIR/berthd.log" "$BERTHD_ROOT" "$BERTHD_DATA"
	assert_equal "$output" ""
}

@test "berthd registry: the pulled image runs with its three layers, its diff ids and its repo digest" {
	reg_login
	dk pull "$REG_MAIN_ADDR/reg/bb:1" >/dev/null
	run dk run --rm "$REG_MAIN_ADDR/reg/bb:1" sh -c 'cat /etc/registry-marker /etc/greeting; stat -c %s /data/blob'
	assert_success
	assert_equal "$output" "registry-base
pulled-layer-two
8388608"
	# The layers are the uncompressed tars' digests (the config's diff ids).
	local want got digest
	want=$(for l in l1 l2 l3; do echo "sha256:$(sha256sum "$REG_DIR/layers/$l.tar" | cut -d' ' -f1)"; done)
	got=$(dk image inspect -f '{{range .RootFS.Layers}}{{println .}}{{end}}' "$REG_MAIN_ADDR/reg/bb:1" | sed '/^$/d')
	assert_equal "$got" "$want"
	digest=$(manifest_digest reg/bb 1)
	[ -n "$digest" ] || fail "the registry named no digest"
	run dk image inspect -f '{{json .RepoDigests}}' "$REG_MAIN_ADDR/reg/bb:1"
	assert_equal "$output" "[\"$REG_MAIN_ADDR/reg/bb@$digest\"]"
	run dk inspect -f '{{index .RepoDigests 0}}' "$REG_MAIN_ADDR/reg/bb:1"
	assert_equal "$output" "$REG_MAIN_ADDR/reg/bb@$digest"
	run dk images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}' "$REG_MAIN_ADDR/reg/bb"
	assert_equal "$output" "$REG_MAIN_ADDR/reg/bb 1 $digest"
	# A second pull fetches nothing.
	run dk pull "$REG_MAIN_ADDR/reg/bb:1"
	assert_success
	assert_equal "$(grep -c 'Already exists' <<<"$output")" 3
	assert_output_contains "Digest: $digest"
}

@test "berthd registry: pull, run and rmi by digest" {
	reg_login
	local digest ref layers
	digest=$(manifest_digest reg/bb 1)
	ref=$REG_MAIN_ADDR/reg/bb@$digest
	dk rmi -f "$REG_MAIN_ADDR/reg/bb:1" >/dev/null 2>&1 || true
	layers=$(layer_count)
	run dk pull "$ref"
	assert_success
	assert_output_contains "Digest: $digest"
	# By digest, no tag is made.
	assert_equal "$(dk image inspect -f '{{json .RepoTags}}' "$ref")" "[]"
	assert_equal "$(dk images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}' "$REG_MAIN_ADDR/reg/bb")" \
		"$REG_MAIN_ADDR/reg/bb <none> $digest"
	run dk run --rm "$ref" cat /etc/greeting
	assert_equal "$output" "pulled-layer-two"
	run dk rmi "$ref"
	assert_success
	assert_output_contains "Untagged: $ref"
	assert_output_contains "Deleted: sha256:"
	assert_equal "$(dk images -q "$REG_MAIN_ADDR/reg/bb")" ""
	assert_equal "$(layer_count)" "$layers"
	# A digest the registry does not have is not found.
	run dk pull "$REG_MAIN_ADDR/reg/bb@sha256:$(printf %064d 0)"
	assert_failure
	assert_output_contains "not found"
	assert_no_pull_leftovers
}

@test "berthd registry: docker pull --all-tags pulls every tag of the repository, as dockerd; without it a name alone is :latest" {
	reg_login
	local d1 d2
	push_image reg/alltags:1
	skopeo copy -q --dest-creds "$REG_USER:$REG_PASS" --dest-cert-dir "$REG_DIR/pki/trust" \
		"docker-archive:$BERTHD_DIR/img/archive.tar" "docker://$REG_MAIN_ADDR/reg/alltags:two"
	d1=$(manifest_digest reg/alltags 1)
	d2=$(manifest_digest reg/alltags two)
	# The repository has no latest.
	run dk pull "$REG_MAIN_ADDR/reg/alltags"
	assert_failure
	assert_output_contains "not found"
	assert_equal "$(dk images -q "$REG_MAIN_ADDR/reg/alltags")" ""

	run dk pull -a "$REG_MAIN_ADDR/reg/alltags"
	assert_success
	assert_output_contains "1: Pulling from reg/alltags"
	assert_output_contains "two: Pulling from reg/alltags"
	assert_output_contains "Digest: $d1"
	assert_output_contains "Digest: $d2"
	assert_equal "$(dk images --format '{{.Tag}}' "$REG_MAIN_ADDR/reg/alltags" | sort | paste -sd' ' -)" "1 two"
	assert_equal "$(dk image inspect -f '{{json .RepoDigests}}' "$REG_MAIN_ADDR/reg/alltags:two")" \
		"[\"$REG_MAIN_ADDR/reg/alltags@$d2\"]"
	run dk run --rm "$REG_MAIN_ADDR/reg/alltags:two" cat /etc/greeting
	assert_equal "$output" "layer-two"
	run dk run --rm "$REG_MAIN_ADDR/reg/alltags:1" cat /etc/greeting
	assert_equal "$output" "pulled-layer-two"
	dk rmi "$REG_MAIN_ADDR/reg/alltags:1" "$REG_MAIN_ADDR/reg/alltags:two" >/dev/null

	# A repository the registry does not know: an error naming it.
	run dk pull -a "$REG_MAIN_ADDR/reg/no-such-repo"
	assert_failure
	assert_output_contains "$REG_MAIN_ADDR/reg/no-such-repo"
	assert_output_contains "not found"
	assert_no_pull_leftovers
}

@test "berthd registry: an OCI image and a multi-platform index resolve to linux/amd64" {
	reg_login
	push_image reg/oci:1 --format oci
	run dk pull "$REG_MAIN_ADDR/reg/oci:1"
	assert_success
	run dk run --rm "$REG_MAIN_ADDR/reg/oci:1" cat /etc/registry-marker
	assert_equal "$output" "registry-base"
	# A zstd layer (one the registry has no gzip blob of already, which
	# skopeo would reuse).
	mkdir -p "$BATS_TEST_TMPDIR/z/etc"
	echo zstd-layer >"$BATS_TEST_TMPDIR/z/etc/zstd"
	tar -C "$BATS_TEST_TMPDIR/z" -cf "$BATS_TEST_TMPDIR/z.tar" .
	make_docker_archive "$BATS_TEST_TMPDIR/zstd.tar" reg/zstd:1 "$REG_DIR/layers/l1.tar" \
		"$BATS_TEST_TMPDIR/z.tar"
	skopeo copy -q --dest-creds "$REG_USER:$REG_PASS" --dest-cert-dir "$REG_DIR/pki/trust" \
		--format oci --dest-compress-format zstd "docker-archive:$BATS_TEST_TMPDIR/zstd.tar" \
		"docker://$REG_MAIN_ADDR/reg/zstd:1"
	run curl -sSf -u "$REG_USER:$REG_PASS" --cacert "$REG_DIR/pki/ca.crt" \
		-H 'Accept: application/vnd.oci.image.manifest.v1+json' \
		"https://$REG_MAIN_ADDR/v2/reg/zstd/manifests/1"
	assert_equal "$(jq -r '.layers[1].mediaType' <<<"$output")" \
		"application/vnd.oci.image.layer.v1.tar+zstd"
	run dk pull "$REG_MAIN_ADDR/reg/zstd:1"
	assert_success
	assert_equal "$(grep -c 'Pull complete' <<<"$output")" 1
	run dk run --rm "$REG_MAIN_ADDR/reg/zstd:1" cat /etc/zstd /etc/registry-marker
	assert_equal "$output" "zstd-layer
registry-base"

	# An index of an arm64 image (its own layer) and the amd64 one.
	local d=$BATS_TEST_TMPDIR arm amd idx digest
	mkdir -p "$d/arm/etc"
	echo arm64 >"$d/arm/etc/platform"
	tar -C "$d/arm" -cf "$d/arm.tar" .
	make_docker_archive "$d/arm-archive.tar" reg/multi:arm "$d/arm.tar"
	# The arm64 config says so.
	mkdir "$d/x"
	tar -C "$d/x" -xf "$d/arm-archive.tar"
	local cfg
	cfg=$(ls "$d/x"/*.json | grep -v manifest.json)
	sed -i 's/"architecture":"amd64"/"architecture":"arm64"/' "$cfg"
	local new
	new=$(sha256sum "$cfg" | cut -d' ' -f1)
	mv "$cfg" "$d/x/$new.json"
	sed -i "s/\"Config\":\"[0-9a-f]*\.json\"/\"Config\":\"$new.json\"/" "$d/x/manifest.json"
	tar -C "$d/x" -cf "$d/arm-archive.tar" .
	skopeo copy -q --dest-creds "$REG_USER:$REG_PASS" --dest-cert-dir "$REG_DIR/pki/trust" \
		--format oci "docker-archive:$d/arm-archive.tar" "docker://$REG_MAIN_ADDR/reg/multi:arm"
	push_image reg/multi:amd --format oci
	arm=$(manifest_digest reg/multi arm)
	amd=$(manifest_digest reg/multi amd)
	local armsize amdsize
	armsize=$(curl -sSf -u "$REG_USER:$REG_PASS" --cacert "$REG_DIR/pki/ca.crt" -H 'Accept: application/vnd.oci.image.manifest.v1+json' "https://$REG_MAIN_ADDR/v2/reg/multi/manifests/$arm" | wc -c)
	amdsize=$(curl -sSf -u "$REG_USER:$REG_PASS" --cacert "$REG_DIR/pki/ca.crt" -H 'Accept: application/vnd.oci.image.manifest.v1+json' "https://$REG_MAIN_ADDR/v2/reg/multi/manifests/$amd" | wc -c)
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}},{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"platform":{"architecture":"amd64","os":"linux"}}]}' \
		"$arm" "$armsize" "$amd" "$amdsize" >"$d/index.json"
	curl -sSf -u "$REG_USER:$REG_PASS" --cacert "$REG_DIR/pki/ca.crt" -X PUT \
		-H 'Content-Type: application/vnd.oci.image.index.v1+json' --data-binary "@$d/index.json" \
		"https://$REG_MAIN_ADDR/v2/reg/multi/manifests/latest" >/dev/null
	idx=sha256:$(sha256sum "$d/index.json" | cut -d' ' -f1)
	assert_equal "$(manifest_digest reg/multi latest)" "$idx"

	run dk pull "$REG_MAIN_ADDR/reg/multi"
	assert_success
	assert_output_contains "Digest: $idx"
	run dk image inspect -f '{{.Architecture}}' "$REG_MAIN_ADDR/reg/multi"
	assert_equal "$output" "amd64"
	# The image is reg/oci:1's too: it has a repo digest for each.
	run dk image inspect -f '{{range .RepoDigests}}{{println .}}{{end}}' "$REG_MAIN_ADDR/reg/multi"
	assert_output_contains "$REG_MAIN_ADDR/reg/multi@$idx"
	assert_output_contains "$REG_MAIN_ADDR/reg/oci@sha256:"
	run dk run --rm "$REG_MAIN_ADDR/reg/multi" sh -c 'cat /etc/greeting; ls /etc/platform 2>&1'
	assert_output_contains "pulled-layer-two"
	assert_output_contains "No such file"
	assert_no_pull_leftovers
}

@test "berthd registry: a corrupted blob fails the pull with a digest error naming it; no image, no layer, no partial blob stays" {
	reg_login
	local d=$BATS_TEST_TMPDIR blob layers manifest
	mkdir -p "$d/l4/data"
	head -c 1M /dev/urandom >"$d/l4/data/other"
	tar -C "$d/l4" -cf "$d/l4.tar" .
	make_docker_archive "$d/corrupt.tar" reg/corrupt:1 "$REG_DIR/layers/l1.tar" "$d/l4.tar"
	skopeo copy -q --dest-creds "$REG_USER:$REG_PASS" --dest-cert-dir "$REG_DIR/pki/trust" \
		"docker-archive:$d/corrupt.tar" "docker://$REG_MAIN_ADDR/reg/corrupt:1"
	manifest=$(curl -sSf -u "$REG_USER:$REG_PASS" --cacert "$REG_DIR/pki/ca.crt" \
		-H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
		"https://$REG_MAIN_ADDR/v2/reg/corrupt/manifests/1")
	blob=$(jq -r '.layers[1].digest' <<<"$manifest")
	local file size
	file=$(registry_blob main "$blob")
	size=$(stat -c %s "$file")
	# One byte changed (inverted: an 'X' written there was already one in
	# 1 of 256 runs, and the pull then passed), the size kept.
	local byte
	byte=$(od -An -tu1 -j $((size / 2)) -N1 "$file" | tr -d ' ')
	printf "\\$(printf %o $((byte ^ 255)))" | dd of="$file" bs=1 seek=$((size / 2)) conv=notrunc status=none
	assert_equal "$(od -An -tu1 -j $((size / 2)) -N1 "$file" | tr -d ' ')" "$((byte ^ 255))"
	assert_equal "$(stat -c %s "$file")" "$size"
	layers=$(layer_count)

	run dk pull "$REG_MAIN_ADDR/reg/corrupt:1"
	assert_failure
	assert_output_contains "$REG_MAIN_ADDR/reg/corrupt"
	assert_output_contains "blob $blob"
	assert_output_contains "digest mismatch"
	assert_equal "$(dk images -q "$REG_MAIN_ADDR/reg/corrupt")" ""
	assert_equal "$(layer_count)" "$layers"
	[ ! -e "$BERTHD_DATA/layers/$(sha256sum "$d/l4.tar" | cut -d' ' -f1)" ] ||
		fail "the corrupted layer is in the store"
	assert_no_pull_leftovers
	# berthd serves on.
	run dk version --format '{{.Server.Version}}'
	assert_success
}

@test "berthd registry: plain HTTP is refused unless the registry is named --insecure-registry" {
	local d=$BATS_TEST_TMPDIR
	make_docker_archive "$d/plain.tar" plain/bb:1 "$REG_DIR/layers/l1.tar"
	skopeo copy -q --dest-tls-verify=false "docker-archive:$d/plain.tar" "docker://$REG_REFUSED_ADDR/plain/bb:1"
	skopeo copy -q --dest-tls-verify=false "docker-archive:$d/plain.tar" "docker://$REG_PLAIN_ADDR/plain/bb:1"

	run dk pull "$REG_REFUSED_ADDR/plain/bb:1"
	assert_failure
	assert_output_contains "--insecure-registry"
	assert_equal "$(dk images -q "$REG_REFUSED_ADDR/plain/bb")" ""
	assert_no_pull_leftovers

	run dk pull "$REG_PLAIN_ADDR/plain/bb:1"
	assert_success
	run dk run --rm "$REG_PLAIN_ADDR/plain/bb:1" cat /etc/registry-marker
	assert_equal "$output" "registry-base"
}

@test "berthd registry: a registry whose CA berthd does not know is refused" {
	# The main registry's CA, moved away for this test.
	mv "$REG_CERTS/$REG_MAIN_ADDR" "$REG_DIR/ca-away"
	reg_login 2>/dev/null || true
	run dk pull "$REG_MAIN_ADDR/reg/bb:1"
	mv "$REG_DIR/ca-away" "$REG_CERTS/$REG_MAIN_ADDR"
	assert_failure
	assert_output_contains "certificate"
	assert_output_contains "certs-dir"
	assert_no_pull_leftovers
}

@test "berthd registry: tag and push; skopeo sees the same layers; a second push skips them; a loaded image pushed and pulled back is the same image" {
	reg_login
	local src layers pushed digest
	dk pull "$REG_MAIN_ADDR/reg/bb:1" >/dev/null
	dk tag "$REG_MAIN_ADDR/reg/bb:1" "$REG_MAIN_ADDR/reg/pushed:2"
	run dk push "$REG_MAIN_ADDR/reg/pushed:2"
	assert_success
	assert_output_contains "The push refers to repository [$REG_MAIN_ADDR/reg/pushed]"
	# The blobs were in reg/bb of the same registry: mounted, not sent.
	assert_equal "$(grep -c 'Mounted from reg/bb' <<<"$output")" 3
	digest=$(sed -n 's/^2: digest: \(sha256:[0-9a-f]*\) size: [0-9]*$/\1/p' <<<"$output")
	[ -n "$digest" ] || fail "no digest line in: $output"
	src=$(skopeo inspect --creds "$REG_USER:$REG_PASS" --cert-dir "$REG_DIR/pki/trust" \
		"docker://$REG_MAIN_ADDR/reg/bb:1" | jq -c .Layers)
	pushed=$(skopeo inspect --creds "$REG_USER:$REG_PASS" --cert-dir "$REG_DIR/pki/trust" \
		"docker://$REG_MAIN_ADDR/reg/pushed:2")
	assert_equal "$(jq -c .Layers <<<"$pushed")" "$src"
	assert_equal "$(jq -r .Digest <<<"$pushed")" "$digest"
	# The image config is the one berthd has: same id.
	assert_equal "$(skopeo inspect --config --raw --creds "$REG_USER:$REG_PASS" --cert-dir "$REG_DIR/pki/trust" \
		"docker://$REG_MAIN_ADDR/reg/pushed:2" | sha256sum | cut -d' ' -f1)" \
		"$(dk image inspect -f '{{.Id}}' "$REG_MAIN_ADDR/reg/pushed:2" | cut -d: -f2)"
	run dk image inspect -f '{{range .RepoDigests}}{{println .}}{{end}}' "$REG_MAIN_ADDR/reg/pushed:2"
	assert_output_contains "$REG_MAIN_ADDR/reg/pushed@$digest"
	run dk push "$REG_MAIN_ADDR/reg/pushed:2"
	assert_success
	assert_equal "$(grep -c 'Layer already exists' <<<"$output")" 3

	# An image loaded from a docker save archive (uncompressed layers).
	local id
	id=$(dk image inspect -f '{{.Id}}' berthd-test/two:layers)
	dk tag berthd-test/two:layers "$REG_MAIN_ADDR/reg/loaded:1"
	run dk push "$REG_MAIN_ADDR/reg/loaded:1"
	assert_success
	assert_equal "$(grep -c 'Pushed' <<<"$output")" 2
	layers=$(for l in rootfs l2; do echo "\"sha256:$(sha256sum "$BERTHD_DIR/img/$l.tar" | cut -d' ' -f1)\""; done | paste -sd, -)
	assert_equal "$(skopeo inspect --creds "$REG_USER:$REG_PASS" --cert-dir "$REG_DIR/pki/trust" \
		"docker://$REG_MAIN_ADDR/reg/loaded:1" | jq -c .Layers)" "[$layers]"
	dk rmi "$REG_MAIN_ADDR/reg/loaded:1" >/dev/null
	dk rmi berthd-test/two:layers >/dev/null
	run dk pull "$REG_MAIN_ADDR/reg/loaded:1"
	assert_success
	assert_equal "$(dk image inspect -f '{{.Id}}' "$REG_MAIN_ADDR/reg/loaded:1")" "$id"
	run dk run --rm "$REG_MAIN_ADDR/reg/loaded:1" cat /etc/greeting
	assert_equal "$output" "layer-two"
	# Put back what berthd_setup_file loaded, for the other tests.
	dk tag "$REG_MAIN_ADDR/reg/loaded:1" berthd-test/two:layers
	assert_no_pull_leftovers
}

@test "berthd registry: 503 and 429 answers are retried with backoff, or after the Retry-After a 429 names; a registry that keeps failing gives a clear error" {
	local d=$BATS_TEST_TMPDIR flaky=127.0.0.1:$REG_FLAKY_PORT port
	port=${REG_PLAIN_ADDR#*:}
	make_docker_archive "$d/plain.tar" plain/bb:1 "$REG_DIR/layers/l1.tar"
	skopeo copy -q --dest-tls-verify=false "docker-archive:$d/plain.tar" "docker://$REG_PLAIN_ADDR/plain/bb:1"

	relay_start flaky "$REG_FLAKY_PORT" "$port" --fail 2 --status 503
	run dk pull "$flaky/plain/bb:1"
	relay_stop flaky
	assert_success
	assert_equal "$(grep -c '^fail 503$' "$REG_DIR/relay-flaky.log")" 2
	assert_equal "$(dk run --rm "$flaky/plain/bb:1" cat /etc/registry-marker)" "registry-base"
	# With a tag in another repository too, the image stays, and its repo
	# digest in this one goes with this one's last tag, as dockerd's.
	dk tag "$flaky/plain/bb:1" berthd-test/keep:1
	run dk rmi "$flaky/plain/bb:1"
	assert_output_contains "Untagged: $flaky/plain/bb@sha256:"
	refute_output_contains "Deleted"
	run dk image inspect -f '{{json .RepoDigests}}' berthd-test/keep:1
	assert_success
	refute_output_contains "$flaky/plain/bb@"
	dk rmi berthd-test/keep:1 >/dev/null

	relay_start flaky "$REG_FLAKY_PORT" "$port" --fail 2 --status 429
	run dk pull "$flaky/plain/bb:1"
	relay_stop flaky
	assert_success
	assert_equal "$(grep -c '^fail 429$' "$REG_DIR/relay-flaky.log")" 2
	dk rmi "$flaky/plain/bb:1" >/dev/null

	# A 429 whose Retry-After is longer than the backoff is waited for
	# (the pull takes at least that long); one that asks for an hour is
	# not retried at all: the error says what the registry asked.
	local start
	relay_start flaky "$REG_FLAKY_PORT" "$port" --fail 1 --status 429 --retry-after 3
	start=$(date +%s%N)
	run dk pull "$flaky/plain/bb:1"
	relay_stop flaky
	assert_success
	[ $(($(date +%s%N) - start)) -ge 3000000000 ] || fail "the pull did not wait the 3 s it was asked to"
	assert_equal "$(grep -c '^fail 429$' "$REG_DIR/relay-flaky.log")" 1
	dk rmi "$flaky/plain/bb:1" >/dev/null
	relay_start flaky "$REG_FLAKY_PORT" "$port" --fail 1000 --status 429 --retry-after 3600
	run dk pull "$flaky/plain/bb:1"
	relay_stop flaky
	assert_failure
	assert_output_contains "$flaky/plain/bb"
	assert_output_contains "HTTP 429"
	assert_output_contains "asks to wait 3600 s"
	assert_equal "$(grep -c '^fail 429$' "$REG_DIR/relay-flaky.log")" 1
	assert_equal "$(dk images -q "$flaky/plain/bb")" ""

	# Five attempts, then the error, naming the image and the answer.
	relay_start flaky "$REG_FLAKY_PORT" "$port" --fail 1000 --status 503
	run dk pull "$flaky/plain/bb:1"
	relay_stop flaky
	assert_failure
	assert_output_contains "$flaky/plain/bb"
	assert_output_contains "HTTP 503"
	assert_equal "$(grep -c '^fail 503$' "$REG_DIR/relay-flaky.log")" 5
	assert_equal "$(dk images -q "$flaky/plain/bb")" ""
	assert_no_pull_leftovers
}

# The blobs berthd keeps for an image's layers, as a JSON list: what a
# push of it sends (a layer pulled earlier keeps the blob it came as).
image_blobs() {
	local l
	for l in $(dk image inspect -f '{{range .RootFS.Layers}}{{println .}}{{end}}' "$1"); do
		echo "\"$(cat "$BERTHD_DATA/layers/${l#sha256:}/blob-digest")\""
	done | paste -sd, - | sed 's/^/[/; s/$/]/'
}

# The upload requests a relay in --http mode saw, in order, with each
# session's id and query replaced by U.
upload_requests() {
	grep -E "^(req (POST|PATCH|PUT|GET) /v2/$1/blobs/uploads/|fail PATCH|cut PATCH|toolarge)" \
		"$REG_DIR/relay-$2.log" | sed -E 's#/uploads/[^ ]+#/uploads/U#'
}

@test "berthd registry: a layer above 16 MiB is pushed in chunks (PATCH with Content-Range, then PUT); a failed chunk resumes where the registry says; skopeo sees the same layers" {
	local d=$BATS_TEST_TMPDIR flaky=127.0.0.1:$REG_FLAKY_PORT port big l1 size end blobs
	port=${REG_PLAIN_ADDR#*:}
	mkdir -p "$d/big/data"
	head -c 20M /dev/urandom >"$d/big/data/big"
	tar -C "$d/big" -cf "$d/big.tar" .
	make_docker_archive "$d/chunk.tar" chunk/big:1 "$REG_DIR/layers/l1.tar" "$d/big.tar"
	dk load -i "$d/chunk.tar" >/dev/null
	dk tag chunk/big:1 "$flaky/chunk/big:1"
	blobs=$(image_blobs chunk/big:1)
	big=sha256:$(sha256sum "$d/big.tar" | cut -d' ' -f1)
	l1=sha256:$(sha256sum "$REG_DIR/layers/l1.tar" | cut -d' ' -f1)
	size=$(stat -c %s "$d/big.tar")
	end=$((size - 1))

	# The registry's answer to the second PATCH is lost (a 500).
	relay_start flaky "$REG_FLAKY_PORT" "$port" --http --fail-patch 2
	run dk push "$flaky/chunk/big:1"
	relay_stop flaky
	assert_success
	# The small layer and the config go whole; the big one in two chunks,
	# the second sent again after the session said it holds the first.
	assert_equal "$(upload_requests chunk/big flaky)" "req POST /v2/chunk/big/blobs/uploads/ -
req PUT /v2/chunk/big/blobs/uploads/U -
req POST /v2/chunk/big/blobs/uploads/ -
req PATCH /v2/chunk/big/blobs/uploads/U 0-16777215
req PATCH /v2/chunk/big/blobs/uploads/U 16777216-$end
fail PATCH
req GET /v2/chunk/big/blobs/uploads/U -
req PATCH /v2/chunk/big/blobs/uploads/U 16777216-$end
req PUT /v2/chunk/big/blobs/uploads/U -
req POST /v2/chunk/big/blobs/uploads/ -
req PUT /v2/chunk/big/blobs/uploads/U -"
	run skopeo inspect --tls-verify=false "docker://$REG_PLAIN_ADDR/chunk/big:1"
	assert_success
	assert_equal "$(jq -c .Layers <<<"$output")" "$blobs"
	assert_equal "$(jq -r '.Layers[1]' <<<"$output")" "$big"
	# The registry keeps the blob as sent: its own file's digest.
	assert_equal "sha256:$(sha256sum "$REG_DIR/plain/storage/docker/registry/v2/blobs/sha256/${big:7:2}/${big#sha256:}/data" | cut -d' ' -f1)" "$big"

	# A chunk cut off mid-body: distribution's registry holds part of it
	# and drops the session; a new one starts from the first byte.
	dk rmi "$flaky/chunk/big:1" chunk/big:1 >/dev/null
	dk load -i "$d/chunk.tar" >/dev/null
	dk tag chunk/big:1 "$flaky/chunk/again:1"
	relay_start flaky "$REG_FLAKY_PORT" "$port" --http --cut-patch 1
	run dk push "$flaky/chunk/again:1"
	relay_stop flaky
	assert_success
	assert_equal "$(upload_requests chunk/again flaky | sed -n '3,$p')" "req POST /v2/chunk/again/blobs/uploads/ -
req PATCH /v2/chunk/again/blobs/uploads/U 0-16777215
cut PATCH
req GET /v2/chunk/again/blobs/uploads/U -
req POST /v2/chunk/again/blobs/uploads/ -
req PATCH /v2/chunk/again/blobs/uploads/U 0-16777215
req PATCH /v2/chunk/again/blobs/uploads/U 16777216-$end
req PUT /v2/chunk/again/blobs/uploads/U -
req POST /v2/chunk/again/blobs/uploads/ -
req PUT /v2/chunk/again/blobs/uploads/U -"
	run skopeo inspect --tls-verify=false "docker://$REG_PLAIN_ADDR/chunk/again:1"
	assert_equal "$(jq -c .Layers <<<"$output")" "$blobs"

	# A registry behind a proxy that caps bodies at 400 kB: the whole PUT
	# of the busybox layer (above 1 MB, gzip'd or not) is refused (413),
	# and it goes in chunks, halved until they pass, that cover it end to
	# end.
	dk rmi "$flaky/chunk/again:1" chunk/big:1 >/dev/null
	make_docker_archive "$d/small.tar" chunk/small:1 "$REG_DIR/layers/l1.tar"
	dk load -i "$d/small.tar" >/dev/null
	dk tag chunk/small:1 "$flaky/chunk/capped:1"
	size=$(stat -c %s "$BERTHD_DATA/layers/${l1#sha256:}/blob")
	[ "$size" -gt 1000000 ] || fail "the busybox layer is too small for this test: $size"
	relay_start flaky "$REG_FLAKY_PORT" "$port" --http --max-body 400000
	run dk push "$flaky/chunk/capped:1"
	relay_stop flaky
	assert_success
	upload_requests chunk/capped flaky >"$d/capped"
	assert_equal "$(sed -n 2,3p "$d/capped")" "req PUT /v2/chunk/capped/blobs/uploads/U -
toolarge"
	# Each chunk taken (not answered toolarge) starts where the last one
	# ended and is at most 400 kB; together they are the whole layer.
	run awk -v size="$size" '
		function settle() { if (pending) { if (a != next_byte || b - a + 1 > 400000) bad = bad " " a "-" b; next_byte = b + 1; taken++ } pending = 0 }
		$1 == "req" && $2 == "PATCH" { settle(); split($4, r, "-"); a = r[1]; b = r[2]; pending = 1; next }
		$1 == "toolarge" { pending = 0; refused++; next }
		{ settle() }
		END { settle(); print (next_byte == size && bad == "" && refused >= 2 && taken >= 3) ? "ok" : "bad:" bad " next=" next_byte " taken=" taken " refused=" refused }' "$d/capped"
	assert_equal "$output" "ok"
	run skopeo inspect --tls-verify=false "docker://$REG_PLAIN_ADDR/chunk/capped:1"
	assert_equal "$(jq -c .Layers <<<"$output")" "$(image_blobs chunk/small:1)"
	dk rmi "$flaky/chunk/capped:1" chunk/small:1 >/dev/null

	# A chunk that keeps failing: five attempts, then an error naming the
	# image, the blob, the answer and the chunk; no manifest is pushed.
	dk load -i "$d/chunk.tar" >/dev/null
	dk tag chunk/big:1 "$flaky/chunk/failing:1"
	relay_start flaky "$REG_FLAKY_PORT" "$port" --http --fail-patch 2 --fail-patch 3 \
		--fail-patch 4 --fail-patch 5 --fail-patch 6
	run dk push "$flaky/chunk/failing:1"
	relay_stop flaky
	assert_failure
	assert_output_contains "$flaky/chunk/failing: upload of blob $big"
	assert_output_contains "HTTP 500"
	assert_output_contains "the chunk at byte 16777216, 5 attempts"
	assert_equal "$(grep -c '^fail PATCH$' "$REG_DIR/relay-flaky.log")" 5
	if grep -q "^req PUT /v2/chunk/failing/manifests/" "$REG_DIR/relay-flaky.log"; then
		fail "a manifest was pushed after the failed upload"
	fi
	run curl -s -o /dev/null -w '%{http_code}' "http://$REG_PLAIN_ADDR/v2/chunk/failing/manifests/1"
	assert_equal "$output" "404"
	dk rmi "$flaky/chunk/failing:1" chunk/big:1 >/dev/null
}

@test "berthd registry: the registry killed mid-pull gives a clear error and leaves nothing; a later pull succeeds" {
	local d=$BATS_TEST_TMPDIR slow=127.0.0.1:$REG_SLOW_PORT port layers blob i f size
	port=${REG_MAIN_ADDR#*:}
	mkdir -p "$d/l5/data"
	head -c 8M /dev/urandom >"$d/l5/data/big"
	tar -C "$d/l5" -cf "$d/l5.tar" .
	make_docker_archive "$d/big.tar" reg/big:1 "$REG_DIR/layers/l1.tar" "$d/l5.tar"
	skopeo copy -q --dest-creds "$REG_USER:$REG_PASS" --dest-cert-dir "$REG_DIR/pki/trust" \
		"docker-archive:$d/big.tar" "docker://$REG_MAIN_ADDR/reg/big:1"
	layers=$(layer_count)

	# The registry's answers at 1 MB/s: the big layer takes seconds.
	relay_start slow "$REG_SLOW_PORT" "$port" --rate 1000000
	reg_login "$slow"
	dk pull "$slow/reg/big:1" >"$d/pull.out" 2>&1 &
	local pull=$!
	# Kill the registry once part of the big blob is on berthd's disk.
	for i in $(seq 600); do
		size=0
		for f in "$BERTHD_DATA"/tmp/load-*/blob-*; do
			if [ -f "$f" ] && [ "$(stat -c %s "$f")" -gt "$size" ]; then
				size=$(stat -c %s "$f")
			fi
		done
		[ "$size" -gt 1000000 ] && break
		sleep 0.1
	done
	[ "$size" -gt 1000000 ] || fail "the download never got going: $(cat "$d/pull.out")"
	# The progress streams while the pull runs.
	grep -q "Pulling fs layer" "$d/pull.out" ||
		fail "no progress came while the pull ran: $(cat "$d/pull.out")"
	registry_kill main
	relay_stop slow
	local rc=0
	wait "$pull" || rc=$?
	[ "$rc" -ne 0 ] || fail "the pull succeeded: $(cat "$d/pull.out")"
	run cat "$d/pull.out"
	assert_output_contains "$slow/reg/big"
	assert_output_contains "blob sha256:"
	assert_output_contains "connect"
	assert_equal "$(dk images -q "$slow/reg/big")" ""
	assert_equal "$(layer_count)" "$layers"
	assert_no_pull_leftovers
	# berthd serves on, and a pull from the registry back on its feet works.
	registry_run main
	relay_start slow "$REG_SLOW_PORT" "$port"
	run dk pull "$slow/reg/big:1"
	relay_stop slow
	assert_success
	run dk run --rm "$slow/reg/big:1" stat -c %s /data/big
	assert_equal "$output" "8388608"
}

@test "berthd registry: the Bearer token flow: anonymous tokens for public pulls, none for private ones before login, the user's after" {
	local tok=$REG_TOK_ADDR d=$BATS_TEST_TMPDIR
	skopeo copy -q --dest-creds "$REG_USER:$REG_PASS" --dest-cert-dir "$REG_DIR/pki/trust" \
		"docker-archive:$BERTHD_DIR/img/archive.tar" "docker://$tok/public/two:1"
	skopeo copy -q --dest-creds "$REG_USER:$REG_PASS" --dest-cert-dir "$REG_DIR/pki/trust" \
		"docker-archive:$BERTHD_DIR/img/archive.tar" "docker://$tok/priv/two:1"
	dk logout "$tok" >/dev/null 2>&1 || true
	: >"$REG_DIR/token.log"

	run dk pull "$tok/public/two:1"
	assert_success
	run dk run --rm "$tok/public/two:1" cat /etc/greeting
	assert_equal "$output" "layer-two"
	assert_equal "$(head -1 "$REG_DIR/token.log")" "anonymous repository:public/two:pull"

	run dk pull "$tok/priv/two:1"
	assert_failure
	assert_output_contains "$tok/priv/two"
	assert_output_contains "docker login"
	assert_equal "$(dk images -q "$tok/priv/two")" ""
	assert_no_pull_leftovers

	run dk login -u "$REG_USER" -p wrong "$tok"
	assert_failure
	assert_output_contains "refused the credentials"
	assert_equal "$(tail -1 "$REG_DIR/token.log")" "refused"
	reg_login "$tok"
	run dk pull "$tok/priv/two:1"
	assert_success
	assert_equal "$(tail -1 "$REG_DIR/token.log")" "$REG_USER repository:priv/two:pull"
	# A push asks for pull and push.
	dk tag "$tok/priv/two:1" "$tok/priv/pushed:1"
	run dk push "$tok/priv/pushed:1"
	assert_success
	grep -qE "^$REG_USER .*repository:priv/pushed:(pull,push|push,pull)( |$)" "$REG_DIR/token.log" ||
		fail "no pull,push token was asked for: $(cat "$REG_DIR/token.log")"
	# Its layers are the blobs berthd keeps (these came first from
	# berthd_setup_file's docker load: uncompressed).
	local want l
	want=$(for l in $(dk image inspect -f '{{range .RootFS.Layers}}{{println .}}{{end}}' "$tok/priv/pushed:1"); do
		echo "\"$(cat "$BERTHD_DATA/layers/${l#sha256:}/blob-digest")\""
	done | paste -sd, -)
	assert_equal "$(skopeo inspect --creds "$REG_USER:$REG_PASS" --cert-dir "$REG_DIR/pki/trust" \
		"docker://$tok/priv/pushed:1" | jq -c .Layers)" "[$want]"
	run grep -rl -e "$REG_PASS" "$BERTHD_DIR/berthd.log" "$BERTHD_ROOT" "$BERTHD_DATA"
	assert_equal "$output" ""
}

# The identity token the docker CLI keeps for a registry ("" for none).
cli_identity_token() {
	jq -r --arg s "$1" '.auths[$s].identitytoken // ""' "$DOCKER_CONFIG/config.json"
}

@test "berthd registry: docker login to a token server with OAuth2 gets an identity token the CLI keeps in place of the password; pulls and pushes trade it for access tokens; where OAuth2 is gone it is refused clearly; no secret reaches berthd's disk or log" {
	local tok=$REG_TOK_ADDR itok secret
	skopeo copy -q --dest-creds "$REG_USER:$REG_PASS" --dest-cert-dir "$REG_DIR/pki/trust" \
		"docker-archive:$BERTHD_DIR/img/archive.tar" "docker://$tok/priv/oauth:1"
	dk logout "$tok" >/dev/null 2>&1 || true
	touch "$REG_DIR/token.log.oauth"
	: >"$REG_DIR/token.log"
	: >"$REG_DIR/token.log.issued"

	# A wrong password is refused by the password grant itself.
	run dk login -u "$REG_USER" -p wrong "$tok"
	assert_failure
	assert_output_contains "refused the credentials"
	assert_equal "$(cat "$REG_DIR/token.log")" "refused"
	assert_equal "$(cli_identity_token "$tok")" ""

	: >"$REG_DIR/token.log"
	run reg_login "$tok"
	assert_success
	# One OAuth2 password grant, as docker's client asking for offline
	# access; the CLI keeps the refresh token it gave, not the password.
	assert_equal "$(cat "$REG_DIR/token.log")" "oauth password $REG_USER client=docker access=offline "
	itok=$(cli_identity_token "$tok")
	[ -n "$itok" ] || fail "the CLI kept no identity token: $(cat "$DOCKER_CONFIG/config.json")"
	grep -qxF -e "$itok" "$REG_DIR/token.log.issued" || fail "the identity token is not the server's refresh token"
	if grep -qF -e "$REG_PASS" "$DOCKER_CONFIG/config.json"; then
		fail "the CLI kept the password too"
	fi

	: >"$REG_DIR/token.log"
	run dk pull "$tok/priv/oauth:1"
	assert_success
	assert_equal "$(sort -u "$REG_DIR/token.log")" "oauth refresh $REG_USER repository:priv/oauth:pull"
	run dk run --rm "$tok/priv/oauth:1" cat /etc/greeting
	assert_equal "$output" "layer-two"
	dk tag "$tok/priv/oauth:1" "$tok/priv/oauth-pushed:1"
	run dk push "$tok/priv/oauth-pushed:1"
	assert_success
	# (with a pull scope of another repository first when a layer can be
	# mounted from it, as after the earlier tests' pushes)
	grep -qE "^oauth refresh $REG_USER (repository:[^ ]*:pull )*repository:priv/oauth-pushed:(pull,push|push,pull)( |$)" "$REG_DIR/token.log" ||
		fail "no pull,push token was asked for: $(cat "$REG_DIR/token.log")"
	assert_equal "$(skopeo inspect --creds "$REG_USER:$REG_PASS" --cert-dir "$REG_DIR/pki/trust" \
		"docker://$tok/priv/oauth-pushed:1" | jq -r .Name)" "$tok/priv/oauth-pushed"

	# No password, identity token or access token in berthd's log, state
	# or store.
	[ "$(wc -l <"$REG_DIR/token.log.issued")" -ge 3 ] || fail "too few tokens issued"
	for secret in "$REG_PASS" $(cat "$REG_DIR/token.log.issued"); do
		run grep -rlF -e "$secret" "$BERTHD_DIR/berthd.log" "$BERTHD_ROOT" "$BERTHD_DATA"
		assert_equal "$output" ""
	done

	# The token server stops taking OAuth2: the identity token is refused,
	# saying why and what to do; nothing is pulled.
	dk rmi "$tok/priv/oauth:1" "$tok/priv/oauth-pushed:1" >/dev/null
	rm "$REG_DIR/token.log.oauth"
	run dk pull "$tok/priv/oauth:1"
	assert_failure
	assert_output_contains "identity token"
	assert_output_contains "OAuth2"
	assert_output_contains "docker login $tok"
	assert_equal "$(dk images -q "$tok/priv/oauth")" ""
	assert_no_pull_leftovers
	# A login there now takes docker's GET flow; the CLI keeps the password.
	: >"$REG_DIR/token.log"
	run reg_login "$tok"
	assert_success
	assert_equal "$(cat "$REG_DIR/token.log")" "oauth unsupported
$REG_USER "
	assert_equal "$(cli_identity_token "$tok")" ""
	run dk pull "$tok/priv/oauth:1"
	assert_success
	dk rmi "$tok/priv/oauth:1" >/dev/null

	# An identity token the server does not know (revoked) is refused, and
	# one for a registry with Basic authentication is too.
	touch "$REG_DIR/token.log.oauth"
	jq --arg s "$tok" --arg m "$REG_MAIN_ADDR" --arg a "$(printf '%s:' "$REG_USER" | base64)" \
		'.auths[$s] = {auth: $a, identitytoken: "revoked-token"} | .auths[$m] = {auth: $a, identitytoken: "some-token"}' \
		"$DOCKER_CONFIG/config.json" >"$BATS_TEST_TMPDIR/config.json"
	cp "$BATS_TEST_TMPDIR/config.json" "$DOCKER_CONFIG/config.json"
	run dk pull "$tok/priv/oauth:1"
	assert_failure
	assert_output_contains "refused the identity token"
	assert_output_contains "docker login $tok"
	run dk pull "$REG_MAIN_ADDR/reg/bb:1"
	assert_failure
	assert_output_contains "Basic credentials"
	assert_output_contains "identity token"
	assert_no_pull_leftovers
	rm "$REG_DIR/token.log.oauth"
	dk logout "$tok" >/dev/null
	dk logout "$REG_MAIN_ADDR" >/dev/null
}

@test "berthd registry: berthd stopped mid-pull ends the helper at once; its next start clears what the pull left" {
	local d=$BATS_TEST_TMPDIR slow=127.0.0.1:$REG_SLOW_PORT port layers i size f
	port=${REG_MAIN_ADDR#*:}
	mkdir -p "$d/l7/data"
	head -c 4M /dev/urandom >"$d/l7/data/stop"
	tar -C "$d/l7" -cf "$d/l7.tar" .
	make_docker_archive "$d/stop.tar" reg/stop:1 "$d/l7.tar"
	skopeo copy -q --dest-creds "$REG_USER:$REG_PASS" --dest-cert-dir "$REG_DIR/pki/trust" \
		"docker-archive:$d/stop.tar" "docker://$REG_MAIN_ADDR/reg/stop:1"
	layers=$(layer_count)
	relay_start slow "$REG_SLOW_PORT" "$port" --rate 100000
	reg_login "$slow"
	dk pull "$slow/reg/stop:1" >"$d/pull.out" 2>&1 &
	local pull=$!
	for i in $(seq 600); do
		size=0
		for f in "$BERTHD_DATA"/tmp/load-*/blob-*; do
			if [ -f "$f" ] && [ "$(stat -c %s "$f")" -gt "$size" ]; then
				size=$(stat -c %s "$f")
			fi
		done
		[ "$size" -gt 100000 ] && break
		sleep 0.1
	done
	[ "$size" -gt 100000 ] || fail "the download never got going: $(cat "$d/pull.out")"
	# The pull has about 40 s to go: berthd's stop must not wait for it.
	run berthd_stop TERM
	assert_success
	local rc=0
	wait "$pull" || rc=$?
	[ "$rc" -ne 0 ] || fail "the pull succeeded: $(cat "$d/pull.out")"
	relay_stop slow
	if pgrep -f "berthd-unpack .*--data-root $BERTHD_DATA" >/dev/null; then
		fail "a berthd-unpack outlived berthd"
	fi
	[ -n "$(ls -A "$BERTHD_DATA/tmp")" ] || fail "the killed pull left nothing to clear (was it killed?)"
	berthd_start
	assert_no_pull_leftovers
	assert_equal "$(dk images -q "$slow/reg/stop")" ""
	assert_equal "$(layer_count)" "$layers"
}

@test "berthd registry: a registry that wants a client certificate gets the one in --certs-dir, and refuses a pull without it" {
	local certs=$REG_CERTS/$REG_MTLS_ADDR
	skopeo copy -q --dest-cert-dir "$REG_DIR/pki/client-trust" \
		"docker-archive:$BERTHD_DIR/img/archive.tar" "docker://$REG_MTLS_ADDR/m/two:1"
	# Without one: refused in the handshake, and said so.
	run dk pull "$REG_MTLS_ADDR/m/two:1"
	assert_failure
	assert_output_contains "$REG_MTLS_ADDR/m/two"
	assert_output_contains "client.cert"
	assert_no_pull_leftovers
	cp "$REG_DIR/pki/client.cert" "$REG_DIR/pki/client.key" "$certs/"
	run dk pull "$REG_MTLS_ADDR/m/two:1"
	rm -f "$certs/client.cert" "$certs/client.key"
	assert_success
	run dk run --rm "$REG_MTLS_ADDR/m/two:1" cat /etc/greeting
	assert_equal "$output" "layer-two"
}
