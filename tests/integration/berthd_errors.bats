#!/usr/bin/env bats
# berthd and bad input: malformed requests, unknown objects, conflicts,
# oversized requests, clients that go away.  Each gets a clear error, and
# the daemon keeps serving without leaking.

load berthd_helpers
berthd_file_hooks

# api METHOD PATH [curl args...]: status code on the last line.
api() {
	local method=$1 path=$2
	shift 2
	curl -sS --unix-socket "$BERTHD_SOCK" -X "$method" -w '\n%{http_code}' "$@" "http://berthd$path"
}

fd_count() {
	ls "/proc/$(berthd_pid)/fd" | wc -l
}

thread_count() {
	ls "/proc/$(berthd_pid)/task" | wc -l
}

still_serving() {
	run dk version --format '{{.Server.Platform.Name}}'
	assert_success
	assert_equal "$output" "berthd"
}

@test "berthd errors: malformed JSON gets a 400 with a message" {
	run api POST /v1.45/containers/create -H 'Content-Type: application/json' -d '{"Image": '
	assert_equal "${lines[1]}" "400"
	assert_equal "$(echo "${lines[0]}" | jq -r .message)" "invalid JSON: parse error: premature EOF"
	run api POST /containers/create -d '[1,2]'
	assert_equal "${lines[1]}" "400"
	assert_output_contains "expected an object"
	run api POST /containers/create -d '{"Image":"berthd-test/bb:1","HostConfig":{"Memory":"lots"}}'
	assert_equal "${lines[1]}" "400"
	assert_output_contains ".HostConfig.Memory: expected an integer"
	run api POST /containers/create -d "$(printf '[%.0s' $(seq 1000))"
	assert_equal "${lines[1]}" "400"
	assert_output_contains "nested deeper than"
	run api POST /containers/create
	assert_equal "${lines[1]}" "400"
	assert_output_contains "no body"
	assert_equal "$(ls "$BERTHD_DATA/containers")" ""
	still_serving
}

@test "berthd errors: fields berthd does not support are refused by name (501)" {
	run api POST /containers/create -d '{"Image":"berthd-test/bb:1","HostConfig":{"DeviceRequests":[{"Driver":"nvidia","Count":-1}]}}'
	assert_equal "${lines[1]}" "501"
	assert_output_contains ".HostConfig.DeviceRequests: device requests is not supported by berthd"
	# Refused by the engine rather than by the request's reader: the same.
	run api POST /containers/create -d '{"Image":"berthd-test/bb:1","Cmd":["true"],"HostConfig":{"PidMode":"bogus"}}'
	assert_equal "${lines[1]}" "501"
	assert_equal "$(echo "${lines[0]}" | jq -r .message)" 'pid mode "bogus" is not supported by berthd (host and container:NAME are)'
	run api POST /containers/create -d '{"Image":"berthd-test/bb:1","HostConfig":{"SecurityOpt":["apparmor=my-profile"]}}'
	assert_equal "${lines[1]}" "501"
	assert_output_contains 'security option \"apparmor=my-profile\" is not supported by berthd'
	run api DELETE "/containers/whatever?link=1"
	assert_equal "${lines[1]}" "501"
	run dk run --rm --gpus all berthd-test/bb:1 true
	assert_failure 125
	assert_output_contains "device requests is not supported by berthd"
	run dk run --rm --security-opt label=type:spc_t berthd-test/bb:1 true
	assert_failure
	assert_output_contains "security option \"label=type:spc_t\" is not supported by berthd"
	run dk run --rm -v 'my?volume:/data' berthd-test/bb:1 true
	assert_failure
	assert_output_contains "is neither an absolute host path nor a volume name"
	assert_equal "$(ls -A "$BERTHD_DATA/volumes" 2>/dev/null)" ""
	assert_equal "$(ls "$BERTHD_DATA/containers")" ""
}

@test "berthd errors: unknown image: 404 on create, and the pull docker run tries says why it failed" {
	run api POST /containers/create -d '{"Image":"no/such:image"}'
	assert_equal "${lines[1]}" "404"
	assert_output_contains "No such image: no/such:image"
	# A registry that cannot exist (.invalid never resolves), so that the
	# answer is the same with or without a network.
	run dk run --rm no-such-registry.invalid/no/such:image true
	assert_failure 125
	assert_output_contains "Unable to find image 'no-such-registry.invalid/no/such:image' locally"
	assert_output_contains "no-such-registry.invalid/no/such:image: manifest"
	assert_output_contains "resolve"
	run dk pull no-such-registry.invalid/busybox
	assert_failure
	assert_output_contains "no-such-registry.invalid/busybox:latest: manifest"
	assert_equal "$(ls "$BERTHD_DATA/containers")" ""
	assert_equal "$(ls -A "$BERTHD_DATA/tmp")" ""
}

@test "berthd errors: unknown container" {
	local cmd
	run dk inspect no-such-container
	assert_failure
	assert_output_contains "No such object: no-such-container"
	for cmd in "start" "stop" "kill" "logs" "wait" "rm" "attach" "restart" "top" "pause" \
		"unpause" "exec no-such-container true" "update --memory 64m" "stats --no-stream"; do
		run dk $cmd no-such-container
		assert_failure
		assert_output_contains "No such container: no-such-container"
	done
	run api GET /containers/no-such-container/json
	assert_equal "${lines[1]}" "404"
}

@test "berthd errors: bad values are 400, whichever layer finds them" {
	run api POST /containers/create -d '{"Image":"berthd-test/bb:1","HostConfig":{"RestartPolicy":{"Name":"sometimes"}}}'
	assert_equal "${lines[1]}" "400"
	assert_equal "$(echo "${lines[0]}" | jq -r .message)" 'invalid restart policy "sometimes"'
	run api POST /containers/create -d '{"Image":"berthd-test/bb:1","HostConfig":{"Memory":1024}}'
	assert_equal "${lines[1]}" "400"
	assert_output_contains "minimum memory limit allowed is 6MB"
	run api POST /containers/create -d '{"Image":"berthd-test/bb:1","HostConfig":{"Binds":["/tmp:relative"]}}'
	assert_equal "${lines[1]}" "400"
	assert_output_contains "the destination must be an absolute path"
	# A source that is neither a path nor a volume's name.
	run api POST /containers/create -d '{"Image":"berthd-test/bb:1","Cmd":["true"],"HostConfig":{"Binds":["my?volume:/x"]}}'
	assert_equal "${lines[1]}" "400"
	assert_output_contains "is neither an absolute host path nor a volume name"
	assert_equal "$(ls -A "$BERTHD_DATA/volumes" 2>/dev/null)" ""
	run api POST "/containers/create?name=bad%20name" -d '{"Image":"berthd-test/bb:1"}'
	assert_equal "${lines[1]}" "400"
	assert_output_contains "Invalid container name"
	run api GET '/containers/json?filters=%7B%22nonsense%22%3A%5B%22x%22%5D%7D'
	assert_equal "${lines[1]}" "400"
	assert_output_contains "invalid filter 'nonsense'"
	run api POST '/images/create?fromSrc=-&repo=UPPER/case' --data-binary @/dev/null
	assert_equal "${lines[1]}" "400"
	assert_equal "$(ls "$BERTHD_DATA/containers")" ""
}

@test "berthd errors: a container in the wrong state is a conflict (409)" {
	dk create --name idle berthd-test/bb:1 sleep 100 >/dev/null
	run api POST /containers/idle/exec -d '{"Cmd":["true"]}'
	assert_equal "${lines[1]}" "409"
	assert_output_contains "is not running"
	run api POST /containers/idle/pause
	assert_equal "${lines[1]}" "409"
	dk start idle >/dev/null
	dk pause idle >/dev/null
	run api POST /containers/idle/pause
	assert_equal "${lines[1]}" "409"
	assert_output_contains "is already paused"
	dk unpause idle >/dev/null
	run api DELETE /containers/idle
	assert_equal "${lines[1]}" "409"
	assert_output_contains "cannot remove container"
	assert_equal "$(dk inspect -f '{{.State.Status}}' idle)" "running"
	run api POST /exec/no-such-exec/start -d '{}'
	assert_equal "${lines[1]}" "404"
	assert_output_contains "No such exec instance: no-such-exec"
}

# An ENOENT from a system call deep inside is berthd's failure, not a
# missing container: 500 with the system's message, never 404 "No such
# container" (errno no longer chooses the status).
@test "berthd errors: an internal ENOENT is a 500, not a 404" {
	local id dir
	id=$(dk create --name gutted berthd-test/bb:1 echo hi)
	dir=$BERTHD_DATA/containers/$id
	# Its directory gone behind berthd's back: writing the bundle fails.
	rm -rf "$dir"
	run api POST /containers/gutted/start
	assert_equal "${lines[1]}" "500"
	assert_output_contains "No such file or directory"
	refute_output_contains "No such container"
	# The container is still there, and still found by name.
	run api GET /containers/gutted/json
	assert_equal "${lines[1]}" "200"
	assert_equal "$(echo "${lines[0]}" | jq -r .Id)" "$id"
	# A bind whose host path went away after create (which made it, as
	# dockerd does) fails in the shim, as a 500 too.
	dk create --name unbound -v "$BERTHD_DIR/gone-bind/src:/mnt" berthd-test/bb:1 true >/dev/null
	[ -d "$BERTHD_DIR/gone-bind/src" ]
	rm -rf "$BERTHD_DIR/gone-bind"
	run api POST /containers/unbound/start
	assert_equal "${lines[1]}" "500"
	refute_output_contains "No such container"
	assert_equal "$(dk inspect -f '{{.State.Status}}' unbound)" "created"
	# Next to them, a container that is really missing is still a 404.
	run api POST /containers/really-missing/start
	assert_equal "${lines[1]}" "404"
	assert_equal "$(echo "${lines[0]}" | jq -r .message)" "No such container: really-missing"
	dk rm -f gutted unbound >/dev/null
	assert_equal "$(ls "$BERTHD_DATA/containers")" ""
	assert_equal "$(ls -A "$BERTHD_ROOT/oci")" ""
	[ ! -e "$BERTHD_DIR/gone-bind" ]
}

@test "berthd errors: a name in use is a conflict" {
	dk create --name taken berthd-test/bb:1 true >/dev/null
	run dk create --name taken berthd-test/bb:1 true
	assert_failure
	assert_output_contains 'The container name "/taken" is already in use'
	run api POST "/containers/create?name=taken" -d '{"Image":"berthd-test/bb:1","Cmd":["true"]}'
	assert_equal "${lines[1]}" "409"
	run dk create --name 'bad name!' berthd-test/bb:1 true
	assert_failure
	assert_output_contains "Invalid container name"
	assert_equal "$(ls "$BERTHD_DATA/containers" | wc -l)" "1"
}

@test "berthd errors: oversized headers and bodies, bad API versions, unknown endpoints" {
	run api GET /_ping -H "X-Big: $(head -c 40000 /dev/zero | tr '\0' a)"
	assert_equal "${lines[1]}" "431"
	assert_output_contains '"message":"request headers too large'
	# Beyond libmicrohttpd's memory pool: its own 431, the connection
	# closed, maybe before the client has sent it all.
	run python3 - "$BERTHD_SOCK" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
try:
    s.sendall(b"GET /_ping HTTP/1.1\r\nHost: x\r\nX-Huge: " + b"a" * 300000 + b"\r\n\r\n")
except (BrokenPipeError, ConnectionResetError):
    pass
print(s.recv(100).split(b"\r\n")[0].decode())
EOF
	assert_equal "$output" "HTTP/1.1 431 Request Header Fields Too Large"
	head -c 5000000 /dev/zero | tr '\0' ' ' >"$BATS_TEST_TMPDIR/big.json"
	run api POST /containers/create -H 'Content-Type: application/json' --data-binary "@$BATS_TEST_TMPDIR/big.json"
	assert_equal "${lines[1]}" "413"
	run api GET /v1.99/info
	assert_equal "${lines[1]}" "400"
	assert_output_contains "client version 1.99 is not supported"
	run api GET /swarm
	assert_equal "${lines[1]}" "501"
	assert_output_contains "berthd does not implement GET /swarm"
	run api GET /v1.45/secrets
	assert_equal "${lines[1]}" "501"
	assert_output_contains "GET /secrets"
	still_serving
}

@test "berthd errors: endpoints berthd lacks answer 501 by name; the container is untouched" {
	dk run -d --name target berthd-test/bb:1 sleep 100 >/dev/null
	run api GET /containers/target/attach/ws
	assert_equal "${lines[1]}" "501"
	assert_output_contains "berthd does not implement GET /containers/target/attach/ws"
	run api POST /containers/target/checkpoints -d '{"CheckpointID":"c1"}'
	assert_equal "${lines[1]}" "501"
	assert_output_contains "berthd does not implement POST /containers/target/checkpoints"
	run api GET /containers/target/checkpoints
	assert_equal "${lines[1]}" "501"
	assert_output_contains "GET /containers/target/checkpoints"
	assert_equal "$(dk inspect -f '{{.State.Status}}' target)" "running"
}

@test "berthd errors: a bad image archive is refused and leaves nothing" {
	echo "not a tarball" >"$BATS_TEST_TMPDIR/junk.tar"
	run dk load -i "$BATS_TEST_TMPDIR/junk.tar"
	assert_failure
	assert_output_contains "not an image archive"
	tar -C "$BERTHD_DIR/img" -cf "$BATS_TEST_TMPDIR/nomanifest.tar" l2.tar
	run dk load -i "$BATS_TEST_TMPDIR/nomanifest.tar"
	assert_failure
	assert_output_contains "neither manifest.json"
	# A layer that does not match its diff id in the config.
	make_docker_archive "$BATS_TEST_TMPDIR/lying.tar" "liar:1" "$BERTHD_DIR/img/l2.tar"
	mkdir -p "$BATS_TEST_TMPDIR/lie"
	tar -C "$BATS_TEST_TMPDIR/lie" -xf "$BATS_TEST_TMPDIR/lying.tar"
	cp "$BERTHD_DIR/img/rootfs.tar" "$BATS_TEST_TMPDIR"/lie/*/layer.tar
	tar -C "$BATS_TEST_TMPDIR/lie" -cf "$BATS_TEST_TMPDIR/lying.tar" .
	run dk load -i "$BATS_TEST_TMPDIR/lying.tar"
	assert_failure
	assert_output_contains "but the image config says"
	run dk images -q liar:1
	assert_equal "$output" ""
	assert_equal "$(ls -A "$BERTHD_DATA/tmp")" ""
	assert_equal "$(ls "$BERTHD_DATA/layers" | wc -l)" "2"
	# An archive entry that tries to climb out of the layer lands inside it.
	mkdir -p "$BATS_TEST_TMPDIR/evil"
	python3 - "$BATS_TEST_TMPDIR/evil.tar" <<'EOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    for name in ("../../escaped", "/abs-escaped"):
        data = b"x"
        info = tarfile.TarInfo(name)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
EOF
	run dk import "$BATS_TEST_TMPDIR/evil.tar" evil:1
	assert_failure
	assert_output_contains "unsafe path"
	if [ -e "$BERTHD_DATA/escaped" ] || [ -e /abs-escaped ]; then
		fail "the archive wrote outside its layer: $(ls -d "$BERTHD_DATA/escaped" /abs-escaped 2>/dev/null)"
	fi
	assert_equal "$(ls -A "$BERTHD_DATA/tmp")" ""
	still_serving
}

@test "berthd errors: clients that go away mid-stream leak nothing" {
	dk run -d --name streamer berthd-test/bb:1 sh -c 'while true; do echo tick; sleep 0.1; done' >/dev/null
	wait_status streamer running
	sleep 0.5
	local fds threads
	fds=$(fd_count)
	threads=$(thread_count)
	# logs -f, wait, events and attach, each cut off.
	timeout -s KILL 1 "$DOCKER" logs -f streamer >/dev/null 2>&1 || true
	timeout -s KILL 1 "$DOCKER" wait streamer >/dev/null 2>&1 || true
	timeout -s KILL 1 "$DOCKER" events >/dev/null 2>&1 || true
	timeout -s KILL 1 "$DOCKER" attach streamer >/dev/null 2>&1 || true
	timeout -s KILL 1 curl -sS --unix-socket "$BERTHD_SOCK" "http://berthd/containers/streamer/logs?stdout=1&follow=1" >/dev/null 2>&1 || true
	# A request cut off in the middle of its body.
	python3 - "$BERTHD_SOCK" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"Ima")
s.close()
EOF
	local i
	for i in $(seq 50); do
		[ "$(fd_count)" -le "$fds" ] && [ "$(thread_count)" -le "$threads" ] && break
		sleep 0.1
	done
	[ "$(fd_count)" -le "$fds" ] || { ls -l /proc/$(berthd_pid)/fd >&2; false; }
	[ "$(thread_count)" -le "$threads" ]
	assert_equal "$(dk inspect -f '{{.State.Status}}' streamer)" "running"
	still_serving
}
