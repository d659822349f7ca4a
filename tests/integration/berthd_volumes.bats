#!/usr/bin/env bats
# Volumes through the docker CLI: the volume API, named and anonymous
# volumes (-v, the image's VOLUME), --mount, --tmpfs, --volumes-from, the
# image's content copied into a new volume, and what removal leaves.
# Each test looks at what the container sees (its mountinfo, its files)
# and at what the host keeps (the volume's directory, mounts).

load berthd_helpers

berthd_file_hooks
# Each test's volumes go after it too.
teardown() {
	berthd_remove_containers
	dk volume ls -q | xargs -r "$DOCKER" volume rm -f >/dev/null
}

api() {
	local method=$1 path=$2
	shift 2
	curl -sS --unix-socket "$BERTHD_SOCK" -X "$method" -w '\n%{http_code}' "$@" "http://berthd$path"
}

# The mountinfo line of a path inside a container, without its ids:
# "options - fstype source superoptions".
mnt() {
	echo "awk '\$5 == \"$1\" { for (i = 6; i <= NF; i++) printf \"%s \", \$i; print \"\" }' /proc/self/mountinfo"
}

# An image whose config declares VOLUME /data, with a file there.
vol_image() {
	local dir=$BERTHD_DIR/volimg
	[ -n "$(dk images -q berthd-test/vol:1)" ] && return 0
	mkdir -p "$dir/l/data/sub"
	echo seeded >"$dir/l/data/seed"
	chown -R 1000:1000 "$dir/l/data"
	chmod 0750 "$dir/l/data"
	tar -C "$dir/l" -cf "$dir/l.tar" .
	ARCHIVE_CONFIG='"Volumes":{"/data":{}},' make_docker_archive "$dir/vol.tar" \
		berthd-test/vol:1 "$BERTHD_DIR/img/rootfs.tar" "$dir/l.tar"
	dk load -i "$dir/vol.tar" >/dev/null
}

@test "berthd volumes: create, inspect, list with filters, remove" {
	local since
	since=$(($(date +%s) - 1))
	run dk volume create --label team=a --label tier db1
	assert_success
	assert_equal "$output" "db1"
	dk volume create --label team=b db2 >/dev/null
	run dk volume inspect db1
	assert_success
	assert_equal "$(echo "$output" | jq -r '.[0].Driver, .[0].Scope, .[0].Labels.team, .[0].Mountpoint')" \
		"local
local
a
$BERTHD_DATA/volumes/db1/_data"
	[ -d "$BERTHD_DATA/volumes/db1/_data" ]
	assert_equal "$(dk volume ls -q | sort | tr '\n' ' ')" "db1 db2 "
	assert_equal "$(dk volume ls -q --filter label=team=a)" "db1"
	assert_equal "$(dk volume ls -q --filter label=tier)" "db1"
	assert_equal "$(dk volume ls -q --filter name=2)" "db2"
	assert_equal "$(dk volume ls -q --filter dangling=true | sort | tr '\n' ' ')" "db1 db2 "
	# Creating an existing name gives the volume back, as dockerd does.
	run dk volume create db1
	assert_success
	assert_equal "$(dk volume inspect -f '{{.Labels.team}}' db1)" "a"
	run dk volume create 'bad/name'
	assert_failure
	assert_output_contains "includes invalid characters for a local volume name"
	run dk volume create --driver nfs x1
	assert_failure
	assert_output_contains 'volume driver "nfs" is not supported by berthd'
	run dk volume create --opt colour=red x2
	assert_failure
	assert_output_contains 'invalid option key: "colour"'
	[ ! -e "$BERTHD_DATA/volumes/x1" ]
	[ ! -e "$BERTHD_DATA/volumes/x2" ]
	run dk volume rm db1 db2
	assert_success
	run dk volume inspect db1
	assert_failure
	# Newer CLIs pass berthd's words on; Debian's 20.10 says its own.
	[[ "${output,,}" == *"no such volume"* ]]
	run dk volume rm nosuch
	assert_failure
	[[ "${output,,}" == *"no such volume: nosuch"* ]]
	assert_equal "$(ls -A "$BERTHD_DATA/volumes")" ""
	# One create event each (not for a create of an existing name), one
	# destroy each.
	run dk events --since "$since" --until "$(($(date +%s) + 1))" --filter type=volume \
		--format '{{.Action}} {{.Actor.ID}}'
	assert_equal "$output" "create db1
create db2
destroy db1
destroy db2"
}

@test "berthd volumes: -v NAME:/path is shared, :ro is read-only, removal waits for the container" {
	dk run --rm -v shared:/data berthd-test/bb:1 sh -c 'echo hello >/data/f' >/dev/null
	assert_equal "$(cat "$BERTHD_DATA/volumes/shared/_data/f")" "hello"
	run dk run --rm -v shared:/data:ro berthd-test/bb:1 sh -c "cat /data/f; $(mnt /data); touch /data/g"
	assert_failure
	assert_equal "${lines[0]}" "hello"
	[[ "${lines[1]}" == "ro,"* ]]
	assert_output_contains "Read-only file system"
	# A stopped container still uses it: removal is refused, as in dockerd.
	dk create --name user1 -v shared:/data berthd-test/bb:1 true >/dev/null
	assert_equal "$(dk inspect -f '{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}} {{.RW}} {{.Driver}}{{end}}' user1)" \
		"volume shared /data true local"
	run dk volume rm shared
	assert_failure
	assert_output_contains "volume is in use"
	run dk volume rm -f shared
	assert_failure
	assert_equal "$(dk volume ls -q --filter dangling=false)" "shared"
	# rm -v takes anonymous volumes only: a named one stays.
	dk rm -v user1 >/dev/null
	assert_equal "$(cat "$BERTHD_DATA/volumes/shared/_data/f")" "hello"
	dk volume rm shared >/dev/null
	[ ! -e "$BERTHD_DATA/volumes/shared" ]
}

@test "berthd volumes: a new volume gets the image's content, unless nocopy" {
	dk run --rm -v greet:/etc berthd-test/two:layers cat /etc/greeting >"$BATS_TEST_TMPDIR/out"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" "layer-two"
	assert_equal "$(cat "$BERTHD_DATA/volumes/greet/_data/greeting")" "layer-two"
	# Not empty any more: nothing is copied over what is there.
	echo changed >"$BERTHD_DATA/volumes/greet/_data/greeting"
	run dk run --rm -v greet:/etc berthd-test/two:layers cat /etc/greeting
	assert_equal "$output" "changed"
	run dk run --rm -v fresh:/etc:nocopy berthd-test/two:layers sh -c 'echo /etc/*'
	assert_success
	refute_output_contains greeting
	run dk run --rm --mount type=volume,src=fresh2,dst=/etc,volume-nocopy berthd-test/two:layers sh -c 'echo /etc/*'
	assert_success
	refute_output_contains greeting
	# The image's owner and mode of the directory come along too.
	vol_image
	dk run --rm -v owned:/data berthd-test/vol:1 true
	assert_equal "$(stat -c '%u:%g %a' "$BERTHD_DATA/volumes/owned/_data")" "1000:1000 750"
	assert_equal "$(cat "$BERTHD_DATA/volumes/owned/_data/seed")" "seeded"
	dk volume rm greet fresh fresh2 owned >/dev/null
}

@test "berthd volumes: anonymous volumes (-v /path, image VOLUME) go with rm -v and --rm" {
	vol_image
	dk create --name anon -v /scratch berthd-test/vol:1 \
		sh -c "cat /data/seed; $(mnt /data); $(mnt /scratch)" >/dev/null
	run dk start -a anon
	assert_success
	assert_equal "${lines[0]}" "seeded"
	[[ "${lines[1]}" == "rw,"* ]]
	[[ "${lines[2]}" == "rw,"* ]]
	local names
	names=$(dk inspect -f '{{range .Mounts}}{{.Name}} {{end}}' anon)
	assert_equal "$(echo $names | wc -w)" "2"
	for n in $names; do
		[[ "$n" =~ ^[0-9a-f]{64}$ ]]
		[ -d "$BERTHD_DATA/volumes/$n/_data" ]
	done
	assert_equal "$(dk inspect -f '{{json .Config.Volumes}}' anon | jq -c 'keys')" '["/data","/scratch"]'
	dk rm -v anon >/dev/null
	for n in $names; do
		[ ! -e "$BERTHD_DATA/volumes/$n" ]
	done
	# Without -v they stay (dockerd's rm), and prune takes them.
	dk create --name anon2 berthd-test/vol:1 true >/dev/null
	names=$(dk inspect -f '{{range .Mounts}}{{.Name}}{{end}}' anon2)
	dk rm anon2 >/dev/null
	[ -d "$BERTHD_DATA/volumes/$names" ]
	dk volume create keepme >/dev/null
	run dk volume prune -f
	assert_success
	assert_output_contains "$names"
	[ ! -e "$BERTHD_DATA/volumes/$names" ]
	assert_equal "$(dk volume ls -q)" "keepme"
	# prune -a of newer CLIs is the all filter (Debian's 20.10 CLI has
	# no -a).
	run dk volume prune -f --filter all=true
	assert_success
	assert_equal "$(dk volume ls -q)" ""
	# --rm takes them too.
	dk run --rm -v /scratch berthd-test/bb:1 true
	assert_equal "$(ls -A "$BERTHD_DATA/volumes")" ""
}

@test "berthd volumes: a bind with a volume on the same target (compose) makes no volume" {
	mkdir -p "$BERTHD_DIR/cbind"
	echo composed >"$BERTHD_DIR/cbind/f"
	run api POST /containers/create -H 'Content-Type: application/json' \
		-d "{\"Image\":\"berthd-test/bb:1\",\"Cmd\":[\"cat\",\"/app/f\"],\"Volumes\":{\"/app\":{}},\"HostConfig\":{\"Binds\":[\"$BERTHD_DIR/cbind:/app:rw\"]}}"
	assert_equal "${lines[1]}" "201"
	local id
	id=$(echo "${lines[0]}" | jq -r .Id)
	run dk start -a "$id"
	assert_success
	assert_equal "$output" "composed"
	assert_equal "$(dk inspect -f '{{range .Mounts}}{{.Type}} {{.Source}}{{end}}' "$id")" "bind $BERTHD_DIR/cbind"
	assert_equal "$(ls -A "$BERTHD_DATA/volumes" 2>/dev/null)" ""
	dk rm -v "$id" >/dev/null
}

@test "berthd volumes: binds: -v creates a missing host path, --mount refuses it; z, Z and propagation" {
	local miss=$BERTHD_DIR/missing/deeper
	run dk run --rm -v "$miss:/m:z" berthd-test/bb:1 sh -c "$(mnt /m)"
	assert_success
	[ -d "$miss" ]
	[[ "$output" == "rw,"* ]]
	run dk run --rm --mount "type=bind,src=$BERTHD_DIR/nothere,dst=/m" berthd-test/bb:1 true
	assert_failure
	assert_output_contains "bind source path does not exist: $BERTHD_DIR/nothere"
	[ ! -e "$BERTHD_DIR/nothere" ]
	assert_equal "$(dk ps -aq)" ""
	mkdir -p "$BERTHD_DIR/b2"
	run dk run --rm --mount "type=bind,src=$BERTHD_DIR/b2,dst=/m,readonly,bind-propagation=rslave" \
		-v "$BERTHD_DIR/b2:/n:Z,rshared" berthd-test/bb:1 sh -c "$(mnt /m); $(mnt /n)"
	assert_success
	[[ "${lines[0]}" == "ro,"* ]]
	[[ "${lines[1]}" == "rw,"* ]]
	run dk run --rm -v "$BERTHD_DIR/b2:/m" -v vv:/m berthd-test/bb:1 true
	assert_failure
	assert_output_contains "Duplicate mount point: /m"
	assert_equal "$(ls -A "$BERTHD_DATA/volumes" 2>/dev/null)" ""
	run dk run --rm -v "$BERTHD_DIR/b2:/m:bogus" berthd-test/bb:1 true
	assert_failure
	assert_output_contains 'unknown option "bogus"'
}

@test "berthd volumes: --tmpfs and --mount type=tmpfs, with --read-only" {
	run dk run --rm --read-only --tmpfs /run:size=1m,exec --tmpfs /scratch \
		berthd-test/bb:1 sh -c "$(mnt /run); $(mnt /scratch); touch /run/x && echo wrote; touch /x"
	assert_failure
	assert_equal "${lines[0]}" "rw,nosuid,nodev,relatime - tmpfs tmpfs rw,size=1024k "
	assert_equal "${lines[1]}" "rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw "
	assert_equal "${lines[2]}" "wrote"
	assert_output_contains "Read-only file system"
	run dk run --rm --mount type=tmpfs,dst=/t,tmpfs-size=2097152,tmpfs-mode=1770 berthd-test/bb:1 \
		sh -c "$(mnt /t); stat -c %a /t"
	assert_success
	assert_equal "${lines[0]}" "rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,size=2048k,mode=1770 "
	assert_equal "${lines[1]}" "1770"
	run dk run --rm --tmpfs /t:colour=red berthd-test/bb:1 true
	assert_failure
	assert_output_contains 'invalid tmpfs option "colour=red" for /t'
	assert_equal "$(dk ps -aq)" ""
}

@test "berthd volumes: --volumes-from takes the other container's volumes and binds" {
	mkdir -p "$BERTHD_DIR/vf"
	echo bound >"$BERTHD_DIR/vf/f"
	dk create --name source1 -v vfvol:/data -v "$BERTHD_DIR/vf:/b" -v /anon berthd-test/bb:1 true >/dev/null
	dk run --rm -v vfvol:/data berthd-test/bb:1 sh -c 'echo from-volume >/data/f'
	run dk run --rm --volumes-from source1:ro berthd-test/bb:1 \
		sh -c "cat /data/f /b/f; $(mnt /data); $(mnt /b); $(mnt /anon)"
	assert_success
	assert_equal "${lines[0]}" "from-volume"
	assert_equal "${lines[1]}" "bound"
	[[ "${lines[2]}" == "ro,"* ]]
	[[ "${lines[3]}" == "ro,"* ]]
	[[ "${lines[4]}" == "ro,"* ]]
	run dk run --rm --volumes-from nosuchctr berthd-test/bb:1 true
	assert_failure
	assert_output_contains "invalid --volumes-from: no such container: nosuchctr"
	dk rm -v source1 >/dev/null
	dk volume rm vfvol >/dev/null
	assert_equal "$(ls -A "$BERTHD_DATA/volumes")" ""
}

@test "berthd volumes: the local driver's tmpfs and bind options" {
	dk volume create --opt type=tmpfs --opt device=tmpfs --opt o=size=2m,uid=1000 tv >/dev/null
	dk run --rm -v tv:/data berthd-test/bb:1 sh -c 'echo one >/data/f'
	# One file system for every container that mounts it.
	run dk run --rm -v tv:/data berthd-test/bb:1 sh -c "cat /data/f; $(mnt /data); stat -c %u /data"
	assert_success
	assert_equal "${lines[0]}" "one"
	[[ "${lines[1]}" == *"- tmpfs tmpfs rw,size=2048k"*"uid=1000"* ]]
	assert_equal "${lines[2]}" "1000"
	grep -q " $BERTHD_DATA/volumes/tv/_data " /proc/self/mountinfo
	dk volume rm tv >/dev/null
	if grep -q " $BERTHD_DATA/volumes/tv/_data " /proc/self/mountinfo; then
		fail "the volume's tmpfs is still mounted"
	fi
	mkdir -p "$BERTHD_DIR/dev1"
	echo on-device >"$BERTHD_DIR/dev1/f"
	dk volume create --opt type=none --opt o=bind --opt device="$BERTHD_DIR/dev1" bv >/dev/null
	run dk run --rm -v bv:/data berthd-test/bb:1 cat /data/f
	assert_equal "$output" "on-device"
	dk volume rm bv >/dev/null
	[ -f "$BERTHD_DIR/dev1/f" ]
	run dk volume create --opt type=none --opt o=bind --opt device="$BERTHD_DIR/nodev" bad
	assert_failure
	assert_output_contains "the device of a bind does not exist"
	assert_equal "$(ls -A "$BERTHD_DATA/volumes")" ""
}

@test "berthd volumes: kept across a restart of berthd, counted by system df" {
	dk run --rm -v durable:/data berthd-test/bb:1 sh -c 'head -c 3000 /dev/zero >/data/blob'
	dk create --name holder -v durable:/data berthd-test/bb:1 true >/dev/null
	berthd_stop TERM
	berthd_start
	assert_equal "$(dk volume ls -q)" "durable"
	run dk volume rm durable
	assert_failure
	assert_output_contains "volume is in use"
	run dk system df -v --format '{{json .}}'
	assert_success
	assert_equal "$(echo "$output" | jq -r '.Volumes[] | "\(.Name) \(.Links) \(.Size)"')" "durable 1 3kB"
	dk rm holder >/dev/null
	dk volume rm durable >/dev/null
}
