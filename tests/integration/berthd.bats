#!/usr/bin/env bats
# berthd through the unmodified docker CLI: version, images, run, the
# container lifecycle, logs, attach, events, restart policies.

bats_require_minimum_version 1.5.0
load berthd_helpers
berthd_file_hooks
# A test that traces berthd (trace_berthd) lets it go even when it fails.
teardown() {
	untrace_berthd
	berthd_remove_containers
}

@test "berthd: docker version and info talk to berthd" {
	run dk version --format '{{.Server.Platform.Name}} {{.Server.APIVersion}}'
	assert_success
	assert_equal "$output" "berthd 1.45"
	run dk info --format '{{.Images}} {{.OSType}} {{.DockerRootDir}}'
	assert_success
	assert_equal "$output" "2 linux $BERTHD_DATA"
}

@test "berthd: the socket is 0660 root:nogroup; other users are refused by the kernel" {
	assert_equal "$(stat -c '%a %U %G' "$BERTHD_SOCK")" "660 root nogroup"
	run setpriv --reuid 1000 --regid 1000 --clear-groups "$DOCKER" version --format '{{.Server.Version}}'
	assert_failure
	assert_output_contains "permission denied"
	# The group named by --group may connect.
	run setpriv --reuid 65534 --regid 65534 --clear-groups "$DOCKER" version --format '{{.Server.Platform.Name}}'
	assert_success
	assert_equal "$output" "berthd"
}

@test "berthd: docker import and docker load (docker-archive, gzip'd OCI layout); images, inspect" {
	run dk images --format '{{.Repository}}:{{.Tag}}'
	assert_success
	assert_output_contains "berthd-test/bb:1"
	assert_output_contains "berthd-test/two:layers"
	run dk load -i "$BERTHD_DIR/img/oci.tar.gz"
	assert_success
	assert_equal "$output" "Loaded image: berthd-test/oci:gz"
	run dk run --rm berthd-test/oci:gz
	assert_success
	assert_equal "$output" "oci-default"
	# Layers are shared: the three images use two distinct layers.
	assert_equal "$(ls "$BERTHD_DATA/layers" | wc -l)" 2
	run dk image inspect -f '{{len .RootFS.Layers}} {{.Config.WorkingDir}} {{.Os}}' berthd-test/two:layers
	assert_success
	assert_equal "$output" "2 /tmp linux"
	run dk rmi berthd-test/oci:gz
	assert_success
	assert_output_contains "Deleted: sha256:"
	# Its layers belong to the other images too: they stay.
	assert_equal "$(ls "$BERTHD_DATA/layers" | wc -l)" 2
}

@test "berthd: tag and remove images; a layer goes with its last image" {
	run dk tag berthd-test/bb:1 berthd-test/bb:other
	assert_success
	run dk rmi berthd-test/bb:other
	assert_success
	assert_equal "$output" "Untagged: berthd-test/bb:other"
	dk import "$BERTHD_DIR/img/l2.tar" berthd-test/only:l2 >/dev/null
	local layer
	layer=$(sha256sum "$BERTHD_DIR/img/l2.tar" | cut -d' ' -f1)
	[ -d "$BERTHD_DATA/layers/$layer" ]
	# The same layer is also the top of two:layers: it stays.
	dk rmi berthd-test/only:l2 >/dev/null
	[ -d "$BERTHD_DATA/layers/$layer" ]
	run dk rmi nosuch:image
	assert_failure
	assert_output_contains "No such image: nosuch:image"
}

@test "berthd: docker run --rm prints hi; the container is gone afterwards" {
	local pid before
	pid=$(cat "$BERTHD_DIR/pid")
	before=$(cat "/proc/$pid/cgroup")
	run dk run --rm berthd-test/bb:1 echo hi
	assert_success
	assert_equal "$output" "hi"
	# berthd stays in its own cgroup, in every hierarchy: nothing of a
	# container's start moves it.
	assert_equal "$(cat "/proc/$pid/cgroup")" "$before"
	assert_equal "$(dk ps -aq)" ""
	assert_equal "$(ls "$BERTHD_DATA/containers")" ""
	# Containers that exit before their start has returned are removed
	# all the same (the client waits for the removal).
	for _ in $(seq 10); do
		run timeout 20 "$DOCKER" run --rm berthd-test/bb:1 true
		assert_success
	done
	assert_equal "$(dk ps -aq)" ""
	assert_equal "$(ls "$BERTHD_DATA/containers")" ""
}

@test "berthd: an --rm container's root is volatile, a kept one's is not; docker restart keeps an --rm container" {
	# overlayfs shows the option as "volatile" or, since 6.x, "fsync=volatile".
	run dk run --rm berthd-test/bb:1 grep " / / " /proc/self/mountinfo
	assert_success
	assert_output_contains " - overlay "
	assert_output_contains "volatile"
	run dk run --name kept berthd-test/bb:1 grep " / / " /proc/self/mountinfo
	assert_success
	assert_output_contains " - overlay "
	if [[ "$output" == *volatile* ]]; then
		fail "a container that is kept has a volatile root: $output"
	fi
	dk rm kept >/dev/null
	# docker restart does not remove an --rm container (docker keeps it
	# too); its files survive the second, volatile, mount; stop removes it.
	dk run -d --rm --name r1 berthd-test/bb:1 sh -c 'echo run >>/runs; sleep 1000' >/dev/null
	dk restart -t 0 r1 >/dev/null
	wait_for sh -c "'$DOCKER' exec r1 cat /runs | grep -c run | grep -qx 2"
	assert_equal "$(dk exec r1 cat /runs | tr '\n' ' ')" "run run "
	dk stop -t 0 r1 >/dev/null
	wait_for sh -c "[ -z \"\$('$DOCKER' ps -aq)\" ]"
	assert_equal "$(ls "$BERTHD_DATA/containers")" ""
}

@test "berthd: exit codes propagate; stdout and stderr stay apart" {
	run dk run --rm berthd-test/bb:1 sh -c 'exit 3'
	assert_failure 3
	run dk run --rm berthd-test/bb:1 sh -c 'echo to-out; echo to-err >&2'
	assert_success
	assert_equal "$(dk run --rm berthd-test/bb:1 sh -c 'echo to-out; echo to-err >&2' 2>/dev/null)" "to-out"
	assert_equal "$(dk run --rm berthd-test/bb:1 sh -c 'echo to-out; echo to-err >&2' 2>&1 >/dev/null)" "to-err"
	run -127 dk run --rm berthd-test/bb:1 no-such-program
	assert_failure 127
	assert_output_contains "executable file not found"
}

@test "berthd: the image's defaults apply; whiteouts and opaque directories are honoured" {
	run dk run --rm berthd-test/two:layers
	assert_success
	assert_equal "$output" "default-cmd"
	run dk run --rm -e EXTRA=1 berthd-test/two:layers sh -c 'echo $FROM_IMAGE $EXTRA; pwd; cat /etc/greeting; ls /tmp | wc -l; test -e /bin/ls || echo no-ls'
	assert_success
	assert_equal "$output" "yes 1
/tmp
layer-two
0
no-ls"
}

@test "berthd: run -d, ps, logs, logs -f, inspect" {
	local id
	id=$(dk run -d --name ticker -l team=a berthd-test/bb:1 sh -c 'for i in 1 2 3; do echo line$i; sleep 0.2; done; sleep 100')
	wait_status ticker running
	run dk ps --format '{{.Names}} {{.Status}}'
	assert_success
	assert_output_contains "ticker Up"
	run dk ps -q --filter label=team=a
	assert_equal "$output" "${id:0:12}"
	run dk ps -q --filter label=team=b
	assert_equal "$output" ""
	sleep 0.8
	run dk logs ticker
	assert_success
	assert_equal "$output" "line1
line2
line3"
	run dk logs --tail 1 ticker
	assert_equal "$output" "line3"
	run dk logs -t ticker
	[[ "${lines[0]}" =~ ^20[0-9-]+T[0-9:.]+Z\ line1$ ]]
	run timeout 2 "$DOCKER" logs -f ticker
	# -f keeps following a running container: timeout ends it.
	assert_failure 124
	assert_output_contains "line3"
	run dk inspect -f '{{.State.Status}} {{.State.Running}} {{.Name}} {{.Config.Labels.team}} {{.HostConfig.NetworkMode}}' ticker
	assert_equal "$output" "running true /ticker a default"
	# The pid inspect reports is the container's init, in its own pid namespace.
	local pid
	pid=$(dk inspect -f '{{.State.Pid}}' ticker)
	[ "$(readlink /proc/$pid/ns/pid)" != "$(readlink /proc/self/ns/pid)" ]
	run dk top ticker
	assert_success
	assert_output_contains "sleep 100"
}

@test "berthd: docker ps --size: what each container wrote, and that with its image; a plain ps walks nothing" {
	local id quiet img listing rw
	id=$(dk run -d --name sizer berthd-test/bb:1 sh -c 'head -c 300000 /dev/zero >/blob; echo done >/mark; sleep 1000')
	quiet=$(dk run -d --name quiet berthd-test/bb:1 sleep 1000)
	for _ in $(seq 100); do
		dk exec sizer cat /mark >/dev/null 2>&1 && break
		sleep 0.1
	done
	img=$(dk image inspect -f '{{.Size}}' berthd-test/bb:1)
	listing=$(curl -sS --unix-socket "$BERTHD_SOCK" 'http://api/containers/json?size=1')
	# What the writable layer holds on disk, counted apart: the files'
	# sizes (the blob, the mark and what berthd wrote into /etc).
	rw=$(find "$BERTHD_DATA/containers/$id/upper" ! -type d -printf '%s\n' | awk '{n += $1} END {print n}')
	[ "$rw" -ge 300005 ]
	assert_equal "$(jq --arg id "$id" '.[] | select(.Id == $id) | .SizeRw' <<<"$listing")" "$rw"
	assert_equal "$(jq --arg id "$id" '.[] | select(.Id == $id) | .SizeRootFs' <<<"$listing")" "$((img + rw))"
	rw=$(find "$BERTHD_DATA/containers/$quiet/upper" ! -type d -printf '%s\n' | awk '{n += $1} END {print n + 0}')
	[ "$rw" -lt 300000 ]
	assert_equal "$(jq --arg id "$quiet" '.[] | select(.Id == $id) | .SizeRw' <<<"$listing")" "$rw"
	# Without size=1 the listing has no sizes (it is answered from memory).
	listing=$(curl -sS --unix-socket "$BERTHD_SOCK" 'http://api/containers/json')
	assert_equal "$(jq 'length' <<<"$listing")" 2
	assert_equal "$(jq 'map(has("SizeRw") or has("SizeRootFs")) | any' <<<"$listing")" false
	# The CLI shows them: "300kB (virtual ...)".
	run dk ps -s --filter name=sizer --format '{{.Size}}'
	assert_success
	[[ "$output" =~ ^30[0-9.]*kB\ \(virtual\ [0-9.]+[kM]B\)$ ]]
	dk rm -f sizer quiet >/dev/null
}

@test "berthd: logs -f ends when the container exits; logs survive the exit" {
	dk run -d --name shortlived berthd-test/bb:1 sh -c 'echo first; sleep 1; echo last' >/dev/null
	run timeout 10 "$DOCKER" logs -f shortlived
	assert_success
	assert_equal "$output" "first
last"
	run dk wait shortlived
	assert_equal "$output" "0"
	run dk logs shortlived
	assert_equal "$output" "first
last"
}

@test "berthd: stop (SIGTERM, then SIGKILL after the timeout), kill, wait, rm -f" {
	dk run -d --name polite berthd-test/bb:1 sh -c 'trap "echo got-term; exit 0" TERM; while true; do sleep 0.1; done' >/dev/null
	wait_status polite running
	run dk stop polite
	assert_success
	run dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' polite
	assert_equal "$output" "exited 0"
	assert_equal "$(dk logs polite)" "got-term"

	dk run -d --name stubborn berthd-test/bb:1 sleep 1000 >/dev/null
	wait_status stubborn running
	local start end
	start=$(date +%s)
	run dk stop -t 1 stubborn
	assert_success
	end=$(date +%s)
	# sleep as pid 1 ignores SIGTERM: SIGKILL came after about a second.
	[ $((end - start)) -ge 1 ]
	assert_equal "$(dk inspect -f '{{.State.ExitCode}}' stubborn)" "137"

	# A signal reaches the container's init (pid 1 there: only signals
	# it handles, as with docker).
	# Signalled once its trap is set: before, pid 1 ignores USR1.
	dk run -d --name victim berthd-test/bb:1 sh -c 'trap "exit 9" USR1; echo trapped; while :; do sleep 0.1; done' >/dev/null
	wait_for sh -c "\"$DOCKER\" logs victim 2>&1 | grep -qx trapped"
	run dk kill -s USR1 victim
	assert_success
	run timeout 10 "$DOCKER" wait victim
	assert_equal "$output" "9"
	run dk kill victim
	assert_failure
	assert_output_contains "is not running"

	dk run -d --name busy berthd-test/bb:1 sleep 1000 >/dev/null
	run dk rm busy
	assert_failure
	assert_output_contains "stop the container before removing or force remove"
	run dk rm -f busy polite stubborn victim
	assert_success
	assert_equal "$(dk ps -aq)" ""
}

@test "berthd: docker events sees create, start and die with the exit code" {
	local since
	since=$(date +%s)
	dk run --rm --name evented berthd-test/bb:1 sh -c 'exit 5' || true
	run dk events --since "$since" --until "$(($(date +%s) + 1))" --filter container=evented \
		--format '{{.Action}} {{.Actor.Attributes.exitCode}}'
	assert_success
	assert_output_contains "create"
	assert_output_contains "start"
	assert_output_contains "die 5"
	assert_output_contains "destroy"
}

@test "berthd: docker events --until in the past (and --since 0) still gets every event recorded up to then" {
	local since until
	# More events before ours than berthd reads at a time (32).
	for _ in $(seq 10); do
		dk run --rm berthd-test/bb:1 true
	done
	since=$(date +%s)
	dk run --name marked berthd-test/bb:1 sh -c 'exit 6' || true
	sleep 1.1
	until=$(date +%s)
	run dk events --since "$((since - 60))" --until "$until" --filter container=marked \
		--format '{{.Action}} {{.Actor.Attributes.exitCode}}'
	assert_success
	assert_output_contains "die 6"
	# since 0 is the epoch: every event kept, not "from now on".
	run dk events --since 0 --until "$until" --filter container=marked \
		--format '{{.Action}} {{.Actor.Attributes.exitCode}}'
	assert_success
	assert_output_contains "die 6"
	dk rm marked >/dev/null
}

@test "berthd: restart policies: on-failure:N, always, unless-stopped; stop ends them" {
	dk run -d --name onfail --restart on-failure:2 berthd-test/bb:1 sh -c 'echo try; exit 1' >/dev/null
	local i
	for i in $(seq 100); do
		[ "$(dk inspect -f '{{.State.Status}} {{.RestartCount}}' onfail)" = "exited 2" ] && break
		sleep 0.1
	done
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}' onfail)" "exited 2 1"
	assert_equal "$(dk logs onfail | wc -l)" "3"

	dk run -d --name forever --restart always berthd-test/bb:1 sh -c 'sleep 0.2; exit 0' >/dev/null
	for i in $(seq 100); do
		[ "$(dk inspect -f '{{.RestartCount}}' forever)" -ge 2 ] && break
		sleep 0.1
	done
	[ "$(dk inspect -f '{{.RestartCount}}' forever)" -ge 2 ]
	run dk stop forever
	assert_success
	sleep 0.5
	assert_equal "$(dk inspect -f '{{.State.Status}}' forever)" "exited"

	dk run -d --name unless --restart unless-stopped berthd-test/bb:1 sh -c 'exit 0' >/dev/null
	for i in $(seq 100); do
		[ "$(dk inspect -f '{{.RestartCount}}' unless)" -ge 1 ] && break
		sleep 0.1
	done
	[ "$(dk inspect -f '{{.RestartCount}}' unless)" -ge 1 ]
	# (older docker CLIs refuse this themselves: ask the API)
	run curl -sS --unix-socket "$BERTHD_SOCK" -X POST -d \
		'{"Image":"berthd-test/bb:1","Cmd":["true"],"HostConfig":{"AutoRemove":true,"RestartPolicy":{"Name":"always"}}}' \
		http://berthd/containers/create
	assert_output_contains "cannot specify both --restart and --rm"
}

@test "berthd: docker run -i passes stdin and closes it at its end" {
	run bash -c "printf 'one\ntwo\n' | '$DOCKER' run --rm -i berthd-test/bb:1 sh -c 'cat; echo stdin-closed'"
	assert_success
	assert_equal "$output" "one
two
stdin-closed"
}

@test "berthd: docker run -it gets a terminal" {
	run script -qec "'$DOCKER' run --rm -it berthd-test/bb:1 sh -c 'tty; stty size'" /dev/null </dev/null
	assert_success
	assert_output_contains "/dev/pts/0"
}

@test "berthd: docker attach to a running container sees its output" {
	dk run -d --name talker berthd-test/bb:1 sh -c 'sleep 1; echo after-attach; sleep 0.5' >/dev/null
	run timeout 10 "$DOCKER" attach talker
	assert_success
	assert_equal "$output" "after-attach"
}

@test "berthd: networks: none has loopback only, the default network brings lo up, host shares the host's" {
	run dk run --rm --network none berthd-test/bb:1 cat /proc/net/dev
	assert_success
	assert_equal "$(echo "$output" | tail -n +3 | awk '{print $1}')" "lo:"
	run dk run --rm berthd-test/bb:1 sh -c 'ip link show lo | head -1; ping -c 1 -W 1 127.0.0.1 >/dev/null && echo ping-ok'
	assert_success
	assert_output_contains "UP"
	assert_output_contains "ping-ok"
	# The shim brought lo up from inside the container's namespace and
	# went back to the host's.
	id=$(dk run -d berthd-test/bb:1 sleep 100)
	shim=$(pgrep -f "berthd-shim --root $BERTHD_ROOT/.* --id $id")
	[ -n "$shim" ]
	assert_equal "$(readlink "/proc/$shim/ns/net")" "$(readlink /proc/self/ns/net)"
	[ "$(readlink "/proc/$(dk inspect -f '{{.State.Pid}}' "$id")/ns/net")" != "$(readlink /proc/self/ns/net)" ]
	dk rm -f "$id" >/dev/null
	run dk run --rm --network host berthd-test/bb:1 readlink /proc/1/ns/net
	assert_success
	assert_equal "$output" "$(readlink /proc/self/ns/net)"
	dk create --name nets --network none berthd-test/bb:1 true >/dev/null
	assert_equal "$(dk inspect -f '{{.HostConfig.NetworkMode}} {{range $k, $v := .NetworkSettings.Networks}}{{$k}}:{{$v.NetworkID}}{{end}}' nets)" "none none:none"
	dk create --name netd berthd-test/bb:1 true >/dev/null
	# Not attached before its start (berthd_network.bats: after).
	assert_equal "$(dk inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}:{{$v.NetworkID}}:{{$v.IPAddress}}{{end}}' netd)" "bridge::"
	run dk run --rm --network mynet berthd-test/bb:1 true
	assert_failure
	assert_output_contains "network mynet not found"
}

# One default policy: berthd's container and berth spec's config get the
# same seccomp filter for the same capabilities, and the same masked and
# read-only paths, device rules, mounts and namespaces; with docker's default capabilities the
# filter lifts what CAP_SYS_CHROOT makes legitimate, and only that.
@test "berthd: a container gets berth spec's seccomp profile, masks and devices" {
	local id cfg spec=$BATS_TEST_TMPDIR/spec
	mkdir -p "$spec"
	"$BERTH" spec --bundle "$spec"
	id=$(dk create --cap-drop ALL --cap-add AUDIT_WRITE --cap-add KILL \
		--cap-add NET_BIND_SERVICE berthd-test/bb:1 true)
	dk start "$id" >/dev/null
	cfg=$BERTHD_DATA/containers/$id/config.json
	assert_equal "$(jq -S .linux.seccomp "$cfg")" "$(jq -S .linux.seccomp "$spec/config.json")"
	assert_equal "$(jq -c '.linux | [.maskedPaths, .readonlyPaths]' "$cfg")" \
		"$(jq -c '.linux | [.maskedPaths, .readonlyPaths]' "$spec/config.json")"
	assert_equal "$(jq -c .linux.resources.devices "$cfg")" \
		"$(jq -c .linux.resources.devices "$spec/config.json")"
	assert_equal "$(jq -r .linux.seccomp.defaultAction "$cfg")" SCMP_ACT_ERRNO
	# The same default config below the request's changes: its mounts
	# (besides the files berthd binds in), in order, and namespaces.
	assert_equal "$(jq -c '[.mounts[] | select(.type != "bind") | [.destination, .type, .source]]' "$cfg")" \
		"$(jq -c '[.mounts[] | [.destination, .type, .source]]' "$spec/config.json")"
	assert_equal "$(jq -c '[.mounts[] | select(.type == "bind") | .destination]' "$cfg")" \
		'["/etc/hostname","/etc/hosts","/etc/resolv.conf"]'
	# The network namespace is the one berthd made and attached for the
	# container (berthd_network.bats), joined by its path.
	assert_equal "$(jq -c '[.linux.namespaces[] | del(.path)]' "$cfg")" "$(jq -c .linux.namespaces "$spec/config.json")"
	assert_equal "$(jq -r '.linux.namespaces[] | select(.type == "network") | .path' "$cfg")" \
		"$BERTHD_ROOT/netns/$id"
	dk rm -f "$id" >/dev/null

	# What the container sees: an allow list refuses a syscall it does
	# not name (listmount, Linux 6.8) with ENOSYS, where a deny list
	# would let the kernel answer; chroot is docker's with CAP_SYS_CHROOT.
	cp "$HELPERS/sysprobe" "$BERTHD_DIR/sysprobe"
	run dk run --rm -v "$BERTHD_DIR/sysprobe:/sysprobe:ro" berthd-test/bb:1 \
		sh -c '/sysprobe listmount 0 0 0 0; /sysprobe chroot /nonexistent; /sysprobe keyctl 0'
	assert_equal "${lines[0]}" "errno 38 Function not implemented"
	assert_equal "${lines[1]}" "errno 2 No such file or directory"
	assert_equal "${lines[2]}" "errno 1 Operation not permitted"
	run dk run --rm --cap-drop SYS_CHROOT -v "$BERTHD_DIR/sysprobe:/sysprobe:ro" \
		berthd-test/bb:1 /sysprobe chroot /nonexistent
	assert_equal "$output" "errno 1 Operation not permitted"
}

@test "berthd: binds, read-only root, user, hostname, capabilities, seccomp" {
	mkdir -p "$BERTHD_DIR/share"
	echo from-host >"$BERTHD_DIR/share/file"
	run dk run --rm -v "$BERTHD_DIR/share:/data:ro" berthd-test/bb:1 sh -c 'cat /data/file; touch /data/x 2>&1 || true'
	assert_success
	assert_output_contains "from-host"
	assert_output_contains "Read-only file system"
	run dk run --rm --read-only berthd-test/bb:1 sh -c 'touch /x 2>&1; echo rc=$?'
	assert_output_contains "Read-only file system"
	run dk run --rm -u 1000:1000 -h myhost berthd-test/bb:1 sh -c 'id -u; id -g; hostname'
	assert_equal "$output" "1000
1000
myhost"
	run dk run --rm -u nobody berthd-test/bb:1 id -u
	assert_equal "$output" "65534"
	run dk run --rm -u nosuchuser berthd-test/bb:1 id
	assert_failure
	assert_output_contains "unable to find user nosuchuser"
	# CAP_NET_RAW is in the default set; dropping it shows in the status.
	run dk run --rm berthd-test/bb:1 grep CapEff /proc/self/status
	local with without
	with=$(echo "$output" | awk '{print $2}')
	run dk run --rm --cap-drop NET_RAW berthd-test/bb:1 grep CapEff /proc/self/status
	without=$(echo "$output" | awk '{print $2}')
	[ "$with" != "$without" ]
	# docker's CAP_MKNOD: a disk's node can be made, the device cgroup
	# refuses to open it; the pseudo devices open.
	run dk run --rm berthd-test/bb:1 sh -c 'mknod /dev/sda b 8 0 && echo made; head -c 1 /dev/sda 2>&1; mknod /dev/null2 c 1 3 && echo x >/dev/null2 && echo null-ok'
	assert_success
	assert_equal "$output" "made
head: /dev/sda: Operation not permitted
null-ok"
	# The default seccomp filter denies keyctl, unconfined allows it.
	run dk run --rm berthd-test/bb:1 grep Seccomp: /proc/self/status
	assert_output_contains "2"
	run dk run --rm --security-opt seccomp=unconfined berthd-test/bb:1 grep Seccomp: /proc/self/status
	assert_output_contains "0"
	# A MAC address needs an interface of the container's own.
	run dk run --rm --network none --mac-address 02:42:ac:11:00:02 berthd-test/bb:1 true
	assert_failure
	assert_output_contains "conflicting options: mac-address and the network mode"
}

# What supervision keeps per container (issue 22: at most 64 kB with
# berthd's share): the shim's long-lived stage is berthd-monitor, whose
# own pages (anonymous: written by it, no file behind them; its code is
# shared by every shim) stay few, idle and after output, execs and input;
# the shim set-up stage that made the container had about 1.2 MB.  (Not
# private dirty: a binary just built has dirty page-cache pages, which
# smaps counts as the only process's private dirty memory.)  It holds the
# container's fds and nothing else, and an exec leaves none behind.
shim_private_kb() {
	awk '$1 == "Anonymous:" { print $2 }' "/proc/$1/smaps_rollup"
}

shim_fd_kinds() {
	local fd
	for fd in /proc/$1/fd/*; do
		readlink "$fd" | sed -e 's/:\[[0-9]*\]$//' -e "s|^$BERTHD_DATA/containers/[0-9a-f]*/|DIR/|"
	done | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }'
}

@test "berthd: a running container's shim is small: its own memory and fds, idle and after output, execs and input" {
	local id shim i kinds
	id=$(dk run -d -i --network none berthd-test/bb:1 sh -c 'while read l; do echo got $l; done')
	wait_status "$id" running
	shim=$(pgrep -f "berthd-shim --root $BERTHD_ROOT/oci --id $id( |\$)")
	[ -n "$shim" ]
	for i in $(seq 100); do
		[ "$(stat -L -c %i "/proc/$shim/exe")" = "$(stat -c %i "$(dirname "$BERTHD")/berthd-monitor")" ] && break
		sleep 0.05
	done
	assert_equal "$(stat -L -c %i "/proc/$shim/exe")" "$(stat -c %i "$(dirname "$BERTHD")/berthd-monitor")"
	echo "idle: $(shim_private_kb "$shim") kB" >&2
	[ "$(shim_private_kb "$shim")" -le 64 ]
	# stdio (/dev/null), berthd-shim's view (/), the log, the socket,
	# its signalfd, the container's stdin, stdout and stderr.
	kinds=$(shim_fd_kinds "$shim")
	assert_equal "$kinds" "/:1 /dev/null:3 DIR/container.log:1 anon_inode:[signalfd]:1 pipe:3 socket:1 "
	# Output through the container's stdout, execs with and without a
	# terminal, input to an exec.
	dk exec "$id" sh -c 'i=0; while [ $i -lt 3000 ]; do echo line-$i-abcdefghijklmnopqrstuvwxyz; i=$((i+1)); done >/proc/1/fd/1'
	run dk exec -i "$id" cat <<<piped
	assert_equal "$output" piped
	run dk exec -t "$id" sh -c 'echo with-a-terminal; exit 5'
	assert_equal "$status" 5
	assert_output_contains with-a-terminal
	for i in $(seq 100); do
		[ "$(dk logs "$id" | wc -l)" = 3000 ] && break
		sleep 0.05
	done
	assert_equal "$(dk logs "$id" | tail -1)" "line-2999-abcdefghijklmnopqrstuvwxyz"
	echo "after: $(shim_private_kb "$shim") kB" >&2
	[ "$(shim_private_kb "$shim")" -le 96 ]
	assert_equal "$(shim_fd_kinds "$shim")" "$kinds"
	dk rm -f "$id" >/dev/null
}

# CVE-2019-5736 through berthd: the shim makes the container's processes
# (init and every exec) with berthd-shim, so that must run from a view of
# its binary that nobody can write, as berth does (the attack itself:
# escapes.bats).  The shim's long-lived stage, berthd-monitor, makes no
# process in the container (no container process runs its binary); it
# runs the exec helper from the read-only view set-up made, held as an fd.
@test "berthd: CVE-2019-5736: berthd-shim runs from a read-only view of its binary" {
	local id shim fd view=""
	id=$(dk run -d berthd-test/bb:1 sleep 1000)
	wait_status "$id" running
	shim=$(pgrep -f "berthd-shim --root $BERTHD_ROOT/oci --id $id( |\$)")
	[ -n "$shim" ]
	# The shim is the monitor by now, and holds the view of berthd-shim.
	assert_equal "$(stat -L -c %d:%i "/proc/$shim/exe")" \
		"$(stat -c %d:%i "$(dirname "$BERTHD")/berthd-monitor")"
	for fd in /proc/$shim/fd/*; do
		if [ "$(stat -L -c %d:%i "$fd")" = "$(stat -c %d:%i "$(dirname "$BERTHD")/berthd-shim")" ]; then
			view=$fd
		fi
	done
	[ -n "$view" ]
	run python3 -c 'import os, sys
print("ro" if os.statvfs(sys.argv[1]).f_flag & os.ST_RDONLY else "rw")' "$view"
	assert_success
	assert_equal "$output" ro
	# Reopened for writing through /proc it refuses (read-only).
	run python3 -c 'import os, sys
try:
    os.open(sys.argv[1], os.O_WRONLY)
    print("writable")
except OSError as e:
    print(os.strerror(e.errno))' "$view"
	assert_success
	assert_equal "$output" "Read-only file system"
	# An exec is made from that view: it works, and the monitor is left
	# with the same fds as before (the helper's socket and pipes are gone).
	local before
	before=$(ls /proc/$shim/fd | wc -l)
	run dk exec "$id" sh -c 'echo from-exec'
	assert_success
	assert_equal "$output" from-exec
	assert_equal "$(ls /proc/$shim/fd | wc -l)" "$before"
	dk rm -f "$id" >/dev/null
}

# Trace berthd's process tree to $1 (strace -ff: $1.PID per process),
# system calls $2, each execve delayed by $3 microseconds (0: none);
# returns once the tracer is attached (TRACER: its pid).
trace_berthd() {
	local pid i
	pid=$(berthd_pid)
	strace -f -ff -s 256 -o "$1" -e trace="$2" ${3:+-e inject=execve:delay_enter=$3} -p "$pid" 2>/dev/null &
	TRACER=$!
	for i in $(seq 200); do
		[ "$(awk '/^TracerPid:/ {print $2}' "/proc/$pid/status")" = "$TRACER" ] && return 0
		sleep 0.05
	done
	return 1
}

# The id of the container whose shim the trace $1 saw start.
traced_id() {
	cat "$1".* | grep -o 'execve("[^"]*", \["berthd-shim", "--root", "[^"]*", "--id", "[0-9a-f]*"' |
		grep -o '[0-9a-f]\{64\}' | head -1
}

# strace can wait for ever on a tracee that berthd has just spawned: after
# five seconds it is killed, which lets every tracee go on.
untrace_berthd() {
	local i
	[ -n "${TRACER:-}" ] || return 0
	kill "$TRACER" 2>/dev/null || true
	for i in $(seq 100); do
		kill -0 "$TRACER" 2>/dev/null || break
		sleep 0.05
	done
	kill -9 "$TRACER" 2>/dev/null || true
	wait "$TRACER" 2>/dev/null || true
	TRACER=
}

# The container's init is a clone of berthd-shim until it executes the
# container's program: that clone must run from a file nobody can write.
# berthd makes a read-only view of berthd-shim once, at its start, and
# executes each shim through it (/proc/self/fd/N): set-up finds itself
# sealed at its ELF entry (isolation/selfexe_entry.c), makes no view of
# its own and starts glibc once.  Each execve of berthd's tree is held
# three seconds, which catches the init between its clone and the execve
# of its program.
@test "berthd: CVE-2019-5736: the container's init runs the read-only view of berthd-shim that berthd made" {
	[ "$(uname -m)" = x86_64 ] || skip "the early entry is x86_64 only"
	local trace=$BATS_TEST_TMPDIR/trace runner f setup="" first
	trace_berthd "$trace" execve,execveat,open_tree,mount_setattr,arch_prctl 3000000
	dk run -d --name early-view berthd-test/bb:1 sleep 1000 >/dev/null &
	runner=$!
	# The init: in a pid namespace of its own and a container's cgroup of
	# this file's berthd, its binary berthd-shim's (checked on the fd
	# that is then examined, so that an init that has moved on to its
	# program is not taken for it).  Its mount is read-only (a sealed
	# memfd for a berthd without CAP_SYS_ADMIN; not here); reopening it
	# for writing would fail with ETXTBSY while anything runs the binary,
	# which is no defence.
	run timeout 60 python3 -c 'import fcntl, os, sys, time
shim = os.stat(sys.argv[1])
while True:
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = open(f"/proc/{pid}/status").read()
            nspid = [l for l in status.splitlines() if l.startswith("NSpid:")][0].split()
            if len(nspid) != 3 or sys.argv[2] not in open(f"/proc/{pid}/cgroup").read():
                continue
            fd = os.open(f"/proc/{pid}/exe", os.O_RDONLY)
        except (OSError, IndexError):
            continue
        st = os.fstat(fd)
        if (st.st_dev, st.st_ino) != (shim.st_dev, shim.st_ino):
            os.close(fd)
            continue
        try:
            seals = fcntl.fcntl(fd, fcntl.F_GET_SEALS)
        except OSError:
            seals = 0
        print("ro" if os.fstatvfs(fd).f_flag & os.ST_RDONLY else
              "sealed" if seals & fcntl.F_SEAL_WRITE else "writable")
        sys.exit(0)
    time.sleep(0.005)' "$(dirname "$BERTHD")/berthd-shim" "$BERTHD_CGROUP/"
	assert_success
	assert_equal "$output" ro
	wait "$runner"
	untrace_berthd
	# Set-up was executed through berthd's fd of a read-only view of
	# berthd-shim, made no view of its own, and started glibc once before
	# the monitor.
	local view
	for f in "$trace".*; do
		grep -q '^execve("/proc/self/fd/[0-9]*", \["berthd-shim", "--root"' "$f" && setup=$f
	done
	[ -n "$setup" ]
	view=$(sed -n 's|^execve("/proc/self/fd/\([0-9]*\)", \["berthd-shim".*|\1|p' "$setup" | head -1)
	assert_equal "$(stat -L -c %d:%i "/proc/$(berthd_pid)/fd/$view")" \
		"$(stat -c %d:%i "$(dirname "$BERTHD")/berthd-shim")"
	run python3 -c 'import os, sys
print("ro" if os.statvfs(sys.argv[1]).f_flag & os.ST_RDONLY else "rw")' "/proc/$(berthd_pid)/fd/$view"
	assert_equal "$output" ro
	first=$(sed '/^execve("[^"]*\/berthd-monitor"/q' "$setup")
	if grep -Eq '^(open_tree|mount_setattr|execveat)\(' <<<"$first"; then
		fail "set-up made or executed a view of its own: $first"
	fi
	assert_equal "$(grep -c '^arch_prctl(' <<<"$first")" 1
	assert_equal "$(dk inspect -f '{{.State.Status}}' early-view)" running
	dk rm -f early-view >/dev/null
}

# The end of a container that needs no runtime to go (no poststop hook,
# no OOM kill, nothing left in its cgroup) is the monitor's own
# (shim_remove): berthd-shim --finish does not run, and when the client
# is told the container is removed, nothing of it is left.  A process left
# in the cgroup (no pid namespace of its own) makes the monitor leave it
# to the finish, which kills it and removes the rest.
@test "berthd: run --rm: the monitor removes the container itself, or leaves what it cannot to the finish" {
	local trace=$BATS_TEST_TMPDIR/trace id
	trace_berthd "$trace" execve,execveat
	run dk run --rm --network none berthd-test/bb:1 sh -c 'echo out'
	assert_success
	assert_equal "$output" out
	id=$(traced_id "$trace")
	[ -n "$id" ]
	[ ! -e "$BERTHD_ROOT/oci/$id" ]
	[ ! -e "$BERTHD_DATA/containers/$id" ]
	# berthd unmounts an --rm container's rootfs after its answer.
	berthd_removals_done
	run ! grep -q "$id" /proc/self/mountinfo
	assert_no_own_cgroup "$BERTHD_CGROUP/$id"
	# The container's init ran, and no finish.
	grep -q 'execve("/bin/sh", \["sh", "-c", "echo out"\]' "$trace".*
	run ! grep -q -- '"--finish"' "$trace".*
	untrace_berthd
	rm -f "$trace".*

	trace_berthd "$trace" execve,execveat
	run dk run --rm --network none --pid host berthd-test/bb:1 \
		sh -c 'sleep 1001 </dev/null >/dev/null 2>&1 & echo started'
	assert_success
	assert_equal "$output" started
	untrace_berthd
	id=$(traced_id "$trace")
	[ -n "$id" ]
	grep -q -- '"--finish"' "$trace".*
	[ ! -e "$BERTHD_ROOT/oci/$id" ]
	[ ! -e "$BERTHD_DATA/containers/$id" ]
	# berthd unmounts an --rm container's rootfs after its answer.
	berthd_removals_done
	run ! grep -q "$id" /proc/self/mountinfo
	assert_no_own_cgroup "$BERTHD_CGROUP/$id"
	run ! pgrep -f '^sleep 1001$'
}
