#!/usr/bin/env bats
# berthd's default network through the CNI plugins: every container joins
# the "bridge" network (a bridge of this file's own, a private subnet, NAT
# for outbound traffic) unless it asks for none, host or another
# container's network; its teardown leaves nothing, also after a kill -9
# of berthd.
#
# Traffic goes only to the addresses of the bridge and containers made
# here; outbound NAT is checked by its rules, not by traffic leaving.

bats_require_minimum_version 1.5.0
load berthd_helpers
berthd_file_hooks

ip_of() {
	dk inspect -f '{{.NetworkSettings.IPAddress}}' "$1"
}

# The per-container traces on the host of address $1 and container id $2:
# empty when its teardown was complete.
traces_of() {
	local ip=$1 id=$2
	[ -e "$BERTHD_ROOT/netns/$id" ] && echo "netns file"
	grep -qF "$BERTHD_ROOT/netns/$id" /proc/self/mountinfo && echo "netns mount"
	[ -e "$BERTHD_ROOT/cni/cache/$id" ] && echo "attachment"
	[ -e "$BERTHD_ROOT/cni/ipam/bridge/$ip" ] && echo "lease of $ip"
	iptables-save | grep -F -e "$ip/32" -e "$id" | sed 's/^/rule: /'
	true
}

veths_on_bridge() {
	ip -o link show master "$BERTHD_BRIDGE" 2>/dev/null | wc -l
}

# A removal reports the container gone before its DEL is done (the DEL
# runs after it, in berthd): what it leaves is checked once berthd had a
# few seconds to finish, and must then be nothing.
no_traces() { [ -z "$(traces_of "$1" "$2")" ]; }
assert_no_traces() {
	wait_for no_traces "$1" "$2" || true
	assert_equal "$(traces_of "$1" "$2")" ""
}
veths_are() { [ "$(veths_on_bridge)" = "$1" ]; }
assert_veths() {
	wait_for veths_are "$1" || true
	assert_equal "$(veths_on_bridge)" "$1"
}
nat_rules() { iptables-save -t nat | grep -E -- "$1"; }
no_nat_rules() { ! nat_rules "$1" >/dev/null; }
assert_no_nat_rules() {
	wait_for no_nat_rules "$1" || fail "rules left: $(nat_rules "$1")"
}

# POSTROUTING and FORWARD jump to berthd's chains, BERTH-FORWARD to the
# isolation's.
jumps_present() {
	iptables -t nat -S POSTROUTING | grep -qx -- '-A POSTROUTING -j BERTH-POSTROUTING' &&
		iptables -S FORWARD | grep -qx -- '-A FORWARD -j BERTH-FORWARD' &&
		iptables -S BERTH-FORWARD | grep -qx -- '-A BERTH-FORWARD -j BERTH-ISOLATION-STAGE-1'
}

@test "berthd network: a container on the default network has eth0 in the subnet, a default route, its name in /etc/hosts" {
	local subnet gw ip out
	dk run -d --name n1 berthd-test/bb:1 sleep 100 >/dev/null
	ip=$(ip_of n1)
	subnet=$(berthd_subnet)
	gw=$(dk inspect -f '{{.NetworkSettings.Gateway}}' n1)
	[[ "$ip" == "$(berthd_subnet_prefix)"* ]] || fail "address $ip is not in $subnet"
	assert_equal "$(dk inspect -f '{{.NetworkSettings.IPPrefixLen}} {{.NetworkSettings.Networks.bridge.IPAddress}} {{.NetworkSettings.Networks.bridge.NetworkID}}' n1)" \
		"${subnet#*/} $ip bridge"
	# What the container itself sees: its address on eth0, the MAC
	# inspect shows, a default route through the gateway (/proc/net/route
	# is little-endian hex).
	out=$(dk exec n1 ip -o -4 addr show eth0)
	[[ "$out" == *"inet $ip/${subnet#*/} "* ]] || fail "eth0: $out"
	assert_equal "$(dk exec n1 cat /sys/class/net/eth0/address)" \
		"$(dk inspect -f '{{.NetworkSettings.MacAddress}}' n1)"
	local hexgw
	hexgw=$(printf '%02X%02X%02X%02X' $(echo "$gw" | tr . ' ' | awk '{print $4, $3, $2, $1}'))
	run dk exec n1 awk '$2 == "00000000" && $8 == "00000000" { print $1, $3 }' /proc/net/route
	assert_success
	assert_equal "$output" "eth0 $hexgw"
	# /etc/hosts names the container's own address; resolv.conf has no
	# loopback resolver (unreachable from a namespace of its own).
	run dk exec n1 cat /etc/hosts
	assert_output_contains "$ip	$(dk inspect -f '{{.Config.Hostname}}' n1)"
	run dk exec n1 grep -E '^nameserver (127\.|::1)' /etc/resolv.conf
	assert_failure
	# Outbound NAT and forwarding: the network's own rules, made by
	# berthd once for the network, none for the container itself (its ADD
	# runs no iptables: no rule names its address).
	assert_equal "$(berth_rules_of "$BERTHD_BRIDGE" | sort)" "$(expected_rules "$BERTHD_BRIDGE" "$subnet" | sort)"
	jumps_present || fail "no jump to berthd's chains: $(iptables -S FORWARD; iptables -t nat -S POSTROUTING)"
	run sh -c "iptables-save | grep -F -- '$ip/32'"
	assert_equal "$output" ""
	assert_equal "$(jq -c '[.plugins[].type], .plugins[0].ipMasq' "$BERTHD_DATA/networks/bridge.conflist" | tr '\n' ' ')" \
		'["bridge","portmap"] false '
}

@test "berthd network: two containers reach each other by address, and the host's bridge address" {
	local a b port=$((30000 + RANDOM % 5000))
	dk run -d --name srv berthd-test/bb:1 sh -c 'echo hello-from-srv | nc -l -p 8080; exec sleep 100' >/dev/null
	dk run -d --name other berthd-test/bb:1 sleep 100 >/dev/null
	a=$(ip_of srv)
	b=$(ip_of other)
	[ "$a" != "$b" ] || fail "one address twice: $a"
	run dk exec other sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do nc -w 2 $a 8080 </dev/null && exit 0; sleep 0.2; done; exit 1"
	assert_success
	assert_equal "$output" "hello-from-srv"
	run dk exec other ping -c 1 -W 2 "$a"
	assert_success
	assert_output_contains "1 packets received"
	# The host through the gateway, the bridge's own address.
	local gw
	gw=$(dk inspect -f '{{.NetworkSettings.Gateway}}' other)
	timeout 10 socat -u "TCP-LISTEN:$port,bind=$gw,reuseaddr" "OPEN:$BATS_TEST_TMPDIR/got,creat" &
	local listener=$!
	run dk exec other sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do echo from-container | nc -w 2 $gw $port && exit 0; sleep 0.2; done; exit 1"
	wait "$listener"
	assert_success
	assert_equal "$(cat "$BATS_TEST_TMPDIR/got")" "from-container"
}

@test "berthd network: rm, stop and a failed start leave no veth, namespace, lease or rule" {
	local id ip
	id=$(dk run -d berthd-test/bb:1 sleep 100)
	ip=$(ip_of "$id")
	[ -n "$(traces_of "$ip" "$id")" ] || fail "no trace while running: the check cannot see"
	assert_veths 1
	dk rm -f "$id" >/dev/null
	assert_no_traces "$ip" "$id"
	assert_veths 0
	# A stop releases the address at once (inspect shows none), a start
	# attaches again.
	id=$(dk run -d berthd-test/bb:1 sleep 100)
	ip=$(ip_of "$id")
	dk stop -t 1 "$id" >/dev/null
	wait_for sh -c "[ -z \"\$(ls -A '$BERTHD_ROOT/cni/cache')\" ]"
	assert_no_traces "$ip" "$id"
	assert_equal "$(ip_of "$id")" ""
	dk start "$id" >/dev/null
	[ -n "$(ip_of "$id")" ] || fail "no address after a new start"
	dk rm -f "$id" >/dev/null
	# A process that cannot start: its network goes with it.
	run -127 dk run --rm berthd-test/bb:1 /no/such/program
	wait_for sh -c "[ -z \"\$(ls -A '$BERTHD_ROOT/netns')\" ]"
	assert_veths 0
}

@test "berthd network: 100 runs --rm, two at a time, never share an address and leave nothing" {
	local i a b t=$BATS_TEST_TMPDIR
	for i in $(seq 50); do
		dk run --rm berthd-test/bb:1 ip -o -4 addr show eth0 >"$t/a" &
		dk run --rm berthd-test/bb:1 ip -o -4 addr show eth0 >"$t/b"
		wait
		a=$(awk '{print $4}' "$t/a")
		b=$(awk '{print $4}' "$t/b")
		[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ] || fail "run $i: addresses '$a' '$b'"
	done
	# The two at a time, once more, with their addresses kept.
	dk run -d --name p1 berthd-test/bb:1 sleep 100 >/dev/null &
	dk run -d --name p2 berthd-test/bb:1 sleep 100 >/dev/null
	wait
	a=$(ip_of p1)
	b=$(ip_of p2)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ] || fail "addresses: '$a' '$b'"
	dk rm -f p1 p2 >/dev/null
	wait_for sh -c "[ -z \"\$(ls -A '$BERTHD_ROOT/netns')\" ]"
	assert_veths 0
	assert_equal "$(ls -A "$BERTHD_ROOT/cni/cache")" ""
	assert_equal "$(ls "$BERTHD_ROOT/cni/ipam/bridge" | grep -c '^[0-9]')" 0
}

@test "berthd network: after kill -9 of berthd, running containers keep their network and removal cleans up" {
	local id ip gone goneip
	id=$(dk run -d --name survivor berthd-test/bb:1 sh -c 'while true; do echo alive | nc -l -p 8080; done')
	ip=$(ip_of survivor)
	gone=$(dk run -d berthd-test/bb:1 sleep 2)
	goneip=$(ip_of "$gone")
	berthd_stop KILL
	sleep 3
	berthd_start
	# The exit berthd missed: its network is detached from the cache.
	wait_for sh -c "[ ! -e '$BERTHD_ROOT/netns/$gone' ]"
	assert_no_traces "$goneip" "$gone"
	# The survivor still answers at its address, which inspect still knows.
	assert_equal "$(ip_of survivor)" "$ip"
	run dk run --rm berthd-test/bb:1 sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do nc -w 2 $ip 8080 </dev/null && exit 0; sleep 0.2; done; exit 1"
	assert_success
	assert_equal "$output" "alive"
	berthd_stop KILL
	berthd_start
	dk rm -f survivor "$gone" >/dev/null
	assert_no_traces "$ip" "$id"
	assert_veths 0
}

@test "berthd network: a restarted berthd keeps the default network's subnet, even when an earlier choice became free" {
	# As if berthd had first started while the usual subnets were taken
	# and had been given another one (as with --bip): at the restart, one
	# of its candidates is free; the subnet must stay, or the bridge's
	# address no longer matches and every attachment fails.
	local old new="" n conf="$BERTHD_DATA/networks/bridge.conflist"
	[ "$(dk ps -aq)" = "" ]
	old=$(dk network inspect bridge -f '{{(index .IPAM.Config 0).Subnet}}')
	old=${old%.0.0/16}
	# berthd made the bridge at its start, with the gateway's address (its
	# route keeps the subnet from other pickers before any container).
	[[ $(ip -4 -o addr show dev "$BERTHD_BRIDGE") == *" $old.0.1/16 "* ]]
	for n in 10.219 10.221 10.223 10.225; do
		[ -z "$(ip route show "$n.0.0/16")" ] && new=$n && break
	done
	[ -n "$new" ]
	berthd_stop
	sed -i "s/\"$old\./\"$new./g" "$conf"
	grep -q "\"$new.0.0/16\"" "$conf"
	ip addr flush dev "$BERTHD_BRIDGE"
	ip addr add "$new.0.1/16" dev "$BERTHD_BRIDGE"
	berthd_start
	assert_equal "$(dk network inspect bridge -f '{{(index .IPAM.Config 0).Subnet}}')" "$new.0.0/16"
	run dk run --rm berthd-test/bb:1 sh -c "ip -4 -o addr show eth0 | awk '{print \$4}'"
	assert_success
	[[ $output == "$new".0.*/16 ]]
	# Its rules follow the subnet it kept.
	iptables -t nat -S BERTH-POSTROUTING | grep -qx -- "-A BERTH-POSTROUTING -s $new.0.0/16 ! -o $BERTHD_BRIDGE -j MASQUERADE" ||
		fail "no NAT rule for $new.0.0/16: $(iptables -t nat -S BERTH-POSTROUTING)"
	# Put it back as the other tests expect it.
	berthd_stop
	sed -i "s/\"$new\./\"$old./g" "$conf"
	ip addr flush dev "$BERTHD_BRIDGE"
	ip addr add "$old.0.1/16" dev "$BERTHD_BRIDGE"
	berthd_start
	assert_equal "$(dk network inspect bridge -f '{{(index .IPAM.Config 0).Subnet}}')" "$old.0.0/16"
	# The rule of $new stays: berthd saw its list changed by hand, not by
	# a start of its own (which removes the rules of the subnet it
	# leaves); this test removes what it caused.
	iptables -w -t nat -D BERTH-POSTROUTING -s "$new.0.0/16" ! -o "$BERTHD_BRIDGE" -j MASQUERADE
	assert_equal "$(berth_rules_of "$BERTHD_BRIDGE" | sort)" "$(expected_rules "$BERTHD_BRIDGE" "$old.0.0/16" | sort)"
}

@test "berthd network: the DEL after a removal: a failed one keeps the attachment, which the next start of berthd detaches" {
	local id ip cache out
	id=$(dk run -d --rm berthd-test/bb:1 sh -c 'until [ -e /tmp/go ]; do sleep 0.1; done')
	ip=$(ip_of "$id")
	# A plugin gone from the host since the container's ADD: its DEL fails.
	cache=$BERTHD_ROOT/cni/cache/$id/bridge
	cp "$cache" "$BATS_TEST_TMPDIR/cache"
	jq -c '.config.plugins += [{"type":"berth-test-no-such-plugin"}]' "$BATS_TEST_TMPDIR/cache" >"$cache"
	out=$BATS_TEST_TMPDIR/wait
	timeout 60 curl -sS --unix-socket "$BERTHD_SOCK" -X POST \
		"http://localhost/containers/$id/wait?condition=removed" >"$out" &
	wait_for grep -q "containers/$id/wait" "$BERTHD_DIR/berthd.log"
	dk exec "$id" touch /tmp/go
	wait
	# The removal is done once its process, mounts and files are: the
	# DEL runs after it.
	assert_equal "$(jq .StatusCode "$out")" 0
	assert_equal "$(jq -r .Error "$out")" null
	run dk inspect "$id"
	assert_failure
	[ ! -e "$BERTHD_DATA/containers/$id" ] || fail "its files are left"
	# The failed DEL (every plugin of the list is tried; one is missing)
	# keeps what a DEL needs: the attachment and the namespace file.
	wait_for test ! -e "$BERTHD_ROOT/cni/ipam/bridge/$ip" || fail "no DEL ran"
	[ -e "$cache" ] || fail "the attachment went with a DEL that failed"
	[ -e "$BERTHD_ROOT/netns/$id" ] || fail "its namespace went with a DEL that failed"
	# Its removal was answered before: berthd's log says what failed.
	wait_for grep -q "network teardown of removed container ${id:0:12} failed.*berth-test-no-such-plugin" \
		"$BERTHD_DIR/berthd.log" || fail "the failed DEL is not in berthd's log"
	# The plugin is back; berthd is killed and started: the attachment
	# with no container is detached, completely.
	cp "$BATS_TEST_TMPDIR/cache" "$cache"
	berthd_stop KILL
	berthd_start
	wait_for test ! -e "$BERTHD_ROOT/cni/cache/$id"
	assert_no_traces "$ip" "$id"
	assert_veths 0
}

@test "berthd network: none has only lo, host shares the host's, neither attaches" {
	run dk run --rm --network none berthd-test/bb:1 cat /proc/net/dev
	assert_success
	assert_equal "$(echo "$output" | tail -n +3 | awk '{print $1}')" "lo:"
	run dk run --rm --network host berthd-test/bb:1 sh -c 'ls /sys/class/net | sort'
	assert_success
	assert_equal "$output" "$(ls /sys/class/net | sort)"
	dk run -d --name quiet --network none berthd-test/bb:1 sleep 100 >/dev/null
	assert_veths 0
	assert_equal "$(ls -A "$BERTHD_ROOT/cni/cache")" ""
	assert_equal "$(ip_of quiet)" ""
}

# --- published ports --------------------------------------------------------------

# The host's own address on its default route's device (traffic to it
# stays on the host).
host_addr() {
	local dev
	dev=$(ip route show default | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }')
	ip -o -4 addr show dev "$dev" scope global | awk '{ sub("/.*", "", $4); print $4; exit }'
}

# A container serving "served-by-NAME" over http on port 80.
httpd_run() {
	local name=$1
	shift
	dk run -d --name "$name" "$@" berthd-test/bb:1 \
		sh -c "mkdir -p /www && echo served-by-$name >/www/index.html && exec httpd -f -p 80 -h /www" >/dev/null
}

# GET http://$1:$2/ from the host, retried briefly while the server starts.
fetch() {
	local i
	for i in $(seq 20); do
		curl -sf --max-time 2 "http://$1:$2/" && return 0
		sleep 0.2
	done
	return 1
}

free_port() {
	echo $((20000 + RANDOM % 10000))
}

@test "berthd network: -p HOST:CONTAINER answers on 127.0.0.1 and the host's address; inspect, ps and port show it" {
	local port addr
	port=$(free_port)
	addr=$(host_addr)
	[ -n "$addr" ] || fail "the host has no global address"
	httpd_run web -p "$port:80"
	run fetch 127.0.0.1 "$port"
	assert_success
	assert_equal "$output" "served-by-web"
	run fetch "$addr" "$port"
	assert_success
	assert_equal "$output" "served-by-web"
	assert_equal "$(dk inspect -f '{{json .HostConfig.PortBindings}}' web)" \
		"{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"$port\"}]}"
	assert_equal "$(dk inspect -f '{{json .NetworkSettings.Ports}}' web)" \
		"{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"$port\"}]}"
	assert_equal "$(dk port web)" "80/tcp -> 0.0.0.0:$port"
	assert_equal "$(dk ps --filter name=web --format '{{.Ports}}')" "0.0.0.0:$port->80/tcp"
	# The rules name the container's address; removal takes them.
	local ip id
	ip=$(ip_of web)
	id=$(dk inspect -f '{{.Id}}' web)
	iptables-save -t nat | grep -q -- "--dport $port " || fail "no DNAT rule for $port"
	dk rm -f web >/dev/null
	assert_no_nat_rules "--dport $port "
	assert_no_traces "$ip" "$id"
	run curl -s --max-time 2 "http://127.0.0.1:$port/"
	assert_failure
}

@test "berthd network: -p IP:HOST:CONTAINER publishes on that address only; -p CONTAINER chooses a free port" {
	local port addr chosen
	port=$(free_port)
	addr=$(host_addr)
	httpd_run local -p "127.0.0.1:$port:80"
	run fetch 127.0.0.1 "$port"
	assert_success
	assert_equal "$output" "served-by-local"
	run curl -s --max-time 2 "http://$addr:$port/"
	assert_failure
	assert_equal "$(dk port local 80)" "127.0.0.1:$port"
	httpd_run any -p 80
	chosen=$(dk port any 80 | sed 's/.*://')
	[ -n "$chosen" ] && [ "$chosen" -gt 0 ] || fail "no port chosen: $(dk port any)"
	run fetch 127.0.0.1 "$chosen"
	assert_success
	assert_equal "$output" "served-by-any"
	assert_equal "$(dk inspect -f '{{json .HostConfig.PortBindings}}' any)" \
		'{"80/tcp":[{"HostIp":"","HostPort":""}]}'
}

@test "berthd network: -P publishes the image's EXPOSE; udp ports work" {
	local port got
	ARCHIVE_CONFIG='"ExposedPorts":{"80/tcp":{},"81/udp":{}},' \
		make_docker_archive "$BATS_TEST_TMPDIR/exp.tar" berthd-test/exposed:1 "$BERTHD_DIR/img/rootfs.tar"
	dk load -i "$BATS_TEST_TMPDIR/exp.tar" >/dev/null
	# busybox's nc has no UDP: a static receiver of ours.
	cp "$HELPERS/udprecv" "$BERTHD_DIR/udprecv"
	dk run -d --name pall -P -v "$BERTHD_DIR/udprecv:/udprecv:ro" berthd-test/exposed:1 \
		sh -c 'mkdir -p /www && echo served-by-pall >/www/index.html && httpd -p 80 -h /www && /udprecv 81 1' >/dev/null
	run dk port pall
	assert_success
	assert_output_contains "80/tcp -> 0.0.0.0:"
	assert_output_contains "81/udp -> 0.0.0.0:"
	port=$(dk port pall 80/tcp | sed 's/.*://')
	run fetch 127.0.0.1 "$port"
	assert_success
	assert_equal "$output" "served-by-pall"
	assert_equal "$(dk inspect -f '{{.HostConfig.PublishAllPorts}} {{json .Config.ExposedPorts}}' pall)" \
		'true {"80/tcp":{},"81/udp":{}}'
	port=$(dk port pall 81/udp | sed 's/.*://')
	for got in $(seq 20); do
		echo udp-datagram | socat -u - "UDP:127.0.0.1:$port"
		dk logs pall 2>&1 | grep -q udp-datagram && break
		sleep 0.2
	done
	run dk logs pall
	assert_output_contains "udp-datagram"
	dk rm -f pall >/dev/null
	dk rmi berthd-test/exposed:1 >/dev/null
}

@test "berthd network: port ranges, as docker: HOST-RANGE:CONTAINER-RANGE, IP with udp, CONTAINER-RANGE, HOST-RANGE:ONE" {
	local p q ip id chosen listener
	p=$(free_port)
	dk run -d --name ranges -p "$p-$((p + 2)):80-82" -p "127.0.0.1:$((p + 3))-$((p + 4)):90-91/udp" \
		-p 83-84 berthd-test/bb:1 sh -c 'mkdir -p /www && echo served-by-ranges >/www/index.html &&
			httpd -p 80 -h /www && httpd -p 81 -h /www && httpd -p 83 -h /www && exec httpd -f -p 82 -h /www' >/dev/null
	# Each port of the range answers from the container.
	for q in "$p" $((p + 1)) $((p + 2)); do
		run fetch 127.0.0.1 "$q"
		assert_success
		assert_equal "$output" "served-by-ranges"
	done
	run dk port ranges
	assert_output_contains "80/tcp -> 0.0.0.0:$p"
	assert_output_contains "82/tcp -> 0.0.0.0:$((p + 2))"
	assert_output_contains "90/udp -> 127.0.0.1:$((p + 3))"
	assert_output_contains "91/udp -> 127.0.0.1:$((p + 4))"
	run dk ps --filter name=ranges --format '{{.Ports}}'
	assert_output_contains "0.0.0.0:$((p + 1))->81/tcp"
	assert_output_contains "127.0.0.1:$((p + 3))->90/udp"
	# The udp range is DNAT for 127.0.0.1 only.
	ip=$(ip_of ranges)
	run sh -c "iptables-save -t nat | grep -- '--dport $((p + 4)) '"
	assert_output_contains "-d 127.0.0.1/32"
	assert_output_contains "udp"
	# -p 83-84: a free host port chosen for each, the first one answers.
	chosen=$(dk port ranges 83/tcp | sed 's/.*://')
	[ -n "$chosen" ] && [ "$chosen" != "$(dk port ranges 84/tcp | sed 's/.*://')" ] ||
		fail "chosen ports: $(dk port ranges)"
	run fetch 127.0.0.1 "$chosen"
	assert_success
	assert_equal "$output" "served-by-ranges"
	# HOST-RANGE:ONE: the first free port of the range; the binding
	# keeps the range, as docker's.
	q=$(free_port)
	timeout 30 socat "TCP-LISTEN:$q,reuseaddr,fork" /dev/null &
	listener=$!
	for _ in $(seq 20); do ss -ltn | grep -q ":$q " && break; sleep 0.1; done
	httpd_run one -p "$q-$((q + 2)):80"
	assert_equal "$(dk port one 80)" "0.0.0.0:$((q + 1))"
	assert_equal "$(dk inspect -f '{{json .HostConfig.PortBindings}}' one)" \
		"{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"$q-$((q + 2))\"}]}"
	run fetch 127.0.0.1 $((q + 1))
	assert_success
	assert_equal "$output" "served-by-one"
	httpd_run two -p "$q-$((q + 2)):80"
	assert_equal "$(dk port two 80)" "0.0.0.0:$((q + 2))"
	# Every port of the range taken: refused, nothing made.
	run dk run -d --name three -p "$q-$((q + 2)):80" berthd-test/bb:1 sleep 100
	kill "$listener"
	assert_failure
	assert_output_contains "Bind for 0.0.0.0:$q-$((q + 2)) failed"
	assert_veths 3
	run dk run --rm -p "$((q + 2))-$q:80" berthd-test/bb:1 true
	assert_failure
	# Removal takes every rule of the ranges.
	id=$(dk inspect -f '{{.Id}}' ranges)
	dk rm -f ranges one two three >/dev/null
	assert_no_traces "$ip" "$id"
	assert_veths 0
	assert_no_nat_rules "--dport ($p|$((p + 3))|$q|$((q + 1))) "
}

@test "berthd network: a host port already in use is refused and leaves nothing" {
	local port listener
	port=$(free_port)
	httpd_run first -p "$port:80"
	run dk run -d --name second -p "$port:80" berthd-test/bb:1 sleep 100
	assert_failure
	assert_output_contains "port is already allocated"
	assert_equal "$(dk inspect -f '{{.State.Running}}' second)" "false"
	assert_veths 1
	assert_equal "$(ls "$BERTHD_ROOT/netns")" "$(dk inspect -f '{{.Id}}' first)"
	# A port a process of the host listens on.
	port=$(free_port)
	timeout 20 socat "TCP-LISTEN:$port,reuseaddr" /dev/null &
	listener=$!
	for _ in $(seq 20); do ss -ltn | grep -q ":$port " && break; sleep 0.1; done
	run dk run -d --name third -p "$port:80" berthd-test/bb:1 sleep 100
	kill "$listener"
	assert_failure
	assert_output_contains "Bind for 0.0.0.0:$port failed: port is already allocated"
	assert_veths 1
	# Bad values: clear errors, nothing made.
	run dk run --rm -p 70000:80 berthd-test/bb:1 true
	assert_failure
	run dk run --rm --network none -p 8080:80 berthd-test/bb:1 true
	assert_failure
	assert_output_contains "published ports need a network"
	run dk run --rm -p 8080:80/sctp berthd-test/bb:1 true
	assert_failure
	assert_output_contains "sctp is not supported"
	assert_veths 1
}

# --- user networks ------------------------------------------------------------------

# The bridge of a user network (br- and the first 12 characters of its id).
bridge_of() {
	echo "br-$(dk network inspect -f '{{.Id}}' "$1" | cut -c1-12)"
}

@test "berthd network: create, ls with filters, inspect, rm; containers reach each other by name and alias" {
	local br ip1
	dk network create --subnet 10.231.0.0/24 --gateway 10.231.0.254 --label team=net appnet >/dev/null
	br=$(bridge_of appnet)
	assert_equal "$(dk network inspect -f '{{.Driver}} {{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}} {{.Labels.team}} {{.Internal}}' appnet)" \
		"bridge 10.231.0.0/24 10.231.0.254 net false"
	run dk network ls --format '{{.Name}} {{.Driver}}'
	assert_success
	assert_output_contains "appnet bridge"
	assert_output_contains "bridge bridge"
	assert_output_contains "host host"
	assert_output_contains "none null"
	assert_equal "$(dk network ls -q --filter label=team=net | wc -l)" 1
	assert_equal "$(dk network ls --filter type=custom --format '{{.Name}}')" "appnet"
	assert_equal "$(dk network ls --filter name=nosuch -q)" ""

	dk run -d --name web1 --network appnet --network-alias www berthd-test/bb:1 \
		sh -c 'mkdir -p /www && echo served-by-web1 >/www/index.html && exec httpd -f -p 80 -h /www' >/dev/null
	ip1=$(dk inspect -f '{{.NetworkSettings.Networks.appnet.IPAddress}}' web1)
	[[ "$ip1" == 10.231.0.* ]] || fail "address $ip1 is not in the network's subnet"
	assert_equal "$(dk inspect -f '{{.NetworkSettings.Networks.appnet.Gateway}} {{.NetworkSettings.Networks.appnet.NetworkID}}' web1)" \
		"10.231.0.254 $(dk network inspect -f '{{.Id}}' appnet)"
	# The container is on the network's own bridge, not the default one.
	assert_equal "$(ip -o link show master "$br" | wc -l)" 1
	assert_veths 0
	# A peer reaches it by name and by alias (its /etc/hosts is kept
	# current), and the network lists both.
	dk run -d --name client --network appnet berthd-test/bb:1 sleep 100 >/dev/null
	# (busybox's static wget crashes here; nc speaks the HTTP.)
	run dk exec client sh -c 'printf "GET / HTTP/1.0\r\n\r\n" | nc -w 2 web1 80 | tail -1'
	assert_success
	assert_equal "$output" "served-by-web1"
	run dk exec client sh -c 'printf "GET / HTTP/1.0\r\n\r\n" | nc -w 2 www 80 | tail -1'
	assert_success
	assert_equal "$output" "served-by-web1"
	run dk exec web1 grep -w client /etc/hosts
	assert_success
	assert_equal "$(dk network inspect -f '{{len .Containers}}' appnet)" 2
	# In use: not removed.
	run dk network rm appnet
	assert_failure
	assert_output_contains "has active endpoints"
	# A peer that goes leaves the others' /etc/hosts.
	dk rm -f client >/dev/null
	run dk exec web1 grep -w client /etc/hosts
	assert_failure
	dk rm -f web1 >/dev/null
	dk network rm appnet >/dev/null
	run dk network inspect appnet
	assert_failure
	# Newer CLIs pass berthd's words on; Debian's 20.10 says its own.
	[[ "$output" == *"not found"* || "$output" == *"No such network: appnet"* ]]
	# Its bridge and leases went with it.
	run ip link show "$br"
	assert_failure
	assert_equal "$(ls "$BERTHD_ROOT/cni/ipam" | grep -c appnet)" 0
}

@test "berthd network: overlapping subnets, unknown and pre-defined networks, bad values: clear errors, nothing made" {
	dk network create --subnet 10.232.0.0/16 first >/dev/null
	run dk network create --subnet 10.232.5.0/24 second
	assert_failure
	assert_output_contains "overlaps"
	# A route of the host (its own default route's subnet).
	local hostnet dev
	dev=$(ip route show default | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }')
	hostnet=$(ip -o -4 route show dev "$dev" scope link | awk '$1 ~ /\// { print $1; exit }')
	if [ -n "$hostnet" ]; then
		run dk network create --subnet "$hostnet" third
		assert_failure
		assert_output_contains "overlaps a route of the host"
	fi
	run dk network create first
	assert_failure
	assert_output_contains "already exists"
	# (the CLI checks this one itself; berthd's own check answers raw
	# API clients, see the unit tests of net_check_subnet's callers)
	run dk network create --subnet 10.233.0.0/16 --gateway 10.234.0.1 fourth
	assert_failure
	assert_output_contains "10.234.0.1"
	run curl -s --unix-socket "$BERTHD_SOCK" -H 'Content-Type: application/json' \
		-d '{"Name":"fourth","IPAM":{"Config":[{"Subnet":"10.233.0.0/16","Gateway":"10.234.0.1"}]}}' \
		http://berthd/networks/create
	assert_output_contains "gateway 10.234.0.1 is not a host address of subnet 10.233.0.0/16"
	run dk network create --driver macvlan fifth
	assert_failure
	assert_output_contains "not supported"
	run dk network rm bridge
	assert_failure
	assert_output_contains "pre-defined"
	run dk run --rm --network nosuchnet berthd-test/bb:1 true
	assert_failure
	assert_output_contains "network nosuchnet not found"
	run dk network ls --format '{{.Name}}'
	assert_equal "$(echo "$output" | sort | tr '\n' ' ')" "bridge first host none "
	# An internal network: no NAT, no default route, no address of the
	# host on its bridge.
	dk network create --internal --subnet 10.235.0.0/24 inside >/dev/null
	run dk run --rm --network inside berthd-test/bb:1 cat /proc/net/route
	assert_success
	if echo "$output" | awk '$2 == "00000000"' | grep -q .; then
		fail "an internal network gave a default route: $output"
	fi
	# Prune takes the networks no container uses.
	dk run -d --name holder --network first berthd-test/bb:1 sleep 100 >/dev/null
	run dk network prune -f
	assert_success
	assert_output_contains "inside"
	assert_equal "$(dk network ls --filter type=custom --format '{{.Name}}')" "first"
	dk rm -f holder >/dev/null
	dk network rm first >/dev/null
	assert_equal "$(dk network ls --filter type=custom -q)" ""
}

@test "berthd network: connect and disconnect, of a created container and of a running one (disconnect cuts it)" {
	local br ip
	dk network create --subnet 10.236.0.0/24 side >/dev/null
	br=$(bridge_of side)
	dk create --name mover berthd-test/bb:1 sh -c 'while true; do echo from-mover | nc -l -p 7070; done' >/dev/null
	dk network disconnect bridge mover
	assert_equal "$(dk inspect -f '{{.HostConfig.NetworkMode}}' mover)" "none"
	dk network connect --alias mv side mover
	assert_equal "$(dk inspect -f '{{.HostConfig.NetworkMode}} {{.NetworkSettings.Networks.side.Aliases}}' mover)" \
		"side [mv]"
	dk start mover >/dev/null
	run dk exec mover ip -o -4 addr show eth0
	assert_output_contains "inet 10.236.0."
	dk run -d --name peer --network side berthd-test/bb:1 sleep 100 >/dev/null
	run dk exec peer sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do nc -w 2 mv 7070 </dev/null && exit 0; sleep 0.2; done; exit 1'
	assert_success
	assert_equal "$output" "from-mover"
	# Disconnect of the running container: its interface goes (only lo
	# is left inside), its peer reaches it no more, nothing of its
	# attachment is left on the host.
	ip=$(dk inspect -f '{{.NetworkSettings.Networks.side.IPAddress}}' mover)
	dk network disconnect side mover
	assert_equal "$(dk exec mover cat /proc/net/dev | tail -n +3 | awk '{print $1}')" "lo:"
	assert_equal "$(dk inspect -f '{{.HostConfig.NetworkMode}} {{.State.Running}}' mover)" "none true"
	run dk exec peer nc -w 2 "$ip" 7070 </dev/null
	assert_failure
	run dk exec peer grep -w mv /etc/hosts
	assert_failure
	assert_equal "$(ip -o link show master "$br" | wc -l)" 1
	[ ! -e "$BERTHD_ROOT/netns/$(dk inspect -f '{{.Id}}' mover)" ] || fail "its namespace file is left"
	# Connect of the running container: an interface in its namespace
	# now, and its name in its peer's /etc/hosts again.
	dk network connect --alias mv side mover
	run dk exec mover ip -o -4 addr show eth0
	assert_output_contains "inet 10.236.0."
	run dk exec peer sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do nc -w 2 mv 7070 </dev/null && exit 0; sleep 0.2; done; exit 1'
	assert_success
	assert_equal "$output" "from-mover"
	dk rm -f mover peer >/dev/null
	wait_for sh -c "[ \$(ip -o link show master '$br' | wc -l) = 0 ]" || true
	assert_equal "$(ip -o link show master "$br" | wc -l)" 0
	dk network rm side >/dev/null
}

# The default route of a container as "IFACE GATEWAY" (/proc/net/route
# is little-endian hex), one line per default route.
default_routes() {
	dk exec "$1" awk '$2 == "00000000" && $8 == "00000000" { print $1, $3 }' /proc/net/route |
		while read -r ifc hex; do
			printf '%s %d.%d.%d.%d\n' "$ifc" "0x${hex:6:2}" "0x${hex:4:2}" "0x${hex:2:2}" "0x${hex:0:2}"
		done
}

# Interfaces inside a container, sorted, on one line.
ifaces_of() {
	dk exec "$1" cat /proc/net/dev | tail -n +3 | awk '{print $1}' | sort | tr '\n' ' '
}

# The traces of container id $2's attachment to network $1 at address $3.
attachment_traces() {
	local net=$1 id=$2 ip=$3
	[ -e "$BERTHD_ROOT/cni/cache/$id/$net" ] && echo "attachment to $net"
	[ -e "$BERTHD_ROOT/cni/ipam/$net/$ip" ] && echo "lease of $ip"
	iptables-save | grep -F -e "$ip/32" | sed 's/^/rule: /'
	true
}
detached() { [ -z "$(attachment_traces "$1" "$2" "$3")" ]; }
assert_detached() {
	wait_for detached "$1" "$2" "$3" || true
	assert_equal "$(attachment_traces "$1" "$2" "$3")" ""
}

@test "berthd network: a container on several networks: eth1 with its own address, one default route, names on each; disconnect takes one" {
	local id ipx ipy gwx gwy brx bry out
	dk network create multi-x >/dev/null
	dk network create multi-y >/dev/null
	brx=$(bridge_of multi-x)
	bry=$(bridge_of multi-y)
	dk run -d --name multi --network multi-x --network-alias mx berthd-test/bb:1 \
		sh -c 'while true; do echo from-multi | nc -l -p 7070; done' >/dev/null
	dk network connect --alias my multi-y multi
	id=$(dk inspect -f '{{.Id}}' multi)
	ipx=$(dk inspect -f '{{(index .NetworkSettings.Networks "multi-x").IPAddress}}' multi)
	ipy=$(dk inspect -f '{{(index .NetworkSettings.Networks "multi-y").IPAddress}}' multi)
	gwx=$(dk network inspect -f '{{(index .IPAM.Config 0).Gateway}}' multi-x)
	gwy=$(dk network inspect -f '{{(index .IPAM.Config 0).Gateway}}' multi-y)
	[ -n "$ipx" ] && [ -n "$ipy" ] && [ "$ipx" != "$ipy" ] || fail "addresses: '$ipx' '$ipy'"
	assert_equal "$(dk inspect -f '{{(index .NetworkSettings.Networks "multi-y").Aliases}} {{.HostConfig.NetworkMode}}' multi)" \
		"[my] multi-x"
	# What the container sees: eth0 on the first network, eth1 on the
	# second, and one default route, through the first one's gateway.
	run dk exec multi ip -o -4 addr show eth0
	assert_output_contains "inet $ipx/"
	run dk exec multi ip -o -4 addr show eth1
	assert_output_contains "inet $ipy/"
	assert_equal "$(default_routes multi)" "eth0 $gwx"
	run dk exec multi ping -c 1 -W 2 "$gwy"
	assert_success
	# Its /etc/hosts names both its addresses; a peer on the second
	# network only reaches it there by name and alias.
	dk run -d --name peer-y --network multi-y berthd-test/bb:1 sleep 100 >/dev/null
	run dk exec multi cat /etc/hosts
	assert_output_contains "$ipx	"
	assert_output_contains "$ipy	"
	assert_output_contains "peer-y"
	run dk exec peer-y grep -w my /etc/hosts
	assert_success
	assert_equal "$(echo "$output" | awk '{print $1}')" "$ipy"
	run dk exec peer-y sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do nc -w 2 my 7070 </dev/null && exit 0; sleep 0.2; done; exit 1'
	assert_success
	assert_equal "$output" "from-multi"
	run dk exec peer-y grep -w mx /etc/hosts
	assert_failure
	out=$(dk network inspect -f '{{range .Containers}}{{.Name}} {{end}}' multi-y)
	[[ "$out" == *multi* ]] || fail "multi-y lists: $out"
	run dk network rm multi-y
	assert_failure
	assert_output_contains "active endpoints"
	# Disconnect from the second network: eth1 goes, eth0 stays, the
	# peer reaches it and names it no more, nothing of that attachment
	# is left on the host.
	dk network disconnect multi-y multi
	assert_equal "$(ifaces_of multi)" "eth0: lo: "
	assert_equal "$(default_routes multi)" "eth0 $gwx"
	run dk exec peer-y nc -w 2 "$ipy" 7070 </dev/null
	assert_failure
	run dk exec peer-y grep -w my /etc/hosts
	assert_failure
	assert_equal "$(attachment_traces multi-y "$id" "$ipy")" ""
	assert_equal "$(ip -o link show master "$bry" | wc -l)" 1
	assert_equal "$(ip -o link show master "$brx" | wc -l)" 1
	# Again, then the first network goes: the second one stays and
	# becomes its first, with the default route after a restart.
	dk network connect multi-y multi
	ipy=$(dk inspect -f '{{(index .NetworkSettings.Networks "multi-y").IPAddress}}' multi)
	dk network disconnect multi-x multi
	assert_equal "$(ifaces_of multi)" "eth1: lo: "
	assert_equal "$(dk inspect -f '{{.HostConfig.NetworkMode}} {{len .NetworkSettings.Networks}}' multi)" "multi-y 1"
	assert_equal "$(attachment_traces multi-x "$id" "$ipx")" ""
	assert_equal "$(ip -o link show master "$brx" | wc -l)" 0
	dk restart -t 1 multi >/dev/null
	ipy=$(dk inspect -f '{{(index .NetworkSettings.Networks "multi-y").IPAddress}}' multi)
	run dk exec multi ip -o -4 addr show eth0
	assert_output_contains "inet $ipy/"
	assert_equal "$(default_routes multi)" "eth0 $gwy"
	run dk exec peer-y sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do nc -w 2 multi 7070 </dev/null && exit 0; sleep 0.2; done; exit 1'
	assert_equal "$output" "from-multi"
	# A container on the host's network joins no other.
	dk run -d --name on-host --network host berthd-test/bb:1 sleep 100 >/dev/null
	run dk network connect multi-y on-host
	assert_failure
	assert_output_contains "cannot be connected to any other network"
	dk rm -f multi peer-y on-host >/dev/null
	assert_detached multi-y "$id" "$ipy"
	wait_for sh -c "[ \$(ip -o link show master '$bry' | wc -l) = 0 ]" || true
	assert_equal "$(ip -o link show master "$bry" | wc -l)" 0
	wait_for test ! -e "$BERTHD_ROOT/netns/$id" || fail "its namespace file is left"
	dk network rm multi-x multi-y >/dev/null
}

@test "berthd network: run on two networks at once (or created, connected, started, as compose v1 does); kill -9 of berthd keeps both, removal takes both" {
	local id ip1 ip2 major
	dk network create two-a >/dev/null
	dk network create two-b >/dev/null
	# docker's CLIs from 25 send every --network in one create; older
	# ones take one: create, connect, start.
	major=$(dk version -f '{{.Client.Version}}' | cut -d. -f1)
	if [ "$major" -ge 25 ]; then
		dk run -d --name both --network two-a --network name=two-b,alias=bee berthd-test/bb:1 sleep 200 >/dev/null
	else
		dk create --name both --network two-a berthd-test/bb:1 sleep 200 >/dev/null
		dk network connect --alias bee two-b both
		dk start both >/dev/null
	fi
	id=$(dk inspect -f '{{.Id}}' both)
	ip1=$(dk inspect -f '{{(index .NetworkSettings.Networks "two-a").IPAddress}}' both)
	ip2=$(dk inspect -f '{{(index .NetworkSettings.Networks "two-b").IPAddress}}' both)
	run dk exec both ip -o -4 addr show eth0
	assert_output_contains "inet $ip1/"
	run dk exec both ip -o -4 addr show eth1
	assert_output_contains "inet $ip2/"
	assert_equal "$(dk inspect -f '{{(index .NetworkSettings.Networks "two-b").Aliases}}' both)" "[bee]"
	assert_equal "$(default_routes both)" "eth0 $(dk network inspect -f '{{(index .IPAM.Config 0).Gateway}}' two-a)"
	# A berthd killed with -9 and started again: both attachments are
	# its own again (inspect), and a removal detaches both.
	berthd_stop KILL
	berthd_start
	assert_equal "$(dk inspect -f '{{(index .NetworkSettings.Networks "two-a").IPAddress}} {{(index .NetworkSettings.Networks "two-b").IPAddress}}' both)" \
		"$ip1 $ip2"
	run dk exec both ip -o -4 addr show eth1
	assert_output_contains "inet $ip2/"
	# Unknown or repeated networks at create: refused, nothing made.
	run dk network connect two-b both
	assert_failure
	assert_output_contains "already exists in network two-b"
	if [ "$major" -ge 25 ]; then
		run dk run -d --name bad --network two-a --network no-such-net berthd-test/bb:1 true
		assert_failure
		assert_output_contains "no-such-net"
		run dk inspect bad
		assert_failure
	fi
	dk rm -f both >/dev/null
	assert_detached two-a "$id" "$ip1"
	assert_detached two-b "$id" "$ip2"
	[ ! -e "$BERTHD_ROOT/cni/cache/$id" ] || fail "attachments left"
	dk network rm two-a two-b >/dev/null
}

@test "berthd network: --mac-address gives eth0 that address, on the default network and a user network; bad ones refused" {
	local mac=02:42:ac:1f:00:42 mac2=02:42:ac:1f:00:43
	dk run -d --name withmac --mac-address "$mac" berthd-test/bb:1 sleep 100 >/dev/null
	assert_equal "$(dk exec withmac cat /sys/class/net/eth0/address)" "$mac"
	assert_equal "$(dk inspect -f '{{.NetworkSettings.MacAddress}} {{.NetworkSettings.Networks.bridge.MacAddress}}' withmac)" \
		"$mac $mac"
	# The host's side knows it: the bridge learned it.
	run sh -c "bridge fdb show br $BERTHD_BRIDGE | grep -i '^$mac '"
	assert_success
	# Kept across a restart of the container.
	dk restart -t 1 withmac >/dev/null
	assert_equal "$(dk exec withmac cat /sys/class/net/eth0/address)" "$mac"
	dk network create macnet >/dev/null
	dk run -d --name withmac2 --network macnet --mac-address "$mac2" berthd-test/bb:1 sleep 100 >/dev/null
	assert_equal "$(dk exec withmac2 cat /sys/class/net/eth0/address)" "$mac2"
	assert_equal "$(dk inspect -f '{{.NetworkSettings.Networks.macnet.MacAddress}}' withmac2)" "$mac2"
	# Bad values: a multicast address, a malformed one, a network of no
	# interface of its own.  Clear errors, nothing made.
	run dk run --rm --mac-address 03:42:ac:1f:00:44 berthd-test/bb:1 true
	assert_failure
	assert_output_contains "03:42:ac:1f:00:44"
	run dk run --rm --mac-address 02:42:ac:1f:00 berthd-test/bb:1 true
	assert_failure
	run dk run --rm --network none --mac-address 02:42:ac:1f:00:45 berthd-test/bb:1 true
	assert_failure
	assert_output_contains "mac-address"
	assert_veths 1
	dk rm -f withmac withmac2 >/dev/null
	assert_veths 0
	dk network rm macnet >/dev/null
}

@test "berthd network: docker-compose (v1) services on two networks: each reaches the others only on a network they share" {
	local proj=$BATS_TEST_TMPDIR/proj2
	mkdir -p "$proj"
	cat >"$proj/docker-compose.yml" <<'YAML'
version: "3"
services:
  api:
    image: berthd-test/bb:1
    command: sh -c 'mkdir -p /www && echo served-by-api >/www/index.html && exec httpd -f -p 80 -h /www'
    networks: [front, back]
  ui:
    image: berthd-test/bb:1
    command: sleep 100
    networks: [front]
  db:
    image: berthd-test/bb:1
    command: sleep 100
    networks: [back]
networks:
  front: {}
  back: {}
YAML
	run timeout 120 docker-compose -f "$proj/docker-compose.yml" -p bnet2 up -d
	assert_success
	run dk exec bnet2_api_1 sh -c 'ip -o -4 addr | grep -c " eth[01] "'
	assert_equal "$output" "2"
	for c in bnet2_ui_1 bnet2_db_1; do
		run dk exec "$c" sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do printf "GET / HTTP/1.0\r\n\r\n" | nc -w 2 api 80 | tail -1 | grep . && exit 0; sleep 0.2; done; exit 1'
		assert_success
		assert_equal "$output" "served-by-api"
	done
	# ui and db share no network: neither names the other.
	run dk exec bnet2_ui_1 grep -w db /etc/hosts
	assert_failure
	run dk exec bnet2_db_1 grep -w ui /etc/hosts
	assert_failure
	run timeout 120 docker-compose -f "$proj/docker-compose.yml" -p bnet2 down
	assert_success
	assert_equal "$(dk network ls --filter type=custom -q)" ""
	assert_equal "$(dk ps -a --format '{{.Names}} {{.Status}}')" ""
}

@test "berthd network: --ipv6: dual stack, each container gets an IPv4 and an IPv6 address, routes and names of both" {
	local sub6 net6 a4 a6 b6 gw6 id
	ipv6_or_skip
	sub6=$(ula_subnet)
	net6=${sub6%%::/64}
	dk network create --ipv6 --subnet "$sub6" dual >/dev/null
	assert_equal "$(dk network inspect -f '{{.EnableIPv6}} {{len .IPAM.Config}} {{(index .IPAM.Config 1).Subnet}} {{(index .IPAM.Config 1).Gateway}}' dual)" \
		"true 2 $sub6 $net6::1"
	dk run -d --name six-a --network dual berthd-test/bb:1 sh -c 'while true; do echo from-six-a | nc -l -p 7070; done' >/dev/null
	dk run -d --name six-b --network dual berthd-test/bb:1 sleep 100 >/dev/null
	id=$(dk inspect -f '{{.Id}}' six-a)
	a4=$(dk inspect -f '{{.NetworkSettings.Networks.dual.IPAddress}}' six-a)
	a6=$(dk inspect -f '{{.NetworkSettings.Networks.dual.GlobalIPv6Address}}' six-a)
	b6=$(dk inspect -f '{{.NetworkSettings.Networks.dual.GlobalIPv6Address}}' six-b)
	gw6=$(dk inspect -f '{{.NetworkSettings.Networks.dual.IPv6Gateway}} {{.NetworkSettings.Networks.dual.GlobalIPv6PrefixLen}}' six-a)
	assert_equal "$gw6" "$net6::1 64"
	[[ "$a6" == "$net6::"* ]] && [ "$a6" != "$b6" ] || fail "IPv6 addresses: '$a6' '$b6'"
	# What the container sees: both addresses on eth0, an IPv6 default
	# route through the gateway (/proc/net/ipv6_route: destination ::/0,
	# next hop the gateway in 32 hex digits).
	run dk exec six-a ip -o addr show eth0
	assert_output_contains "inet $a4/"
	assert_output_contains "inet6 $a6/64"
	local hexgw
	hexgw=$(python3 -c 'import ipaddress,sys; print(ipaddress.ip_address(sys.argv[1]).exploded.replace(":", ""))' "$net6::1")
	run dk exec six-a awk '$1 == "00000000000000000000000000000000" && $2 == "00" && $10 != "lo" { print $5, $10 }' /proc/net/ipv6_route
	assert_equal "$output" "$hexgw eth0"
	# Reachable over IPv6 by address and by name; /etc/hosts has both.
	run dk exec six-b sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do nc -w 2 $a6 7070 </dev/null && exit 0; sleep 0.2; done; exit 1"
	assert_success
	assert_equal "$output" "from-six-a"
	run dk exec six-b ping -6 -c 1 -W 2 six-a
	assert_success
	assert_output_contains "$a6"
	run dk exec six-b cat /etc/hosts
	assert_output_contains "$a6	"
	assert_output_contains "$a4	"
	run dk network inspect -f '{{range .Containers}}{{.IPv6Address}} {{end}}' dual
	assert_output_contains "$a6/64"
	# IPv6 outbound NAT and forwarding, by the network's rules (none names
	# the container); removal takes the lease, the network's rm the rules.
	local br
	br=$(bridge_of dual)
	assert_equal "$(berth_rules_of "$br" | grep '^ip6tables' | sort)" \
		"$(expected_rules "$br" "$sub6" "" ip6tables | sort)"
	run sh -c "ip6tables-save | grep -F -- '$a6/128'"
	assert_equal "$output" ""
	dk rm -f six-a six-b >/dev/null
	wait_for sh -c "! ip6tables-save | grep -qF -e '$a6/128' -e '$id'" || true
	if ip6tables-save | grep -qF -e "$a6/128" -e "$id"; then
		fail "IPv6 rules left: $(ip6tables-save | grep -F -e "$a6/128" -e "$id")"
	fi
	wait_for test ! -e "$BERTHD_ROOT/cni/ipam/dual/$a6" || fail "lease of $a6 left"
	# Bad values: clear errors, nothing made.
	run dk network create --ipv6 --subnet "$sub6" dual2
	assert_failure
	assert_output_contains "overlaps"
	run dk network create --ipv6 --subnet fd00:1::/20 dual3
	assert_failure
	assert_output_contains "prefix of 48 to 120"
	run dk network create --subnet "$(ula_subnet)" dual4
	assert_failure
	assert_output_contains "needs --ipv6"
	assert_equal "$(dk network ls -q --filter name=dual | wc -l)" 1
	dk network rm dual >/dev/null
	assert_equal "$(berth_rules_of "$br")" ""
}

@test "berthd network: -p on an IPv6 address of the host reaches a dual-stack container; loopback and IPv4-only networks refused" {
	local host6 port
	ipv6_or_skip
	host6=$(ip -6 -o addr show scope global | awk '{ sub("/.*", "", $4); print $4; exit }')
	[ -n "$host6" ] || skip "the host has no global IPv6 address"
	port=$(free_port)
	dk network create --ipv6 --subnet "$(ula_subnet)" dualp >/dev/null
	httpd_run web6 --network dualp -p "[$host6]:$port:80"
	# docker's CLI from 23 writes the address in brackets, 20.10 does not.
	run dk port web6 80
	[[ "$output" == "[$host6]:$port" || "$output" == "$host6:$port" ]] || fail "docker port: $output"
	assert_equal "$(dk inspect -f '{{json .NetworkSettings.Ports}}' web6)" \
		"{\"80/tcp\":[{\"HostIp\":\"$host6\",\"HostPort\":\"$port\"}]}"
	for _ in $(seq 20); do curl -sf --max-time 2 "http://[$host6]:$port/" && break; sleep 0.2; done
	run curl -sf --max-time 2 "http://[$host6]:$port/"
	assert_success
	assert_equal "$output" "served-by-web6"
	# Published on that address alone: not on IPv4.
	run curl -sf --max-time 2 "http://127.0.0.1:$port/"
	assert_failure
	run dk run --rm --network dualp -p "[::1]:$port:80" berthd-test/bb:1 true
	assert_failure
	assert_output_contains "publishing on ::1 is not supported"
	run dk run --rm -p "[$host6]:$((port + 1)):80" berthd-test/bb:1 true
	assert_failure
	assert_output_contains "has no IPv6 subnet"
	dk rm -f web6 >/dev/null
	wait_for sh -c "! ip6tables-save -t nat | grep -q -- '--dport $port '" || true
	if ip6tables-save -t nat | grep -q -- "--dport $port "; then
		fail "a rule for $port is left"
	fi
	dk network rm dualp >/dev/null
}

@test "berthd network: docker-compose (v1) brings up two services that talk by service name" {
	local proj=$BATS_TEST_TMPDIR/proj
	mkdir -p "$proj"
	cat >"$proj/docker-compose.yml" <<'YAML'
version: "3"
services:
  web:
    image: berthd-test/bb:1
    command: sh -c 'mkdir -p /www && echo served-by-web >/www/index.html && exec httpd -f -p 80 -h /www'
  client:
    image: berthd-test/bb:1
    command: sleep 100
YAML
	run timeout 120 docker-compose -f "$proj/docker-compose.yml" -p bnettest up -d
	assert_success
	assert_equal "$(dk network ls --filter name=bnettest_default --format '{{.Name}}')" "bnettest_default"
	run dk exec bnettest_client_1 sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do printf "GET / HTTP/1.0\r\n\r\n" | nc -w 2 web 80 | tail -1 | grep . && exit 0; sleep 0.2; done; exit 1'
	assert_success
	assert_equal "$output" "served-by-web"
	run timeout 120 docker-compose -f "$proj/docker-compose.yml" -p bnettest down
	assert_success
	assert_equal "$(dk network ls --filter type=custom -q)" ""
	assert_equal "$(dk ps -aq)" ""
}

@test "berthd network: --dns, --dns-search, --dns-option and --add-host shape resolv.conf and /etc/hosts" {
	run dk run --rm --dns 192.0.2.53 --dns 2001:db8::53 --dns-search example.test \
		--dns-option ndots:2 --add-host db.test:192.0.2.10 berthd-test/bb:1 \
		sh -c 'cat /etc/resolv.conf; echo ---; cat /etc/hosts'
	assert_success
	local resolv=${output%%---*} hosts=${output#*---}
	assert_equal "$(echo "$resolv" | grep '^nameserver' | tr '\n' ' ')" \
		"nameserver 192.0.2.53 nameserver 2001:db8::53 "
	assert_equal "$(echo "$resolv" | grep -E '^(search|domain)')" "search example.test"
	assert_equal "$(echo "$resolv" | grep '^options')" "options ndots:2"
	[[ "$hosts" == *"192.0.2.10	db.test"* ]] || fail "no extra host in: $hosts"
	dk create --name dnsrec --dns 192.0.2.53 --add-host a.test:192.0.2.1 berthd-test/bb:1 true >/dev/null
	assert_equal "$(dk inspect -f '{{.HostConfig.Dns}} {{.HostConfig.ExtraHosts}}' dnsrec)" \
		"[192.0.2.53] [a.test:192.0.2.1]"
	# On a user network the extra host survives the rewrites of /etc/hosts.
	dk network create --subnet 10.237.0.0/24 dnsnet >/dev/null
	dk run -d --name h1 --network dnsnet --add-host x.test:192.0.2.20 berthd-test/bb:1 sleep 100 >/dev/null
	dk run -d --name h2 --network dnsnet berthd-test/bb:1 sleep 100 >/dev/null
	run dk exec h1 cat /etc/hosts
	assert_output_contains "192.0.2.20	x.test"
	assert_output_contains " h2"
	dk rm -f h1 h2 >/dev/null
	dk network rm dnsnet >/dev/null
	# Bad values: refused with the value named.
	run dk run --rm --dns not-an-address berthd-test/bb:1 true
	assert_failure
	assert_output_contains "not-an-address"
	run dk run --rm --add-host broken berthd-test/bb:1 true
	assert_failure
	run dk run --rm --network host --dns 192.0.2.53 berthd-test/bb:1 true
	assert_failure
	assert_output_contains "conflicting options: dns and the network mode"
}

@test "berthd network: --network container:NAME shares that container's namespace and names" {
	local ip
	dk run -d --name owner berthd-test/bb:1 sh -c 'echo shared-by-owner | nc -l -p 7070; exec sleep 100' >/dev/null
	ip=$(ip_of owner)
	run dk run --rm --network container:owner berthd-test/bb:1 sh -c 'ip -o -4 addr show eth0; readlink /proc/self/ns/net'
	assert_success
	assert_output_contains "inet $ip/"
	assert_equal "${lines[1]}" "$(readlink "/proc/$(dk inspect -f '{{.State.Pid}}' owner)/ns/net")"
	# Its loopback is the owner's: a server there answers on 127.0.0.1.
	run dk run --rm --network container:owner berthd-test/bb:1 sh -c 'nc -w 2 127.0.0.1 7070 </dev/null'
	assert_success
	assert_equal "$output" "shared-by-owner"
	run dk run --rm --network container:owner berthd-test/bb:1 cat /etc/hosts
	assert_output_contains "$ip	"
	# Nothing of its own: no namespace file, no attachment, no veth.
	assert_equal "$(ls "$BERTHD_ROOT/netns")" "$(dk inspect -f '{{.Id}}' owner)"
	assert_veths 1
	run dk run --rm --network container:nosuch berthd-test/bb:1 true
	assert_failure
	assert_output_contains "No such container: nosuch"
	dk stop -t 0 owner >/dev/null
	run dk run --rm --network container:owner berthd-test/bb:1 true
	assert_failure
	assert_output_contains "non running container"
	run dk run --rm --network container:owner -p 9090:80 berthd-test/bb:1 true
	assert_failure
}

@test "berthd network: --ip on a user network fixes the address; taken, outside or on the default network: refused" {
	dk network create --subnet 10.238.0.0/24 ipnet >/dev/null
	dk run -d --name fixed --network ipnet --ip 10.238.0.77 berthd-test/bb:1 sleep 100 >/dev/null
	run dk exec fixed ip -o -4 addr show eth0
	assert_output_contains "inet 10.238.0.77/24 "
	assert_equal "$(dk inspect -f '{{.NetworkSettings.Networks.ipnet.IPAMConfig.IPv4Address}} {{.NetworkSettings.Networks.ipnet.IPAddress}}' fixed)" \
		"10.238.0.77 10.238.0.77"
	run dk run --rm --network ipnet --ip 10.238.0.77 berthd-test/bb:1 true
	assert_failure
	assert_output_contains "10.238.0.77"
	run dk run --rm --network ipnet --ip 10.239.0.5 berthd-test/bb:1 true
	assert_failure
	assert_output_contains "not in the subnet 10.238.0.0/24"
	# What newer docker CLIs send for --ip on the default network (the
	# 20.10 CLI drops the address itself), straight to the API.
	run curl -sS --unix-socket "$BERTHD_SOCK" -w '\n%{http_code}' -X POST \
		-H 'Content-Type: application/json' http://berthd/containers/create \
		-d '{"Image":"berthd-test/bb:1","Cmd":["true"],"HostConfig":{"NetworkMode":"default"},"NetworkingConfig":{"EndpointsConfig":{"default":{"IPAMConfig":{"IPv4Address":"172.30.9.9"}}}}}'
	[ "${lines[-1]}" -ge 400 ]
	assert_output_contains "a fixed address (--ip) outside a user network"
	# Nothing of the refused ones is left.
	assert_equal "$(ls "$BERTHD_ROOT/netns" | wc -l)" 1
	dk rm -f fixed >/dev/null
	dk network rm ipnet >/dev/null
}

@test "berthd network: rm -f and at once a run with the same name, address, MAC and host port gets them all" {
	local port mac=02:42:ac:1e:00:51 sub ip id i out
	port=$(free_port)
	dk network create reusenet >/dev/null
	sub=$(dk network inspect reusenet -f '{{(index .IPAM.Config 0).Subnet}}')
	ip=${sub%.*}.50
	for i in 1 2 3; do
		id=$(dk run -d --name reuse --network reusenet --ip "$ip" --mac-address "$mac" \
			-p "$port:80" berthd-test/bb:1 \
			sh -c "mkdir -p /www && echo round-$i >/www/index.html && exec httpd -f -p 80 -h /www")
		# What the container has, and what answers on the port: this
		# round's container, not the one removed a moment ago.
		out=$(dk exec reuse ip -o -4 addr show eth0)
		[[ $out == *"inet $ip/"* ]] || fail "round $i: eth0: $out"
		out=$(dk exec reuse cat /sys/class/net/eth0/address)
		[ "$out" = "$mac" ] || fail "round $i: MAC $out"
		run fetch 127.0.0.1 "$port"
		assert_success
		assert_equal "$output" "round-$i"
		dk rm -f reuse >/dev/null
	done
	assert_detached reusenet "$id" "$ip"
	assert_no_nat_rules "--dport $port "
	dk network rm reusenet >/dev/null
}

# One line of berthd's filter chain, as iptables -S writes it: its number
# (0: absent).
forward_line() {
	iptables -S BERTH-FORWARD | grep -nxF -- "$1" | head -1 | cut -d: -f1 | grep . || echo 0
}

@test "berthd network: a network's NAT and forwarding rules: made at create (internal: bridge to bridge only), none per container, gone with rm, kept across berthd's stop, made again at its start" {
	local brx bri sub subi ip id
	dk network create rulesx >/dev/null
	dk network create --internal rulesi >/dev/null
	brx=$(bridge_of rulesx)
	bri=$(bridge_of rulesi)
	sub=$(dk network inspect -f '{{(index .IPAM.Config 0).Subnet}}' rulesx)
	subi=$(dk network inspect -f '{{(index .IPAM.Config 0).Subnet}}' rulesi)
	assert_equal "$(berth_rules_of "$brx" | sort)" "$(expected_rules "$brx" "$sub" | sort)"
	# The internal one: no NAT, only bridge to bridge; what leaves or
	# enters it is dropped before any other network's accept.
	assert_equal "$(berth_rules_of "$bri" | sort)" "$(expected_rules "$bri" "$subi" internal | sort)"
	local drop_out drop_in accept_other
	drop_out=$(forward_line "-A BERTH-FORWARD -i $bri ! -o $bri -j DROP")
	drop_in=$(forward_line "-A BERTH-FORWARD ! -i $bri -o $bri -j DROP")
	accept_other=$(forward_line "-A BERTH-FORWARD -i $brx ! -o $brx -j ACCEPT")
	[ "$drop_out" -gt 0 ] && [ "$drop_in" -gt 0 ] && [ "$drop_out" -lt "$accept_other" ] &&
		[ "$drop_in" -lt "$accept_other" ] || fail "order: $(iptables -S BERTH-FORWARD)"
	jumps_present || fail "no jump to berthd's chains"
	# A container's ADD and DEL run no iptables: no rule names it, and the
	# network's rules are the same as before it.
	id=$(dk run -d --network rulesx berthd-test/bb:1 sleep 100)
	ip=$(dk inspect -f '{{.NetworkSettings.Networks.rulesx.IPAddress}}' "$id")
	[ -n "$ip" ] || fail "no address on rulesx"
	run sh -c "iptables-save | grep -F -e '$ip/32' -e '$id'"
	assert_equal "$output" ""
	assert_equal "$(berth_rules_of "$brx" | sort)" "$(expected_rules "$brx" "$sub" | sort)"
	dk rm -f "$id" >/dev/null
	assert_detached rulesx "$id" "$ip"
	# Removal takes them, and nothing else names the bridges; also when
	# one of them was deleted by hand (its deletions, one transaction
	# per table, then go one at a time).
	iptables -w -D BERTH-FORWARD -i "$brx" -o "$brx" -j ACCEPT
	dk network rm rulesx rulesi >/dev/null
	assert_equal "$(berth_rules_of "$brx")$(berth_rules_of "$bri")" ""
	run sh -c "{ iptables-save; ip6tables-save; } | grep -w -e '$brx' -e '$bri'"
	assert_equal "$output" ""
	# berthd's stop keeps the default network's (running containers keep
	# their way out meanwhile); its start neither doubles them nor misses
	# one deleted meanwhile.
	local want
	want=$(expected_rules "$BERTHD_BRIDGE" "$(berthd_subnet)" | sort)
	assert_equal "$(berth_rules_of "$BERTHD_BRIDGE" | sort)" "$want"
	berthd_stop TERM
	assert_equal "$(berth_rules_of "$BERTHD_BRIDGE" | sort)" "$want"
	iptables -w -t nat -D BERTH-POSTROUTING -s "$(berthd_subnet)" ! -o "$BERTHD_BRIDGE" -j MASQUERADE
	iptables -w -D BERTH-FORWARD -i "$BERTHD_BRIDGE" ! -o "$BERTHD_BRIDGE" -j ACCEPT
	[ "$(berth_rules_of "$BERTHD_BRIDGE" | sort)" != "$want" ] || fail "the rules were not deleted"
	berthd_start
	assert_equal "$(berth_rules_of "$BERTHD_BRIDGE" | sort)" "$want"
	berthd_stop TERM
	berthd_start
	assert_equal "$(berth_rules_of "$BERTHD_BRIDGE" | sort)" "$want"
	# A start with another subnet (--bip) removes the rules of the one it
	# leaves; and back.
	local old n other=""
	old=$(berthd_subnet)
	for n in 10.227 10.229 10.241 10.243; do
		[ -z "$(ip route show "$n.0.0/16")" ] && other=$n && break
	done
	[ -n "$other" ] || fail "no free /16 for --bip"
	berthd_stop TERM
	BERTHD_EXTRA_ARGS="--bip $other.0.1/16" berthd_start
	assert_equal "$(berthd_subnet)" "$other.0.0/16"
	assert_equal "$(berth_rules_of "$BERTHD_BRIDGE" | sort)" \
		"$(expected_rules "$BERTHD_BRIDGE" "$other.0.0/16" | sort)"
	berthd_stop TERM
	BERTHD_EXTRA_ARGS="--bip ${old%.0/16}.1/16" berthd_start
	assert_equal "$(berthd_subnet)" "$old"
	assert_equal "$(berth_rules_of "$BERTHD_BRIDGE" | sort)" "$want"
	berthd_stop TERM
	berthd_start
	assert_equal "$(berthd_subnet)" "$old"
}

@test "berthd network: a config list of an older berthd (ipMasq, firewall plugin): its container's rules go with its DEL after the list is migrated at start" {
	local conf br sub id ip
	dk network create oldlist >/dev/null
	conf=$BERTHD_DATA/networks/oldlist.conflist
	br=$(bridge_of oldlist)
	sub=$(dk network inspect -f '{{(index .IPAM.Config 0).Subnet}}' oldlist)
	# The list as berthd wrote it before it made the rules itself.
	jq '.plugins[0].ipMasq = true | .plugins += [{"type":"firewall","backend":"iptables"}]' \
		"$conf" >"$conf.new"
	mv "$conf.new" "$conf"
	id=$(dk run -d --network oldlist berthd-test/bb:1 sleep 100)
	ip=$(dk inspect -f '{{.NetworkSettings.Networks.oldlist.IPAddress}}' "$id")
	# Its per-container rules: the bridge plugin's NAT chain, the
	# firewall plugin's accepts.
	iptables -t nat -S POSTROUTING | grep -qF -- "-s $ip/32" || fail "no NAT chain for $ip"
	iptables -S CNI-FORWARD | grep -qF -- "$ip/32" || fail "no firewall rule for $ip"
	berthd_stop TERM
	berthd_start
	# Migrated: the plugins' per-container rules are gone from the list,
	# the network has its own rules; the container still has its own.
	assert_equal "$(jq -c '[.plugins[].type], .plugins[0].ipMasq' "$conf" | tr '\n' ' ')" \
		'["bridge","portmap"] false '
	assert_equal "$(berth_rules_of "$br" | sort)" "$(expected_rules "$br" "$sub" | sort)"
	iptables -t nat -S POSTROUTING | grep -qF -- "-s $ip/32" || fail "the running container lost its NAT chain"
	# Its DEL runs the list it was attached with: its rules go.
	dk rm -f "$id" >/dev/null
	assert_detached oldlist "$id" "$ip"
	run sh -c "iptables-save | grep -F -e '$ip/32' -e '$id'"
	assert_equal "$output" ""
	# A container after the migration gets none.
	id=$(dk run -d --network oldlist berthd-test/bb:1 sleep 100)
	ip=$(dk inspect -f '{{.NetworkSettings.Networks.oldlist.IPAddress}}' "$id")
	run sh -c "iptables-save | grep -F -e '$ip/32' -e '$id'"
	assert_equal "$output" ""
	dk rm -f "$id" >/dev/null
	assert_detached oldlist "$id" "$ip"
	dk network rm oldlist >/dev/null
	assert_equal "$(berth_rules_of "$br")" ""
}
