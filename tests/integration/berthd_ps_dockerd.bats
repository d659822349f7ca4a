#!/usr/bin/env bats
# docker ps against berthd and against a private dockerd, the same steps
# on both: the same containers created in the same order, then each
# listing (order, -n, -l, the filters) must name the same containers on
# both, and what the test expects.  The dockerd runs no container (it
# would make cgroups outside the test's own), so the filters that need a
# run (exited, publish, expose) are tested on berthd alone, in
# berthd_ps.bats.

load berthd_helpers
load berthd_peer

setup_file() {
	berthd_setup_file host-only
	[ -n "${BERTHD_SKIPPED:-}" ] && return 0
	berthd_peer_start berth-ps
	peer import "$BERTHD_DIR/img/rootfs.tar" berthd-test/bb:1 >/dev/null
	peer load -i "$BERTHD_DIR/img/archive.tar" >/dev/null
}

teardown_file() {
	[ -n "${BERTHD_SKIPPED:-}" ] && return 0
	berthd_peer_stop
	berthd_teardown_file
}

setup() { berthd_skip_in_vm; }
teardown() {
	berthd_remove_containers
	peer ps -aq | xargs -r env DOCKER_HOST="unix://$PEER_DIR/docker.sock" "$DOCKER" rm -f >/dev/null 2>&1
	true
}

# on_both ARGS...: the same docker command against berthd and dockerd.
on_both() {
	dk "$@" >/dev/null
	peer "$@" >/dev/null
}

# same EXPECTED PS-ARGS...: docker ps lists EXPECTED (names, newest first,
# on one line) on berthd and on dockerd.
same() {
	local want=$1 ours theirs
	shift
	ours=$(dk ps "$@" --format '{{.Names}}' | tr '\n' ' ' | sed 's/ $//')
	theirs=$(peer ps "$@" --format '{{.Names}}' | tr '\n' ' ' | sed 's/ $//')
	assert_equal "$theirs" "$want"
	assert_equal "$ours" "$theirs"
}

@test "berthd ps as dockerd: newest first, -n and -l, name regular expressions, before and since" {
	local c
	for c in web1 web2 api-web db; do
		on_both create --name "$c" --network none berthd-test/bb:1 true
	done
	same "db api-web web2 web1" -a
	same "db api-web" -n 2
	same "db" -l
	same "" -f name=web
	same "api-web web2 web1" -a -f name=web
	same "web2 web1" -a -f name=^/web
	same "api-web" -a -f 'name=eb$'
	same "db api-web" -a -f name=^/db -f name=^/api
	same "web1" -a -f 'name=^/w.b1'
	same "web1" -a -f name=web1
	same "api-web web2" -a -f before=db -f since=web1
	same "web1" -a -f before=web2
	same "db api-web" -a -f since=web2
	same "" -a -f since=db
}

@test "berthd ps as dockerd: ancestor by name and id prefix, volume by name and destination; no ports on a container that does not run" {
	local two
	# The loaded image has the same id on both (the imported one has
	# not: its config holds the time of the import).
	two=$(dk image inspect -f '{{.Id}}' berthd-test/two:layers)
	assert_equal "$(peer image inspect -f '{{.Id}}' berthd-test/two:layers)" "$two"
	on_both volume create psvol-$$
	on_both create --name a-bb --network none -v psvol-$$:/data berthd-test/bb:1 true
	on_both create --name a-two --network none --expose 8080 berthd-test/two:layers true
	on_both create --name a-plain --network none --expose 53/udp berthd-test/bb:1 true
	same "a-plain a-bb" -a -f ancestor=berthd-test/bb:1
	same "a-two" -a -f ancestor=berthd-test/two:layers
	same "a-two" -a -f ancestor="${two:7:12}"
	same "a-two" -a -f ancestor="$two"
	same "" -a -f ancestor=berthd-test/no-such:1
	same "a-bb" -a -f volume=psvol-$$
	same "a-bb" -a -f volume=/data
	same "" -a -f volume=/nowhere
	# No container that is not running has ports for dockerd: its
	# exposed ones match only while it runs (berthd_ps.bats).
	same "" -a -f expose=8080
	same "" -a -f expose=53/udp
	# Nor does the list show them.
	assert_equal "$(peer ps -a --format '{{.Names}}:{{.Ports}}' | sort)" "a-bb:
a-plain:
a-two:"
	assert_equal "$(dk ps -a --format '{{.Names}}:{{.Ports}}' | sort)" "a-bb:
a-plain:
a-two:"
	# Nor does inspect's NetworkSettings.
	assert_equal "$(peer inspect -f '{{json .NetworkSettings.Ports}}' a-two)" \
		"$(dk inspect -f '{{json .NetworkSettings.Ports}}' a-two)"
	dk rm a-bb a-two a-plain >/dev/null
	peer rm a-bb a-two a-plain >/dev/null
	on_both volume rm psvol-$$
}
