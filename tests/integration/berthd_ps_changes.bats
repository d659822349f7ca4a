#!/usr/bin/env bats
# docker ps after a change: berthd keeps each container's entry written
# and copies it into a listing until the container changes, so every
# change (rename, pause, unpause, network connect and disconnect, stop,
# start, remove) must show in the very next listing, with no wait, agree
# with what the container really is (its process, its freezer, the
# interfaces it sees), and equal a listing written anew (size=1 writes
# every entry again).

load berthd_helpers
berthd_file_hooks

teardown() {
	berthd_remove_containers
	dk network rm "pcnet-$$" "pcodd-$$" >/dev/null 2>&1 || true
}

# The next listing, all containers, into $LISTED.
listed() {
	LISTED=$(curl -sS --unix-socket "$BERTHD_SOCK" 'http://berthd/containers/json?all=1')
}

# A value of container $1's entry in $LISTED (jq path $2).
field() {
	jq -r --arg n "/$1" ".[] | select(.Names[0] == \$n) | $2" <<<"$LISTED"
}

# $LISTED equals a listing written anew but for Status, which moves with
# the clock between the two (checked on its own at each step).
assert_fresh() {
	local fresh
	fresh=$(curl -sS --unix-socket "$BERTHD_SOCK" 'http://berthd/containers/json?all=1&size=1')
	assert_equal "$(jq -c 'map(del(.Status))' <<<"$LISTED")" \
		"$(jq -c 'map(del(.Status, .SizeRw, .SizeRootFs))' <<<"$fresh")"
}

# The IPv4 address container $1 sees on interface $2.
addr_inside() {
	dk exec "$1" ip -o -4 addr show "$2" | grep -o 'inet [0-9.]*' | cut -d' ' -f2
}

# For wait_for: container $1 has no address on the default network.
no_address() {
	[ -z "$(dk inspect -f '{{.NetworkSettings.Networks.bridge.IPAddress}}' "$1")" ]
}

# The freezer's word on a process: FROZEN or THAWED (v1), 1 or 0 (v2).
frozen() {
	local dir
	if [ -e /sys/fs/cgroup/freezer ]; then
		dir=$(awk -F: '$2 == "freezer" {print $3}' "/proc/$1/cgroup")
		cat "/sys/fs/cgroup/freezer$dir/freezer.state"
	else
		dir=$(awk -F: '$1 == "0" {print $3}' "/proc/$1/cgroup")
		cat "/sys/fs/cgroup$dir/cgroup.freeze"
	fi
}

@test "berthd ps: rename, pause, unpause, network connect and disconnect, stop, start and remove each show in the next listing" {
	local net=pcnet-$$ pid ip ip2 code idle
	dk network create "$net" >/dev/null
	dk run -d --name pc-a berthd-test/bb:1 sleep 1000 >/dev/null
	# A neighbour that never changes: its entry stays what it was.
	dk create --name pc-idle --network none berthd-test/bb:1 true >/dev/null
	pid=$(dk inspect -f '{{.State.Pid}}' pc-a)
	ip=$(addr_inside pc-a eth0)
	[ -n "$ip" ]
	listed
	idle=$(field pc-idle 'del(.Status)' | jq -c .)
	assert_equal "$(field pc-a .State)" running
	assert_equal "$(field pc-a .NetworkSettings.Networks.bridge.IPAddress)" "$ip"
	assert_fresh

	dk rename pc-a pc-b
	listed
	assert_equal "$(jq -r '[.[].Names[0]] | join(" ")' <<<"$LISTED")" "/pc-idle /pc-b"
	assert_equal "$(field pc-b .NetworkSettings.Networks.bridge.IPAddress)" "$ip"
	assert_equal "$(dk ps --format '{{.Names}}')" pc-b
	assert_fresh

	dk pause pc-b
	listed
	[[ "$(frozen "$pid")" =~ ^(FROZEN|1)$ ]]
	assert_equal "$(field pc-b .State)" paused
	[[ "$(field pc-b .Status)" =~ ^Up\ .*\ \(Paused\)$ ]] || fail "status: $(field pc-b .Status)"
	assert_fresh
	dk unpause pc-b
	listed
	[[ "$(frozen "$pid")" =~ ^(THAWED|0)$ ]]
	assert_equal "$(field pc-b .State)" running
	[[ "$(field pc-b .Status)" =~ ^Up\ [^\(]*$ ]] || fail "status: $(field pc-b .Status)"
	assert_fresh

	dk network connect "$net" pc-b
	listed
	ip2=$(addr_inside pc-b eth1)
	[ -n "$ip2" ] || fail "no address on eth1"
	[ "$ip2" != "$ip" ] || fail "eth1 has eth0's address $ip"
	assert_equal "$(field pc-b '.NetworkSettings.Networks | keys | join(" ")')" "bridge $net"
	assert_equal "$(field pc-b ".NetworkSettings.Networks[\"$net\"].IPAddress")" "$ip2"
	assert_fresh
	dk network disconnect "$net" pc-b
	listed
	run dk exec pc-b ls /sys/class/net
	assert_equal "$(echo $output)" "eth0 lo"
	assert_equal "$(field pc-b '.NetworkSettings.Networks | keys | join(" ")')" bridge
	assert_equal "$(field pc-b .NetworkSettings.Networks.bridge.IPAddress)" "$ip"
	assert_fresh

	dk stop -t 1 pc-b >/dev/null
	listed
	if kill -0 "$pid" 2>/dev/null; then
		fail "its process $pid still runs"
	fi
	code=$(dk inspect -f '{{.State.ExitCode}}' pc-b)
	assert_equal "$(field pc-b .State)" exited
	[[ "$(field pc-b .Status)" =~ ^Exited\ \($code\)\  ]] || fail "status: $(field pc-b .Status)"
	assert_equal "$(dk ps --format '{{.Names}}')" ""
	# berthd detaches an exited container's network just after the exit,
	# in its supervisor, outside any request: that too shows at once.
	wait_for no_address pc-b
	listed
	assert_equal "$(field pc-b .NetworkSettings.Networks.bridge.IPAddress)" ""
	assert_equal "$(field pc-b .NetworkSettings.Networks.bridge.EndpointID)" ""
	assert_fresh

	dk start pc-b >/dev/null
	listed
	pid=$(dk inspect -f '{{.State.Pid}}' pc-b)
	kill -0 "$pid"
	ip=$(addr_inside pc-b eth0)
	[ -n "$ip" ]
	assert_equal "$(field pc-b .State)" running
	[[ "$(field pc-b .Status)" =~ ^Up\  ]] || fail "status: $(field pc-b .Status)"
	assert_equal "$(field pc-b .NetworkSettings.Networks.bridge.IPAddress)" "$ip"
	assert_equal "$(dk ps --format '{{.Names}}')" pc-b
	assert_fresh

	dk rm -f pc-b >/dev/null
	listed
	assert_equal "$(jq -r '[.[].Names[0]] | join(" ")' <<<"$LISTED")" /pc-idle
	assert_equal "$(field pc-idle 'del(.Status)' | jq -c .)" "$idle"
	assert_fresh
	dk rm pc-idle >/dev/null
	dk network rm "$net" >/dev/null
}

@test "berthd ps: labels, commands and aliases that look like the entry's own keys are listed as written anew" {
	local net=pcodd-$$
	dk network create "$net" >/dev/null
	dk run -d --name pc-odd --label 'Status=' --label 'x=","HostConfig":{' --network "$net" \
		--network-alias 'a","HostConfig":{' berthd-test/bb:1 sh -c 'sleep 1000 # "Status":"",' >/dev/null
	listed
	assert_equal "$(field pc-odd '.Labels.Status')" ""
	assert_equal "$(field pc-odd '.Labels.x')" '","HostConfig":{'
	assert_equal "$(field pc-odd .Command)" "sh -c 'sleep 1000 # \"Status\":\"\",'"
	[[ "$(field pc-odd .Status)" =~ ^Up\  ]] || fail "status: $(field pc-odd .Status)"
	assert_equal "$(field pc-odd .HostConfig.NetworkMode)" "$net"
	assert_equal "$(field pc-odd ".NetworkSettings.Networks[\"$net\"].Aliases[0]")" 'a","HostConfig":{'
	assert_fresh
	# Listed again: the kept entry, the same.
	local first=$LISTED
	listed
	assert_equal "$(jq -c 'map(del(.Status))' <<<"$LISTED")" "$(jq -c 'map(del(.Status))' <<<"$first")"
	dk rm -f pc-odd >/dev/null
	dk network rm "$net" >/dev/null
}
