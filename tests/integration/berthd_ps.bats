#!/usr/bin/env bats
# docker ps through berthd as docker users expect it: newest first (also
# after a restart of berthd, so -l and -n give the latest), the filters
# dockerd has (name as a regular expression, exited, before, since,
# ancestor, volume, network, publish, expose) with what each keeps and
# leaves out, clear errors for bad values, and ps -s with the bytes of
# the writable layer and of the whole root.

load berthd_helpers
berthd_file_hooks

api() {
	curl -sS --unix-socket "$BERTHD_SOCK" "$@"
}

# The names docker ps lists (its flags follow), on one line.
names() {
	dk ps "$@" --format '{{.Names}}' | tr '\n' ' ' | sed 's/ $//'
}

# A failed docker ps left no container behind (nor took one away).
assert_same_containers() {
	assert_equal "$(dk ps -aq --no-trunc | sort)" "$1"
}

@test "berthd ps: newest first, -l and -n give the latest whatever their state, and so after a restart of berthd" {
	dk create --name po1 berthd-test/bb:1 true >/dev/null
	dk create --name po2 berthd-test/bb:1 true >/dev/null
	dk run -d --name po3 berthd-test/bb:1 sleep 1000 >/dev/null
	dk create --name po4 berthd-test/bb:1 true >/dev/null
	local round
	for round in before-restart after-restart; do
		assert_equal "$(names -a)" "po4 po3 po2 po1"
		# Without -a only the running one; -l and -n take the latest,
		# stopped or not, as dockerd's limit does.
		assert_equal "$(names)" "po3"
		assert_equal "$(names -l)" "po4"
		assert_equal "$(names -n 2)" "po4 po3"
		assert_equal "$(names -a -n 3)" "po4 po3 po2"
		# Created, as the API sends it, descends.
		run api 'http://berthd/containers/json?all=1'
		assert_equal "$(jq -c '[.[].Created] == ([.[].Created] | sort | reverse)' <<<"$output")" true
		assert_equal "$(jq -r '.[0].Names[0]' <<<"$output")" /po4
		[ "$round" = after-restart ] && break
		# Records are loaded in the data root's directory order: the
		# order must not come from it.
		berthd_stop TERM
		berthd_start
	done
	assert_equal "$(dk inspect -f '{{.State.Status}}' po3)" running
}

@test "berthd ps: name= is a regular expression over the name with its slash; a bad one is an error naming it" {
	local c
	for c in web1 web2 api-web db; do
		dk create --name "$c" berthd-test/bb:1 true >/dev/null
	done
	local before
	before=$(dk ps -aq --no-trunc | sort)
	assert_equal "$(names -a -f name=web)" "api-web web2 web1"
	assert_equal "$(names -a -f name=^/web)" "web2 web1"
	assert_equal "$(names -a -f 'name=^web[0-9]$')" "web2 web1"
	assert_equal "$(names -a -f 'name=eb$')" "api-web"
	# Two values: either matches.
	assert_equal "$(names -a -f name=^/db -f name=^/api)" "db api-web"
	assert_equal "$(names -a -f name=nothing-like-it)" ""
	# A substring that is not a match of the expression: "w.b" is one,
	# "web." needs a character after web.
	assert_equal "$(names -a -f 'name=^/w.b1')" "web1"
	assert_equal "$(names -a -f 'name=^/api-web.')" ""
	assert_equal "$(names -a -f 'name=^/web[0-9]{1,3}$')" "web2 web1"
	run dk ps -a -f 'name=web[' --format '{{.Names}}'
	assert_failure
	assert_output_contains "invalid filter 'name=web['"
	# What would make the expression's cost explode is refused, as
	# Go's regexp refuses it: back-references, repetitions past 1000.
	run dk ps -a -f 'name=(w)\1' --format '{{.Names}}'
	assert_failure
	assert_output_contains "back-references are not supported"
	run dk ps -a -f 'name=((w{1,100}){1,100})' --format '{{.Names}}'
	assert_failure
	assert_output_contains "repetition counts above 1000"
	run dk ps -a -f 'name=w{1001}' --format '{{.Names}}'
	assert_failure
	assert_output_contains "repetition counts above 1000"
	assert_same_containers "$before"
}

@test "berthd ps: exited= keeps containers that ran and exited with that code, only with -a" {
	dk run --name e0 berthd-test/bb:1 true
	run dk run --name e3 berthd-test/bb:1 sh -c 'exit 3'
	assert_equal "$status" 3
	dk create --name never berthd-test/bb:1 true >/dev/null
	dk run -d --name up berthd-test/bb:1 sleep 1000 >/dev/null
	assert_equal "$(dk inspect -f '{{.State.ExitCode}}' e3)" 3
	assert_equal "$(names -a -f exited=0)" "e0"
	assert_equal "$(names -a -f exited=3)" "e3"
	assert_equal "$(names -a -f exited=0 -f exited=3)" "e3 e0"
	assert_equal "$(names -a -f exited=1)" ""
	# Running containers have no exit code: without -a nothing is left.
	assert_equal "$(names -f exited=0)" ""
	# With another filter, both must hold.
	assert_equal "$(names -a -f exited=0 -f name=^/e3)" ""
	local before
	before=$(dk ps -aq --no-trunc | sort)
	run dk ps -a -f exited=three
	assert_failure
	assert_output_contains "invalid filter 'exited=three'"
	assert_same_containers "$before"
}

@test "berthd ps: before= and since= a container by name or id; an unknown one is an error" {
	local c
	for c in s1 s2 s3 s4; do
		dk create --name "$c" berthd-test/bb:1 true >/dev/null
	done
	assert_equal "$(names -a -f before=s3)" "s2 s1"
	assert_equal "$(names -a -f since=s2)" "s4 s3"
	assert_equal "$(names -a -f since=s1 -f before=s4)" "s3 s2"
	assert_equal "$(names -a -f before=s1)" ""
	assert_equal "$(names -a -f since=s4)" ""
	# By id, whole or a prefix, and by name with its slash.
	assert_equal "$(names -a -f before="$(dk inspect -f '{{.Id}}' s3)")" "s2 s1"
	assert_equal "$(names -a -f since="$(dk inspect -f '{{.Id}}' s2 | cut -c1-12)")" "s4 s3"
	assert_equal "$(names -a -f before=/s2)" "s1"
	local before
	before=$(dk ps -aq --no-trunc | sort)
	run dk ps -a -f before=no-such-container
	assert_failure
	assert_output_contains "No such container: no-such-container"
	assert_same_containers "$before"
}

@test "berthd ps: ancestor= an image by name, id or its prefix, and the images built on it" {
	local dir=$BERTHD_DIR/ps-ctx
	mkdir -p "$dir"
	printf 'FROM berthd-test/bb:1\nLABEL ps=child\n' >"$dir/Dockerfile"
	DOCKER_BUILDKIT=0 dk build -q -t berthd-test/ps-child:1 "$dir" >/dev/null
	# The child's chain of parents holds bb:1.
	local base child
	base=$(dk image inspect -f '{{.Id}}' berthd-test/bb:1)
	child=$(dk image inspect -f '{{.Id}}' berthd-test/ps-child:1)
	[ "$base" != "$child" ]
	dk create --name a-base berthd-test/bb:1 true >/dev/null
	dk create --name a-other berthd-test/two:layers true >/dev/null
	dk create --name a-child berthd-test/ps-child:1 true >/dev/null
	assert_equal "$(names -a -f ancestor=berthd-test/bb:1)" "a-child a-base"
	assert_equal "$(names -a -f ancestor="$base")" "a-child a-base"
	assert_equal "$(names -a -f ancestor="$(cut -c8-19 <<<"$base")")" "a-child a-base"
	assert_equal "$(names -a -f ancestor=berthd-test/ps-child:1)" "a-child"
	assert_equal "$(names -a -f ancestor=berthd-test/two:layers)" "a-other"
	assert_equal "$(names -a -f ancestor=berthd-test/two:layers -f ancestor=berthd-test/ps-child:1)" \
		"a-child a-other"
	# An image berthd does not have matches nothing (dockerd's answer).
	assert_equal "$(names -a -f ancestor=berthd-test/no-such:1)" ""
	dk rm a-base a-other a-child >/dev/null
	dk rmi berthd-test/ps-child:1 >/dev/null
}

@test "berthd ps: volume= a volume's name, a bind's source or a mount's destination; network= a network's name or id" {
	local vol=psvol-$$ net=psnet-$$ netid
	dk volume create "$vol" >/dev/null
	mkdir -p "$BERTHD_DIR/ps-bind"
	dk network create "$net" >/dev/null
	netid=$(dk network inspect -f '{{.Id}}' "$net")
	dk create --name v-vol -v "$vol:/data" berthd-test/bb:1 true >/dev/null
	dk create --name v-bind -v "$BERTHD_DIR/ps-bind:/srv" berthd-test/bb:1 true >/dev/null
	dk create --name n-user --network "$net" berthd-test/bb:1 true >/dev/null
	dk create --name n-none --network none berthd-test/bb:1 true >/dev/null
	assert_equal "$(names -a -f volume="$vol")" "v-vol"
	assert_equal "$(names -a -f volume=/data)" "v-vol"
	assert_equal "$(names -a -f volume=/srv)" "v-bind"
	assert_equal "$(names -a -f volume="$BERTHD_DIR/ps-bind")" "v-bind"
	assert_equal "$(names -a -f volume=/data -f volume=/srv)" "v-bind v-vol"
	assert_equal "$(names -a -f volume=no-such-volume)" ""
	assert_equal "$(names -a -f network="$net")" "n-user"
	assert_equal "$(names -a -f network="$netid")" "n-user"
	assert_equal "$(names -a -f network="${netid:0:12}")" "n-user"
	assert_equal "$(names -a -f network=none)" "n-none"
	assert_equal "$(names -a -f network=bridge)" "v-bind v-vol"
	assert_equal "$(names -a -f network=no-such-network)" ""
	dk rm v-vol v-bind n-user n-none >/dev/null
	dk network rm "$net" >/dev/null
	dk volume rm "$vol" >/dev/null
}

@test "berthd ps: publish= a published host port, expose= a container port, each PORT[/PROTO] or a range, of running containers" {
	local hostport
	dk run -d --name p-pub -p 80 berthd-test/bb:1 sleep 1000 >/dev/null
	hostport=$(dk port p-pub 80/tcp | head -1 | sed 's/.*://')
	[ -n "$hostport" ]
	[ "$hostport" != 80 ]
	dk run -d --name p-exp --expose 8080 berthd-test/bb:1 sleep 1000 >/dev/null
	dk run -d --name p-udp --expose 53/udp berthd-test/bb:1 sleep 1000 >/dev/null
	dk run -d --name p-none berthd-test/bb:1 sleep 1000 >/dev/null
	# Only a running container has ports, as with dockerd.
	dk create --name p-created --expose 8081 berthd-test/bb:1 true >/dev/null
	assert_equal "$(names -a -f publish="$hostport")" "p-pub"
	assert_equal "$(names -a -f publish="$hostport/tcp")" "p-pub"
	assert_equal "$(names -a -f publish="$hostport/udp")" ""
	# The container side is not what publish= looks at.
	assert_equal "$(names -a -f publish=80)" ""
	assert_equal "$(names -a -f expose=80)" "p-pub"
	assert_equal "$(names -a -f expose=8080/tcp)" "p-exp"
	assert_equal "$(names -a -f expose=8000-8100)" "p-exp"
	assert_equal "$(names -a -f expose=53/udp)" "p-udp"
	assert_equal "$(names -a -f expose=53)" ""
	assert_equal "$(names -a -f expose=79-8080)" "p-exp p-pub"
	assert_equal "$(names -a -f expose=8081)" ""
	dk stop -t 1 p-exp >/dev/null
	assert_equal "$(names -a -f expose=8080)" ""
	local before
	before=$(dk ps -aq --no-trunc | sort)
	run dk ps -a -f publish=8080:80
	assert_failure
	assert_output_contains "filter for 'publish' should not contain ':': 8080:80"
	run dk ps -a -f expose=90-80
	assert_failure
	assert_output_contains "expose 90-80"
	run dk ps -a -f expose=eighty
	assert_failure
	assert_output_contains "expose eighty"
	assert_same_containers "$before"
}

# NAME PORT,PORT..., one line per container of ps -a, the ports sorted
# (the CLI keeps the API's order, which dockerd's is not).
ports_column() {
	local name ports
	dk ps -a --format '{{.Names}} {{.Ports}}' | while read -r name ports; do
		echo "$name $(echo "$ports" | sed 's/, /\n/g' | sort | paste -sd, -)"
	done | sort
}

@test "berthd ps: a container's ports are listed while it runs or is paused, not once stopped or before its start, as dockerd" {
	local hostport
	dk run -d --name pc-run -p 80 --expose 8080 berthd-test/bb:1 sleep 1000 >/dev/null
	hostport=$(dk port pc-run 80/tcp | head -1 | sed 's/.*://')
	[ -n "$hostport" ] || fail "no host port for 80/tcp"
	dk create --name pc-created -p 81 --expose 8081 berthd-test/bb:1 true >/dev/null
	assert_equal "$(ports_column)" "pc-created 
pc-run 0.0.0.0:$hostport->80/tcp,8080/tcp"
	dk pause pc-run >/dev/null
	assert_equal "$(ports_column | grep pc-run)" "pc-run 0.0.0.0:$hostport->80/tcp,8080/tcp"
	dk unpause pc-run >/dev/null
	dk stop -t 1 pc-run >/dev/null
	assert_equal "$(ports_column)" "pc-created 
pc-run "
	# The API's list itself has none, not only the CLI's column.
	assert_equal "$(api 'http://x/containers/json?all=1' | jq -c '[.[] | {n: .Names[0], p: .Ports}] | sort_by(.n)')" \
		'[{"n":"/pc-created","p":[]},{"n":"/pc-run","p":[]}]'
}

@test "berthd ps: is-task is refused (no swarm), an unknown filter by name; nothing is left behind" {
	dk create --name t1 berthd-test/bb:1 true >/dev/null
	local before
	before=$(dk ps -aq --no-trunc | sort)
	run dk ps -a -f is-task=true
	assert_failure
	assert_output_contains "is-task"
	assert_output_contains "swarm"
	run dk ps -a -f nonsense=1
	assert_failure
	assert_output_contains "invalid filter 'nonsense'"
	# Through the API: the status of each kind.
	run curl -sS -o /dev/null -w '%{http_code}' --unix-socket "$BERTHD_SOCK" \
		'http://berthd/containers/json?filters=%7B%22is-task%22%3A%5B%22true%22%5D%7D'
	assert_equal "$output" 501
	run curl -sS -o /dev/null -w '%{http_code}' --unix-socket "$BERTHD_SOCK" \
		'http://berthd/containers/json?filters=%7B%22name%22%3A%5B%22%28%22%5D%7D'
	assert_equal "$output" 400
	run curl -sS -o /dev/null -w '%{http_code}' --unix-socket "$BERTHD_SOCK" \
		'http://berthd/containers/json?filters=%7B%22since%22%3A%5B%22nope%22%5D%7D'
	assert_equal "$output" 404
	assert_same_containers "$before"
}

@test "berthd ps -s: SizeRw is the writable layer's bytes, SizeRootFs adds the image's; the default listing has neither" {
	dk run --name sz-big berthd-test/bb:1 dd if=/dev/zero of=/big bs=1024 count=1024 2>/dev/null
	dk create --name sz-none berthd-test/bb:1 true >/dev/null
	local upper img rw rootfs expect
	upper=$(dk inspect -f '{{.GraphDriver.Data.UpperDir}}' sz-big)
	[ "$(stat -c %s "$upper/big")" = 1048576 ]
	expect=$(find "$upper" -xdev ! -type d -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
	img=$(dk image inspect -f '{{.Size}}' berthd-test/bb:1)
	run api 'http://berthd/containers/json?all=1&size=1'
	rw=$(jq '.[] | select(.Names[0] == "/sz-big") | .SizeRw' <<<"$output")
	rootfs=$(jq '.[] | select(.Names[0] == "/sz-big") | .SizeRootFs' <<<"$output")
	[ "$rw" -ge 1048576 ]
	assert_equal "$rw" "$expect"
	assert_equal "$rootfs" "$((rw + img))"
	[ "$rootfs" -gt "$rw" ]
	# One that wrote nothing: under a page, its image all the same.
	rw=$(jq '.[] | select(.Names[0] == "/sz-none") | .SizeRw' <<<"$output")
	[ "$rw" -lt 4096 ]
	assert_equal "$(jq '.[] | select(.Names[0] == "/sz-none") | .SizeRootFs' <<<"$output")" "$((rw + img))"
	# Without size=1 no size is sent.
	run api 'http://berthd/containers/json?all=1'
	assert_equal "$(jq -c '[.[] | has("SizeRw") or has("SizeRootFs")] | unique' <<<"$output")" '[false]'
	# The CLI shows both.
	run dk ps -a -s --filter name=^/sz-big$ --format '{{.Size}}'
	assert_success
	assert_output_contains "1.05MB (virtual "
}
