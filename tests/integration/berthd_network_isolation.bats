#!/usr/bin/env bats
# Isolation between berthd's bridge networks, as dockerd has it between
# its bridges: what one network (the default one or a user network)
# forwards to another is dropped, both ways; within a network, to the
# host's address of its bridge and to the outside traffic goes, and
# published ports reach their containers from the host and from outside.
# An --internal network forwards nothing out at all.
#
# "Outside" is a network namespace of this file's own, joined to the host
# by a veth pair with addresses of the benchmarking range (198.18.0.0/15):
# what goes there is forwarded by the host as traffic to another machine
# would be, and nothing leaves the host.  The parity test runs the same
# steps against a dockerd in a network namespace of its own (its bridges
# and iptables rules stay there).
#
# busybox's static wget crashes on this host (see berthd_network.bats):
# nc speaks the HTTP.

bats_require_minimum_version 1.5.0
load berthd_helpers
load berthd_peer

setup_file() { berthd_setup_file host-only; }
setup() { berthd_skip_in_vm; }
teardown() {
	berthd_remove_containers
	dk network prune -f >/dev/null 2>&1
	outside_remove
	peer_in_netns_stop || true
	true
}
teardown_file() {
	[ -n "${BERTHD_SKIPPED:-}" ] && return 0
	berthd_teardown_file
}

# --- probes, the same for berthd and dockerd -----------------------------------
# $1 is the client: dk (berthd) or peer (dockerd).

# The address and gateway of container $2 on network $3.
addr_on() {
	"$1" inspect -f "{{(index .NetworkSettings.Networks \"$3\").IPAddress}}" "$2"
}
gateway_on() {
	"$1" inspect -f "{{(index .NetworkSettings.Networks \"$3\").Gateway}}" "$2"
}

# What container $2 sees when it pings $3 once: "received N", else
# ping's last word ("ping: sendto: Network is unreachable").
ping_from() {
	local out n
	out=$("$1" exec "$2" ping -c 1 -W 1 "$3" 2>&1)
	n=$(echo "$out" | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
	if [ -n "$n" ]; then
		echo "received $n"
	else
		echo "$out" | tail -1
	fi
}

# The body container $2 gets from http://$3:${4:-80}/, or what nc says
# ("nc: timed out": dropped on the way; "none": nothing at all).
http_from() {
	local out
	out=$("$1" exec "$2" sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 2 $3 ${4:-80} | tail -1" 2>&1)
	echo "${out:-none}"
}

# The same, retried while the server starts (for what must answer).
http_from_retried() {
	local i out
	for i in $(seq 20); do
		out=$(http_from "$@")
		[[ "$out" == served-by-* ]] && break
		sleep 0.2
	done
	echo "$out"
}

# A container $2 on network $3 serving "served-by-$2" on port 80;
# more run options follow.
serve() {
	local cli=$1 name=$2 net=$3
	shift 3
	"$cli" run -d --name "$name" --network "$net" "$@" berthd-test/bb:1 \
		sh -c "mkdir -p /www && echo served-by-$name >/www/index.html && exec httpd -f -p 80 -h /www" >/dev/null
}

# What container $2 sends reaches a listener on the host's address $3,
# run by $1 ("" on the host, or a command that enters the dockerd's
# namespace): the line received, "none" when nothing came.
to_host_from() {
	local wrap=$1 name=$2 gw=$3 cli=$4 port got=$BATS_TEST_TMPDIR/got.$RANDOM
	port=$((30000 + RANDOM % 5000))
	$wrap timeout 6 socat -u "TCP-LISTEN:$port,bind=$gw,reuseaddr" "OPEN:$got,creat" &
	local listener=$!
	"$cli" exec "$name" sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do echo from-$name | nc -w 1 $gw $port && exit 0; sleep 0.2; done; exit 1" >/dev/null 2>&1
	wait "$listener"
	cat "$got" 2>/dev/null | grep . || echo none
}

# The steps of the parity test: networks isoa and isob, a1 and a2 on isoa
# (a1 publishing port 80 as $3), b1 on isob, d1 on the default network;
# one line per probe, "FROM -> TO WHAT: RESULT".
isolation_steps() {
	local cli=$1 wrap=$2 port=$3 a1 a2 b1 d1 gwb gwa
	"$cli" network create isoa >/dev/null
	"$cli" network create isob >/dev/null
	serve "$cli" a1 isoa -p "$port:80"
	"$cli" run -d --name a2 --network isoa berthd-test/bb:1 sleep 100 >/dev/null
	"$cli" run -d --name b1 --network isob berthd-test/bb:1 sleep 100 >/dev/null
	serve "$cli" d1 bridge
	a1=$(addr_on "$cli" a1 isoa)
	b1=$(addr_on "$cli" b1 isob)
	d1=$(addr_on "$cli" d1 bridge)
	gwa=$(gateway_on "$cli" a1 isoa)
	gwb=$(gateway_on "$cli" b1 isob)
	# What must work first: the servers answer (a refusal further down is
	# then the network's, not a server not up yet).
	echo "a2 -> a1 http: $(http_from_retried "$cli" a2 "$a1")"
	echo "a2 -> a1 ping: $(ping_from "$cli" a2 "$a1")"
	echo "a2 -> d1 http: $(http_from_retried "$cli" a2 "$d1")"
	echo "b1 -> a1 http: $(http_from "$cli" b1 "$a1")"
	echo "b1 -> a1 ping: $(ping_from "$cli" b1 "$a1")"
	echo "a1 -> b1 ping: $(ping_from "$cli" a1 "$b1")"
	echo "a2 -> d1 ping: $(ping_from "$cli" a2 "$d1")"
	echo "d1 -> a1 http: $(http_from "$cli" d1 "$a1")"
	echo "d1 -> a1 ping: $(ping_from "$cli" d1 "$a1")"
	echo "a2 -> a1's published port on its own gateway: $(http_from_retried "$cli" a2 "$gwa" "$port")"
	echo "b1 -> own gateway tcp: $(to_host_from "$wrap" b1 "$gwb" "$cli")"
	echo "b1 -> isoa's gateway tcp: $(to_host_from "$wrap" b1 "$gwa" "$cli")"
	echo "b1 -> a1's published port on its own gateway: $(http_from "$cli" b1 "$gwb" "$port")"
}

# What both daemons answer (dockerd 20.10, measured).
expected_steps() {
	cat <<-EOF
	a2 -> a1 http: served-by-a1
	a2 -> a1 ping: received 1
	a2 -> d1 http: nc: timed out
	b1 -> a1 http: nc: timed out
	b1 -> a1 ping: received 0
	a1 -> b1 ping: received 0
	a2 -> d1 ping: received 0
	d1 -> a1 http: nc: timed out
	d1 -> a1 ping: received 0
	a2 -> a1's published port on its own gateway: served-by-a1
	b1 -> own gateway tcp: from-b1
	b1 -> isoa's gateway tcp: from-b1
	b1 -> a1's published port on its own gateway: nc: timed out
	EOF
}

# The packets rule "-o BRIDGE -j DROP" of the isolation's second stage
# dropped.
drops_to() {
	iptables -w -nvx -L BERTH-ISOLATION-STAGE-2 | awk -v br="$1" '$3 == "DROP" && $7 == br { print $1 }'
}

bridge_of() {
	echo "br-$(dk network inspect -f '{{.Id}}' "$1" | cut -c1-12)"
}

# --- the outside -----------------------------------------------------------------
# A namespace "beyond the host": OUT_NS, reached at OUT_ADDR through the
# host's end HOST_ADDR of a veth pair.

outside_make() {
	local n
	OUT_NS=biso$$
	for n in $(seq 20); do
		n=$((RANDOM % 256))
		ip -o addr show | grep -qF " 198.18.$n." || break
	done
	HOST_ADDR=198.18.$n.1
	OUT_ADDR=198.18.$n.2
	ip netns add "$OUT_NS"
	ip link add "bisoh$$" type veth peer name "bisoo$$"
	ip link set "bisoo$$" netns "$OUT_NS"
	ip addr add "$HOST_ADDR/30" dev "bisoh$$"
	ip link set "bisoh$$" up
	ip -n "$OUT_NS" addr add "$OUT_ADDR/30" dev "bisoo$$"
	ip -n "$OUT_NS" link set "bisoo$$" up
	ip -n "$OUT_NS" link set lo up
	# As another machine whose way to the containers' subnets is the host.
	ip -n "$OUT_NS" route add default via "$HOST_ADDR"
}

outside_remove() {
	ip link del "bisoh$$" 2>/dev/null
	ip netns del "biso$$" 2>/dev/null
	true
}

outside() { nsenter --net="/run/netns/$OUT_NS" "$@"; }

# What container $1 sends to the outside's port: "PEER-ADDRESS LINE" as
# the outside saw it, "none" when nothing came.
to_outside_from() {
	local port=$((30000 + RANDOM % 5000)) got=$BATS_TEST_TMPDIR/out.$RANDOM
	outside timeout 6 socat "TCP-LISTEN:$port,reuseaddr" \
		"SYSTEM:echo \$SOCAT_PEERADDR \$(head -1) >$got" &
	local listener=$!
	dk exec "$1" sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do echo from-$1 | nc -w 1 $OUT_ADDR $port && exit 0; sleep 0.2; done; exit 1" >/dev/null 2>&1
	wait "$listener"
	cat "$got" 2>/dev/null | grep . || echo none
}

# --- tests -----------------------------------------------------------------------

@test "berthd network isolation: across networks (user and default) nothing passes, both ways; within one, to the host's bridge addresses it does" {
	local port bra brb out
	port=$((20000 + RANDOM % 10000))
	out=$(isolation_steps dk "" "$port")
	assert_equal "$out" "$(expected_steps)"
	bra=$(bridge_of isoa)
	brb=$(bridge_of isob)
	# Dropped by the isolation's rules (not lost some other way): their
	# counters went up for the bridges the probes went out by.
	[ "$(drops_to "$bra")" -gt 0 ] || fail "no drop counted to $bra: $(iptables -nvx -L BERTH-ISOLATION-STAGE-2)"
	[ "$(drops_to "$brb")" -gt 0 ] || fail "no drop counted to $brb"
	[ "$(drops_to "$BERTHD_BRIDGE")" -gt 0 ] || fail "no drop counted to $BERTHD_BRIDGE"
	# The published port still reaches a1 from the host.
	run curl -sf --max-time 3 "http://127.0.0.1:$port/"
	assert_success
	assert_equal "$output" "served-by-a1"
}

@test "berthd network isolation: to the outside and from it (a published port) traffic goes; an --internal network forwards nothing out, nor to other networks" {
	local port out a1 i1
	outside_make
	port=$((20000 + RANDOM % 10000))
	dk network create isoa >/dev/null
	dk network create --internal isoi >/dev/null
	serve dk a1 isoa -p "$port:80"
	dk run -d --name a2 --network isoa berthd-test/bb:1 sleep 100 >/dev/null
	serve dk i1 isoi
	dk run -d --name i2 --network isoi --cap-add NET_ADMIN berthd-test/bb:1 sleep 100 >/dev/null
	a1=$(addr_on dk a1 isoa)
	i1=$(addr_on dk i1 isoi)
	assert_equal "$(http_from_retried dk a2 "$a1")" "served-by-a1"
	assert_equal "$(http_from_retried dk i2 "$i1")" "served-by-i1"
	# Out: forwarded to the outside, NATed to the host's address there.
	assert_equal "$(to_outside_from a2)" "$HOST_ADDR from-a2"
	# In: the outside reaches a1's published port through the host.
	out=""
	for _ in $(seq 10); do
		out=$(outside curl -sf --max-time 2 "http://$HOST_ADDR:$port/") && break
		sleep 0.2
	done
	assert_equal "$out" "served-by-a1"
	# The internal network: within it yes.  Out, no: the host has no
	# address on its bridge, so its containers have no default route (and
	# nothing must probe its subnet from outside it now: the host does not
	# route it, its default route would carry the probe off the machine).
	assert_equal "$(ping_from dk i2 "$i1")" "received 1"
	assert_equal "$(ping_from dk i2 "$a1")" "ping: sendto: Network is unreachable"
	# Were the bridge routed (its gateway's address on it, a default
	# route in i2), the network's rules alone keep it in: nothing leaves
	# for the outside or another network, nothing comes in from them.
	# (The subnet's first address, which host-local keeps for a gateway.)
	local bri subi gwi plen
	bri=$(bridge_of isoi)
	subi=$(dk network inspect -f '{{(index .IPAM.Config 0).Subnet}}' isoi)
	gwi=$(echo "${subi%/*}" | sed 's/\.0$/.1/')
	plen=${subi#*/}
	assert_equal "$(ip -o addr show dev "$bri" | grep -c ' inet ')" 0
	ip addr add "$gwi/$plen" dev "$bri"
	dk exec i2 ip route add default via "$gwi"
	assert_equal "$(ping_from dk i2 "$gwi")" "received 1"
	assert_equal "$(to_outside_from i2)" "none"
	assert_equal "$(ping_from dk i2 "$a1")" "received 0"
	assert_equal "$(ping_from dk a2 "$i1")" "received 0"
	assert_equal "$(http_from dk a2 "$i1")" "nc: timed out"
	run outside busybox ping -c 1 -W 1 "$i1"
	assert_output_contains " 0 packets received"
	local out_drops in_drops
	out_drops=$(iptables -w -nvx -L BERTH-FORWARD | awk -v br="$bri" '$3 == "DROP" && $6 == br { print $1 }')
	in_drops=$(iptables -w -nvx -L BERTH-FORWARD | awk -v br="$bri" '$3 == "DROP" && $7 == br { print $1 }')
	[ "$out_drops" -gt 0 ] && [ "$in_drops" -gt 0 ] ||
		fail "the internal network's drops counted none: $(iptables -nvx -L BERTH-FORWARD | grep -F "$bri")"
	ip addr del "$gwi/$plen" dev "$bri"
}

@test "berthd network isolation: the rules, made at create, gone with network rm and, with the networks removed, after berthd's stop but the default network's" {
	local bra brb bri suba subb brx
	dk network create isoa >/dev/null
	dk network create isob >/dev/null
	dk network create --internal isoi >/dev/null
	bra=$(bridge_of isoa)
	brb=$(bridge_of isob)
	bri=$(bridge_of isoi)
	suba=$(dk network inspect -f '{{(index .IPAM.Config 0).Subnet}}' isoa)
	subb=$(dk network inspect -f '{{(index .IPAM.Config 0).Subnet}}' isob)
	assert_equal "$(berth_rules_of "$bra" | sort)" "$(expected_rules "$bra" "$suba" | sort)"
	assert_equal "$(berth_rules_of "$brb" | sort)" "$(expected_rules "$brb" "$subb" | sort)"
	assert_equal "$(berth_rules_of "$bri" | sort)" "$(expected_rules "$bri" "" internal | sort)"
	assert_equal "$(berth_rules_of "$BERTHD_BRIDGE" | sort)" \
		"$(expected_rules "$BERTHD_BRIDGE" "$(berthd_subnet)" | sort)"
	# The isolation comes before any network's accept: BERTH-FORWARD
	# jumps to it before it accepts what leaves isoa.
	local jump accept
	jump=$(iptables -S BERTH-FORWARD | grep -nxF -- '-A BERTH-FORWARD -j BERTH-ISOLATION-STAGE-1' | cut -d: -f1)
	accept=$(iptables -S BERTH-FORWARD | grep -nxF -- "-A BERTH-FORWARD -i $bra ! -o $bra -j ACCEPT" | cut -d: -f1)
	[ -n "$jump" ] && [ -n "$accept" ] && [ "$jump" -lt "$accept" ] ||
		fail "order: $(iptables -S BERTH-FORWARD)"
	assert_equal "$(iptables -S BERTH-FORWARD | grep -cxF -- '-A BERTH-FORWARD -j BERTH-ISOLATION-STAGE-1')" 1
	dk network rm isoa isob isoi >/dev/null
	for brx in "$bra" "$brb" "$bri"; do
		run sh -c "{ iptables -S; iptables -t nat -S; ip6tables -S; ip6tables -t nat -S; } | grep -w -- '$brx'"
		assert_equal "$output" ""
	done
	# berthd stops with its user networks removed: what stays is the
	# default network's rules (by design, as dockerd keeps docker0's),
	# exactly those, and nothing of the networks that went.
	berthd_stop TERM
	assert_equal "$(berth_rules_of "$BERTHD_BRIDGE" | sort)" \
		"$(expected_rules "$BERTHD_BRIDGE" "$(berthd_subnet)" | sort)"
	run sh -c "{ iptables-save; ip6tables-save; } | grep -w -e '$bra' -e '$brb' -e '$bri'"
	assert_equal "$output" ""
	berthd_start
}

@test "berthd network isolation: networks of an older berthd (no isolation rules) get theirs at the next start; running containers are cut apart again" {
	local bra sub a1 d1 old
	dk network create isoa >/dev/null
	bra=$(bridge_of isoa)
	sub=$(dk network inspect -f '{{(index .IPAM.Config 0).Subnet}}' isoa)
	serve dk a1 isoa
	dk run -d --name d1 berthd-test/bb:1 sleep 100 >/dev/null
	a1=$(addr_on dk a1 isoa)
	d1=$(addr_on dk d1 bridge)
	assert_equal "$(http_from_retried dk a1 127.0.0.1)" "served-by-a1"
	assert_equal "$(http_from dk d1 "$a1")" "nc: timed out"
	# What an older berthd left: the same networks without isolation
	# rules (the shared chains and jump stay: other berthds use them).
	# d1 then reaches a1: the probe sees the difference.
	for old in "$bra" "$BERTHD_BRIDGE"; do
		iptables -w -D BERTH-ISOLATION-STAGE-1 -i "$old" ! -o "$old" -j BERTH-ISOLATION-STAGE-2
		iptables -w -D BERTH-ISOLATION-STAGE-2 -o "$old" -j DROP
	done
	assert_equal "$(http_from_retried dk d1 "$a1")" "served-by-a1"
	assert_equal "$(ping_from dk a1 "$d1")" "received 1"
	berthd_stop TERM
	berthd_start
	# The start made them again (once: no rule twice), and the containers
	# that ran meanwhile are apart again.
	assert_equal "$(berth_rules_of "$bra" | sort)" "$(expected_rules "$bra" "$sub" | sort)"
	assert_equal "$(berth_rules_of "$BERTHD_BRIDGE" | sort)" \
		"$(expected_rules "$BERTHD_BRIDGE" "$(berthd_subnet)" | sort)"
	assert_equal "$(http_from dk d1 "$a1")" "nc: timed out"
	assert_equal "$(ping_from dk d1 "$a1")" "received 0"
	assert_equal "$(ping_from dk a1 "$d1")" "received 0"
	assert_equal "$(http_from dk a1 127.0.0.1)" "served-by-a1"
}

@test "berthd network isolation as dockerd: the same steps against a dockerd in a network namespace of its own" {
	local port ours theirs
	# runc's exec (dockerd's runtime) enters the mount namespace's own
	# root, which from a chroot is outside it: nothing of the image there.
	if chrooted; then
		skip "chrooted: setns into another mount namespace leaves the chroot (runc's exec under dockerd)"
	fi
	peer_in_netns_start bisod berth-iso
	port=$((20000 + RANDOM % 10000))
	ours=$(isolation_steps dk "" "$port")
	theirs=$(isolation_steps peer "nsenter --net=/run/netns/$PEER_NETNS" "$port")
	assert_equal "$theirs" "$(expected_steps)"
	assert_equal "$ours" "$theirs"
	# Its containers are in cgroups below the test's own.
	run grep -c ":memory:.*/$PEER_CGROUP/" "/proc/$(peer inspect -f '{{.State.Pid}}' a1)/cgroup"
	assert_equal "$output" 1
	# Its isolation is what berthd's repeats: STAGE-1 and -2 per bridge.
	run nsenter --net="/run/netns/$PEER_NETNS" iptables -S DOCKER-ISOLATION-STAGE-2
	assert_output_contains "-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP"
	PEER_LEFT=
	peer_in_netns_stop
	assert_equal "$PEER_LEFT" ""
}

@test "berthd network isolation: dual-stack networks are apart over IPv6 too (ip6tables); within one IPv6 goes" {
	local bra brb a6 out
	ipv6_or_skip
	dk network create --ipv6 --subnet "$(ula_subnet)" isoa >/dev/null
	dk network create --ipv6 --subnet "$(ula_subnet)" isob >/dev/null
	bra=$(bridge_of isoa)
	brb=$(bridge_of isob)
	assert_equal "$(berth_rules_of "$bra" | grep '^ip6tables' | sort)" \
		"$(expected_rules "$bra" "$(dk network inspect -f '{{(index .IPAM.Config 1).Subnet}}' isoa)" "" ip6tables | sort)"
	dk run -d --name a1 --network isoa berthd-test/bb:1 sh -c 'while true; do echo from-a1 | nc -l -p 7070; done' >/dev/null
	dk run -d --name a2 --network isoa berthd-test/bb:1 sleep 100 >/dev/null
	dk run -d --name b1 --network isob berthd-test/bb:1 sleep 100 >/dev/null
	a6=$(dk inspect -f '{{.NetworkSettings.Networks.isoa.GlobalIPv6Address}}' a1)
	[ -n "$a6" ] || fail "a1 has no IPv6 address"
	run dk exec a2 sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do nc -w 2 $a6 7070 </dev/null && exit 0; sleep 0.2; done; exit 1"
	assert_success
	assert_equal "$output" "from-a1"
	out=$(dk exec b1 sh -c "nc -w 2 $a6 7070 </dev/null" 2>&1) || true
	assert_equal "$out" "nc: timed out"
	run dk exec b1 ping -6 -c 1 -W 1 "$a6"
	assert_output_contains " 0 packets received"
	local drops
	drops=$(ip6tables -w -nvx -L BERTH-ISOLATION-STAGE-2 | awk -v br="$bra" '$3 == "DROP" && $7 == br { print $1 }')
	[ "${drops:-0}" -gt 0 ] || fail "no IPv6 drop counted to $bra: $(ip6tables -nvx -L BERTH-ISOLATION-STAGE-2)"
	dk rm -f a1 a2 b1 >/dev/null
	WAIT_FOR_SECONDS=30 wait_for berthd_dels_done
	dk network rm isoa isob >/dev/null
	run sh -c "{ ip6tables-save; iptables-save; } | grep -w -e '$bra' -e '$brb'"
	assert_equal "$output" ""
}
