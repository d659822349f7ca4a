#!/usr/bin/env bats
# berthd started by an unprivileged user (README.md, "Rootless"), driven
# by the docker CLI as that user: its socket under $XDG_RUNTIME_DIR/berth,
# its data under ~/.local/share/berth, its containers in its user
# namespace (the user's ids and subordinate ranges), on network none,
# host, or its default network through slirp4netns; images imported,
# loaded and pulled; berthd killed and started again while containers run.

load berthd_helpers
load rootless_helpers
load registry_helpers

DOCKER=${DOCKER:-$(command -v docker || echo /usr/local/bin/docker)}

setup() {
	setup_rootless
	cp "$REPO/build/berthd" "$REPO/build/berthd-shim" "$REPO/build/berthd-monitor" "$REPO/build/berthd-unpack" "$USER_DIR/bin/"
	chown "$RUID:$RGID" "$USER_DIR/bin/"berthd*
	tar -C "$BUNDLE/rootfs" -cf "$USER_DIR/rootfs.tar" .
	chown "$RUID:$RGID" "$USER_DIR/rootfs.tar"
	SOCK=$USER_DIR/xdg/berth/berthd.sock
	ud_berthd_start
}

# Start the rootless berthd as the test user, with extra options.
ud_berthd_start() {
	# A berthd killed with -9 left its socket: the new one's is awaited.
	rm -f "$SOCK"
	as_user "$USER_DIR/bin/berthd" --log-level debug "$@" >>"$USER_DIR/berthd.log" 2>&1 &
	wait_for test -S "$SOCK" || fail "berthd did not come up: $(cat "$USER_DIR/berthd.log")"
	# as_user's shell and runuser stand between: berthd's own pid (not
	# that of the holder of its namespaces, a fork named berthd-userns).
	BERTHD_PID=$(comm -12 <(pgrep -u "$RUID" -x berthd | sort) \
		<(pgrep -u "$RUID" -f "^$USER_DIR/bin/berthd --log-level debug" | sort))
	[ -n "$BERTHD_PID" ] || fail "berthd's pid not found"
}

# Stop it as a service manager would (SIGTERM); it removes its socket on
# the way out.
ud_berthd_stop() {
	kill "$BERTHD_PID" 2>/dev/null
	wait_for sh -c "! kill -0 $BERTHD_PID 2>/dev/null" || return 1
	BERTHD_PID=
	[ ! -e "$SOCK" ] || { echo "socket $SOCK left behind" >&2; return 1; }
}

teardown() {
	local failed=0 c
	if [ -S "${SOCK:-}" ]; then
		for c in $(ud ps -aq 2>/dev/null); do
			ud rm -f "$c" >/dev/null 2>&1 || failed=1
		done
	fi
	if [ -n "${BERTHD_PID:-}" ]; then
		ud_berthd_stop || failed=1
	fi
	if [ -n "${HOST_SERVER_PID:-}" ]; then
		kill "$HOST_SERVER_PID" 2>/dev/null
	fi
	[ -n "${REG_DIR:-}" ] && registry_teardown_file
	# slirp4netns, the namespaces' holder: teardown_rootless checks that
	# no process of the user is left.
	teardown_rootless || failed=1
	return "$failed"
}

# The docker CLI as the test user, at the rootless berthd's socket.
ud() {
	as_user env DOCKER_HOST="unix://$SOCK" "$DOCKER" "$@"
}

@test "berthd rootless: socket and data in the user's directories, containers in the user's namespace with network none" {
	# Everything berthd made is the user's.
	assert_equal "$(stat -c '%u %a' "$SOCK")" "$RUID 660"
	[ -d "$USER_DIR/.local/share/berth" ] || fail "no data root under ~/.local/share/berth"
	assert_equal "$(stat -c %u "$USER_DIR/.local/share/berth")" "$RUID"
	# berthd is root in a user namespace of its own, mapped to the user
	# and its subordinate ranges.
	read -r us uc < <(subid_range /etc/subuid)
	assert_equal "$(awk '{print $1, $2, $3}' "/proc/$BERTHD_PID/uid_map" | xargs)" \
		"0 $RUID 1 1 $us $uc"
	run ud import "$USER_DIR/rootfs.tar" rootless/busybox
	assert_success
	mkdir "$USER_DIR/vol"
	chown "$RUID:$RGID" "$USER_DIR/vol"
	run ud run --rm --network none -v "$USER_DIR/vol:/vol" rootless/busybox \
		sh -c 'id -u; cat /proc/self/uid_map; tail -n +3 /proc/net/dev | cut -d: -f1 | xargs; touch /vol/made'
	assert_success
	assert_equal "$(echo "$output" | sed -n 1p)" 0
	[ "$(echo "$output" | sed -n 2p | xargs)" = "0 $RUID 1" ] || fail "uid_map: $output"
	[ "$(echo "$output" | sed -n 3p | xargs)" = "1 $us $uc" ] || fail "uid_map: $output"
	assert_equal "$(echo "$output" | sed -n 4p)" lo
	# Root inside is the user outside.
	assert_equal "$(stat -c '%u %g' "$USER_DIR/vol/made")" "$RUID $RGID"
}

@test "berthd rootless: run -d, exec, logs, stop, rm" {
	run ud import "$USER_DIR/rootfs.tar" rootless/busybox
	assert_success
	run ud run -d --name c1 --network none rootless/busybox sh -c 'echo started; exec sleep 100'
	assert_success
	run ud exec c1 sh -c 'id -u; cat /proc/1/cmdline | tr "\0" " "'
	assert_success
	assert_equal "$(echo "$output" | sed -n 1p)" 0
	assert_output_contains "sleep 100"
	wait_for sh -c "[ -n \"\$(ps -u $RUID -o args= | grep -x 'sleep 100')\" ]"
	# Its shim has become the small monitor (executed from the user's
	# copy, next to berthd-shim).
	local sleeper
	sleeper=$(ps -u "$RUID" -o pid=,args= | awk '$2 == "sleep" && $3 == "100" {print $1}')
	assert_equal "$(readlink "/proc/$(awk '/^PPid:/ {print $2}' "/proc/$sleeper/status")/exe")" \
		"$USER_DIR/bin/berthd-monitor"
	run ud logs c1
	assert_output_contains started
	run ud stop -t 1 c1
	assert_success
	assert_equal "$(ud inspect -f '{{.State.Running}}' c1)" false
	run ud rm c1
	assert_success
	assert_equal "$(ud ps -aq)" ""
	wait_for sh -c "[ -z \"\$(ps -u $RUID -o args= | grep -x 'sleep 100')\" ]"
}

@test "berthd rootless: a limit without a delegated cgroup is refused with the reason, nothing left" {
	run ud import "$USER_DIR/rootfs.tar" rootless/busybox
	assert_success
	run ud run --name lim --network none --memory 64m rootless/busybox true
	assert_failure
	assert_output_contains "linux.resources.memory.limit"
	assert_output_contains "no cgroup"
	# The container record stays, as docker keeps a container whose
	# start failed; nothing of it runs.
	run ud rm -f lim
	assert_success
	assert_equal "$(ud ps -aq)" ""
	assert_equal "$(ls -A "$USER_DIR/xdg/berth/oci")" ""
}

@test "berthd rootless: --network host shares the host's network, with the host's /sys bound read-only" {
	run ud import "$USER_DIR/rootfs.tar" rootless/busybox
	assert_success
	run ud run --rm --network host rootless/busybox \
		sh -c 'readlink /proc/self/ns/net; awk "\$5 == \"/sys\" {print \$6}" /proc/self/mountinfo | cut -d, -f1'
	assert_success
	assert_equal "$(echo "$output" | sed -n 1p)" "$(readlink /proc/self/ns/net)"
	assert_equal "$(echo "$output" | sed -n 2p)" ro
}

@test "berthd rootless: docker load of a two-layer image, stacked with overlayfs in berthd's namespace" {
	BERTHD_DIR=$USER_DIR
	mkdir -p "$USER_DIR/l2/etc" "$USER_DIR/l2/bin"
	echo layer-two >"$USER_DIR/l2/etc/greeting"
	touch "$USER_DIR/l2/bin/.wh.ls"
	tar -C "$USER_DIR/l2" -cf "$USER_DIR/l2.tar" .
	make_docker_archive "$USER_DIR/archive.tar" rootless/two:layers "$USER_DIR/rootfs.tar" \
		"$USER_DIR/l2.tar"
	chown "$RUID:$RGID" "$USER_DIR/archive.tar"
	run as_user env DOCKER_HOST="unix://$SOCK" "$DOCKER" load -i "$USER_DIR/archive.tar"
	assert_success
	run ud run --rm --network none rootless/two:layers \
		sh -c 'cat /etc/greeting; [ -e /bin/ls ] && echo ls-present || echo ls-gone; awk "\$5 == \"/\" {print \$9}" /proc/self/mountinfo'
	assert_success
	assert_equal "$(echo "$output" | sed -n 1,3p | xargs)" "layer-two ls-gone overlay"
	# The layers on the host belong to the user or its subordinate ids,
	# never to anyone else (the archive's uid 1001 is id 1001 inside).
	read -r us uc < <(subid_range /etc/subuid)
	left=$(find "$USER_DIR/.local/share/berth" -printf '%U\n' | sort -u |
		awk -v r="$RUID" -v s="$us" -v c="$uc" '$1 != r && ($1 < s || $1 >= s + c)')
	assert_equal "$left" ""
}

@test "berthd rootless: docker build as the user: COPY --chown and RUN in its namespace, the image runs, the layers the user's ids" {
	local ctx=$USER_DIR/ctx us uc left
	run ud import "$USER_DIR/rootfs.tar" rootless/busybox
	assert_success
	mkdir -p "$ctx"
	echo copied >"$ctx/data.txt"
	cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM rootless/busybox
COPY --chown=1234:5678 data.txt /data.txt
RUN echo "ran as $(id -u)" >/ran
ENV BUILT=yes
CMD ["sh", "-c", "cat /data.txt /ran; stat -c '%u %g' /data.txt; echo $BUILT"]
DOCKERFILE
	chown -R "$RUID:$RGID" "$ctx"
	# The classic builder (docker 28 wants BuildKit's buildx otherwise).
	run as_user env DOCKER_HOST="unix://$SOCK" DOCKER_BUILDKIT=0 "$DOCKER" build \
		--network none -t rootless/built "$ctx"
	assert_success
	run ud run --rm --network none rootless/built
	assert_success
	assert_equal "$output" "copied
ran as 0
1234 5678
yes"
	# What the build stored belongs to the user or its subordinate ids.
	read -r us uc < <(subid_range /etc/subuid)
	left=$(find "$USER_DIR/.local/share/berth" -printf '%U\n' | sort -u |
		awk -v r="$RUID" -v s="$us" -v c="$uc" '$1 != r && ($1 < s || $1 >= s + c)')
	assert_equal "$left" ""
	# No container of the build's steps is left.
	assert_equal "$(ud ps -aq)" ""
}

@test "berthd rootless: started in a delegated cgroup v2 subtree, its containers get cgroups below it; pause freezes there; a limit the subtree cannot hold is refused, naming it" {
	local own deleg=berthd-rootless-deleg-$$
	run ud import "$USER_DIR/rootfs.tar" rootless/busybox
	assert_success
	ud_berthd_stop
	own=$(own_unified_cgroup)
	# berthd and the docker CLI as the user, in a mount namespace whose
	# /sys/fs/cgroup is a cgroup2 mount: the subtree is the user's, as
	# systemd's user@.service delegation gives it.
	cat >"$USER_DIR/deleg.sh" <<-SCRIPT
		set -e
		mount --make-rprivate /
		mount -t cgroup2 none /sys/fs/cgroup
		d=/sys/fs/cgroup$own/$deleg
		mkdir "\$d"
		chown $RUID "\$d" "\$d/cgroup.procs" "\$d/cgroup.subtree_control" "\$d/cgroup.threads"
		echo \$\$ >"\$d/cgroup.procs"
		u() { runuser -u $ROOTLESS_USER -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=$USER_DIR XDG_RUNTIME_DIR=$USER_DIR/xdg "\$@"; }
		D() { u env DOCKER_HOST=unix://$SOCK $DOCKER "\$@"; }
		rm -f $SOCK
		u $USER_DIR/bin/berthd --log-level debug >>$USER_DIR/berthd.log 2>&1 &
		for i in \$(seq 200); do [ -S $SOCK ] && break; sleep 0.05; done
		D run -d --network none --name c1 rootless/busybox sleep 100 >/dev/null
		pid=\$(D inspect -f '{{.State.Pid}}' c1)
		cg=\$(sed -n 's/^0:://p' /proc/\$pid/cgroup)
		echo "cgroup \$cg"
		echo "owner \$(stat -c %u /sys/fs/cgroup\$cg)"
		D pause c1
		echo "paused \$(D inspect -f '{{.State.Status}}' c1) \$(grep frozen /sys/fs/cgroup\$cg/cgroup.events)"
		D unpause c1
		echo "unpaused \$(grep frozen /sys/fs/cgroup\$cg/cgroup.events)"
		D rm -f c1 >/dev/null
		echo "controllers \$(cat "\$d/cgroup.controllers")"
		D run --rm --network none --pids-limit 10 rootless/busybox cat /sys/fs/cgroup/pids.max 2>&1 | sed 's/^/limit: /' || true
		echo "left \$(D ps -aq | wc -l) \$(find "\$d" -mindepth 1 -type d | grep -v '/berthd-userns\$' | wc -l)"
		kill \$(pgrep -u $RUID -x berthd)
		for i in \$(seq 200); do pgrep -u $RUID -x berthd >/dev/null || break; sleep 0.05; done
		echo \$\$ >/sys/fs/cgroup$own/cgroup.procs
		find "\$d" -mindepth 1 -depth -type d -exec rmdir {} +
		rmdir "\$d"
	SCRIPT
	BERTHD_PID=
	run unshare -m sh "$USER_DIR/deleg.sh"
	echo "$output"
	assert_success
	assert_output_contains "cgroup $own/$deleg/"
	assert_output_contains "owner $RUID"
	assert_output_contains "paused paused frozen 1"
	assert_output_contains "unpaused frozen 0"
	assert_output_contains "left 0 0"
	if [[ "$(echo "$output" | grep '^controllers')" == *pids* ]]; then
		assert_output_contains "limit: 10"
	else
		assert_output_contains "limit: docker: Error response from daemon"
		assert_output_contains "pids"
	fi
	[ ! -d "$(unified_root)$own/$deleg" ] || fail "the delegated cgroup is left"
}

@test "berthd rootless: a restart policy restarts the container" {
	run ud import "$USER_DIR/rootfs.tar" rootless/busybox
	assert_success
	run ud run -d --name rs --network none --restart on-failure:2 rootless/busybox sh -c 'exit 3'
	assert_success
	WAIT_FOR_SECONDS=20 wait_for sh -c "[ \"\$(runuser -u $ROOTLESS_USER -- env -i DOCKER_HOST=unix://$SOCK HOME=$USER_DIR $DOCKER inspect -f '{{.RestartCount}} {{.State.Status}}' rs)\" = '2 exited' ]"
	assert_equal "$(ud inspect -f '{{.State.ExitCode}}' rs)" 3
}

# An address of the host that is not loopback (the container reaches the
# host's loopback not at all: slirp4netns runs with --disable-host-loopback).
host_address() {
	ip -4 -o addr show scope global | awk '{ split($4, a, "/"); print a[1]; exit }'
}

# A web server on the host (busybox httpd) on every address of the host,
# at PORT, serving WORD as /greeting, until teardown; checked at ADDR.
host_server() {
	mkdir -p "$USER_DIR/www"
	echo "$3" >"$USER_DIR/www/greeting"
	("$BUSYBOX" httpd -f -p "$2" -h "$USER_DIR/www" >/dev/null 2>&1 & echo $! >"$USER_DIR/www.pid")
	HOST_SERVER_PID=$(cat "$USER_DIR/www.pid")
	wait_for curl -sf -o /dev/null "http://$1:$2/greeting" || fail "the host's server did not come up"
}

slirp_processes() {
	pgrep -u "$RUID" -x slirp4netns || true
}

@test "berthd rootless: the default network through slirp4netns: the way out, a published port, the helper gone with the container" {
	command -v slirp4netns >/dev/null || fail "slirp4netns is missing (Debian package slirp4netns; make deps)"
	local addr port hp
	addr=$(host_address)
	[ -n "$addr" ] || fail "the host has no IPv4 address but loopback"
	port=$(free_port)
	host_server "$addr" "$port" from-the-host
	run ud import "$USER_DIR/rootfs.tar" rootless/busybox
	assert_success
	# The container sees slirp4netns's tap with its address and route,
	# and reaches the host's server through it, but not the host's
	# loopback (10.0.2.2 would be it without --disable-host-loopback).
	run ud run --rm rootless/busybox sh -c \
		"tail -n +3 /proc/net/dev | cut -d: -f1 | xargs; ip -4 -o addr show tap0 | awk '{print \$4}'
		ip route | awk '/^default/ {print \$3}'
		get() { printf 'GET /greeting HTTP/1.0\r\n\r\n' | nc -w 10 \$1 $port | tail -n 1; }
		get $addr; echo \"loopback:[\$(get 10.0.2.2 2>&1)]\""
	assert_success
	assert_equal "$(echo "$output" | sed -n 1p)" "lo tap0"
	assert_equal "$(echo "$output" | sed -n 2p)" 10.0.2.100/24
	assert_equal "$(echo "$output" | sed -n 3p)" 10.0.2.2
	assert_equal "$(echo "$output" | sed -n 4p)" from-the-host
	assert_output_contains "loopback:["
	refute_output_contains from-the-host]
	# Its helper ended with it.
	wait_for sh -c "[ -z \"\$(pgrep -u $RUID -x slirp4netns)\" ]" ||
		fail "slirp4netns left running: $(slirp_processes)"
	assert_equal "$(ls -A "$USER_DIR/xdg/berth/netns")" ""

	# -p HOST:CONTAINER: the host's port reaches the container's server.
	hp=$(free_port)
	run ud run -d --name web -p "$hp:8080" rootless/busybox sh -c \
		'mkdir /www && echo from-the-container >/www/greeting && exec httpd -f -p 8080 -h /www'
	assert_success
	wait_for curl -sf -o /dev/null "http://127.0.0.1:$hp/greeting" ||
		fail "port $hp does not answer: $(cat "$USER_DIR/berthd.log" | tail -5)"
	assert_equal "$(curl -sf "http://127.0.0.1:$hp/greeting")" from-the-container
	assert_equal "$(curl -sf "http://$addr:$hp/greeting")" from-the-container
	assert_equal "$(ud port web 8080/tcp | head -n 1)" "0.0.0.0:$hp"
	assert_equal "$(ud inspect -f '{{.NetworkSettings.IPAddress}}' web)" 10.0.2.100
	# One helper, the user's, in berthd's user namespace.
	[ -n "$(slirp_processes)" ] || fail "no slirp4netns runs"
	assert_equal "$(readlink "/proc/$(slirp_processes | head -n 1)/ns/user")" \
		"$(readlink "/proc/$BERTHD_PID/ns/user")"
	run ud rm -f web
	assert_success
	wait_for sh -c "[ -z \"\$(pgrep -u $RUID -x slirp4netns)\" ]" ||
		fail "slirp4netns left running: $(slirp_processes)"
	assert_equal "$(ls -A "$USER_DIR/xdg/berth/netns")" ""
	run curl -s -o /dev/null "http://127.0.0.1:$hp/greeting"
	assert_failure
}

@test "berthd rootless: docker pull from a registry, the layers unpacked with the user's ids" {
	local us uc
	REG_DIR=$(mktemp -d /tmp/berth-registry.XXXXXX)
	REG_CERTS=$REG_DIR/certs.d
	registry_start plain plain
	# An image whose files belong to root, and one to 1234, in the
	# layers' tar headers.
	tar -C "$BUNDLE/rootfs" --owner=0 --group=0 --numeric-owner -cf "$REG_DIR/l1.tar" .
	mkdir -p "$REG_DIR/l2/etc"
	echo pulled >"$REG_DIR/l2/etc/pulled"
	echo owned >"$REG_DIR/l2/etc/owned"
	chown 0:0 "$REG_DIR/l2/etc/pulled"
	chown 1234:1234 "$REG_DIR/l2/etc/owned"
	tar -C "$REG_DIR/l2" --numeric-owner -cf "$REG_DIR/l2.tar" .
	BERTHD_DIR=$REG_DIR make_docker_archive "$REG_DIR/img.tar" rootless/pulled:1 "$REG_DIR/l1.tar" "$REG_DIR/l2.tar"
	skopeo copy -q --dest-tls-verify=false "docker-archive:$REG_DIR/img.tar" \
		"docker://$REG_PLAIN_ADDR/rootless/pulled:1"
	ud_berthd_stop
	ud_berthd_start --insecure-registry "$REG_PLAIN_ADDR"
	run ud pull "$REG_PLAIN_ADDR/rootless/pulled:1"
	assert_success
	run ud run --rm --network none "$REG_PLAIN_ADDR/rootless/pulled:1" \
		sh -c 'stat -c "%u %g" /etc/pulled /etc/owned /bin/busybox; cat /etc/pulled'
	assert_success
	assert_equal "$(echo "$output" | xargs)" "0 0 1234 1234 0 0 pulled"
	# On the host, root's files are the user's, 1234's its subordinate
	# id 1234 (the range maps from 1 on).
	read -r us uc < <(subid_range /etc/subuid)
	assert_equal "$(find "$USER_DIR/.local/share/berth" -path '*/etc/pulled' -printf '%U\n' | sort -u)" "$RUID"
	assert_equal "$(find "$USER_DIR/.local/share/berth" -path '*/etc/owned' -printf '%U\n' | sort -u)" \
		"$((us + 1233))"
}

@test "berthd rootless: killed with -9 and started again, it joins its namespaces again and finds its running container" {
	local hp userns mntns cpid
	run ud import "$USER_DIR/rootfs.tar" rootless/busybox
	assert_success
	hp=$(free_port)
	run ud run -d --name keep -p "$hp:8080" rootless/busybox sh -c \
		'mkdir /www && echo kept >/www/greeting && exec httpd -f -p 8080 -h /www'
	assert_success
	wait_for curl -sf -o /dev/null "http://127.0.0.1:$hp/greeting" || fail "port $hp does not answer"
	cpid=$(ud inspect -f '{{.State.Pid}}' keep)
	userns=$(readlink "/proc/$BERTHD_PID/ns/user")
	mntns=$(readlink "/proc/$BERTHD_PID/ns/mnt")
	kill -9 "$BERTHD_PID"
	wait_for sh -c "! kill -0 $BERTHD_PID 2>/dev/null"
	# The container and its network run on without berthd.
	assert_equal "$(curl -sf "http://127.0.0.1:$hp/greeting")" kept
	ud_berthd_start
	# The same namespaces as before, not new ones.
	assert_equal "$(readlink "/proc/$BERTHD_PID/ns/user")" "$userns"
	assert_equal "$(readlink "/proc/$BERTHD_PID/ns/mnt")" "$mntns"
	assert_equal "$(ud ps --format '{{.Names}} {{.State}}')" "keep running"
	assert_equal "$(ud inspect -f '{{.State.Pid}} {{.NetworkSettings.IPAddress}}' keep)" "$cpid 10.0.2.100"
	assert_equal "$(ud port keep 8080/tcp | head -n 1)" "0.0.0.0:$hp"
	run ud exec keep sh -c 'cat /www/greeting; id -u; cat /proc/1/cmdline | tr "\0" " "'
	assert_success
	assert_equal "$(echo "$output" | sed -n 1,2p | xargs)" "kept 0"
	assert_output_contains "httpd -f -p 8080"
	run ud stop -t 1 keep
	assert_success
	assert_equal "$(ud inspect -f '{{.State.Running}}' keep)" false
	[ ! -e "/proc/$cpid" ] || fail "the container's process $cpid runs on"
	# Its network went with it.
	wait_for sh -c "[ -z \"\$(pgrep -u $RUID -x slirp4netns)\" ]" ||
		fail "slirp4netns left running: $(slirp_processes)"
	run curl -s -o /dev/null "http://127.0.0.1:$hp/greeting"
	assert_failure
	run ud rm keep
	assert_success
	assert_equal "$(ud ps -aq)" ""
	assert_equal "$(ls -A "$USER_DIR/xdg/berth/netns")" ""
	# With nothing left running, a clean stop ends the namespaces' holder
	# too (teardown checks that no process of the user is left).
	ud_berthd_stop
	# (Killed, it may stay a zombie a moment: init reaps it.)
	wait_for sh -c "[ -z \"\$(ps -u $RUID -o stat=,comm= | awk '\$1 !~ /^Z/ && \$2 == \"berthd-userns\"')\" ]" ||
		fail "the holder runs on: $(user_processes)"
	[ ! -e "$USER_DIR/xdg/berth/berthd-userns" ] || fail "the holder's file is left"
}

# The holder of berthd's namespaces, alive (a killed one may stay a
# zombie a moment).
holder_processes() {
	ps -u "$RUID" -o pid=,stat=,comm= | awk '$2 !~ /^Z/ && $3 == "berthd-userns" {print $1}'
}

@test "berthd rootless: stopped cleanly while a container runs, it keeps the namespaces for its next start" {
	local hp userns
	run ud import "$USER_DIR/rootfs.tar" rootless/busybox
	assert_success
	hp=$(free_port)
	run ud run -d --name keep -p "127.0.0.1:$hp:8080" rootless/busybox sh -c \
		'mkdir /www && echo kept >/www/greeting && exec httpd -f -p 8080 -h /www'
	assert_success
	wait_for curl -sf -o /dev/null "http://127.0.0.1:$hp/greeting" || fail "port $hp does not answer"
	userns=$(readlink "/proc/$BERTHD_PID/ns/user")
	ud_berthd_stop
	[ -n "$(holder_processes)" ] || fail "the holder ended while a container runs"
	assert_equal "$(curl -sf "http://127.0.0.1:$hp/greeting")" kept
	ud_berthd_start
	assert_equal "$(readlink "/proc/$BERTHD_PID/ns/user")" "$userns"
	assert_equal "$(ud exec keep cat /www/greeting)" kept
	run ud rm -f keep
	assert_success
	wait_for sh -c "[ -z \"\$(pgrep -u $RUID -x slirp4netns)\" ]" ||
		fail "slirp4netns left running: $(slirp_processes)"
}

@test "berthd rootless: a container that ended while berthd was down has its slirp4netns ended at the next start" {
	local hp cpid
	run ud import "$USER_DIR/rootfs.tar" rootless/busybox
	assert_success
	hp=$(free_port)
	run ud run -d --name gone -p "$hp:8080" rootless/busybox sh -c \
		'mkdir /www && echo here >/www/greeting && exec httpd -f -p 8080 -h /www'
	assert_success
	wait_for curl -sf -o /dev/null "http://127.0.0.1:$hp/greeting" || fail "port $hp does not answer"
	cpid=$(ud inspect -f '{{.State.Pid}}' gone)
	kill -9 "$BERTHD_PID"
	wait_for sh -c "! kill -0 $BERTHD_PID 2>/dev/null"
	kill -9 "$cpid"
	wait_for sh -c "! kill -0 $cpid 2>/dev/null"
	# Nobody ended the helper yet.
	[ -n "$(slirp_processes)" ] || fail "slirp4netns ended with no one to end it"
	ud_berthd_start
	wait_for sh -c "[ -z \"\$(pgrep -u $RUID -x slirp4netns)\" ]" ||
		fail "slirp4netns left running: $(slirp_processes)"
	wait_for sh -c "[ -z \"\$(ls -A $USER_DIR/xdg/berth/netns)\" ]" ||
		fail "left in netns: $(ls -A "$USER_DIR/xdg/berth/netns")"
	assert_equal "$(ud inspect -f '{{.State.Status}}' gone)" exited
	run curl -s -o /dev/null "http://127.0.0.1:$hp/greeting"
	assert_failure
}

@test "berthd rootless: what its network cannot do is refused with the reason, nothing left" {
	run ud import "$USER_DIR/rootfs.tar" rootless/busybox
	assert_success
	# A privileged port: the user may not bind it.
	run ud run --name low -p 80:8080 rootless/busybox true
	assert_failure
	assert_output_contains "publish port 8080/tcp on 0.0.0.0:80"
	assert_output_contains "Permission denied"
	run ud network create rootless-net
	assert_failure
	assert_output_contains "a rootless berthd has no networks"
	run ud run -d --name alone --network none rootless/busybox sleep 100
	assert_success
	run ud network connect bridge alone
	assert_failure
	assert_output_contains "a rootless berthd connects no container to a network"
	run ud rm -f alone
	assert_success
	[ -z "$(slirp_processes)" ] || fail "slirp4netns left running: $(slirp_processes)"
	assert_equal "$(ls -A "$USER_DIR/xdg/berth/netns")" ""
	ud rm -f low >/dev/null 2>&1 || true
	# A refused start of berthd itself leaves nothing running, not even
	# the holder of the namespaces it made.
	ud_berthd_stop
	wait_for no_user_processes || fail "left after the stop: $(user_processes)"
	run as_user "$USER_DIR/bin/berthd" --bridge eth9
	assert_failure
	assert_output_contains "--bridge eth9: a rootless berthd has no networks"
	wait_for no_user_processes || fail "left after a refused start: $(user_processes)"
	[ ! -e "$SOCK" ] || fail "socket left behind"
}
