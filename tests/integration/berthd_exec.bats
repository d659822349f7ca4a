#!/usr/bin/env bats
# docker exec through berthd: the process runs in the container's
# namespaces and cgroup as a child of the container's shim, its exit code
# comes back, with and without a terminal, attached or detached.

bats_require_minimum_version 1.5.0
load berthd_helpers
berthd_file_hooks

api() {
	local method=$1 path=$2
	shift 2
	curl -sS --unix-socket "$BERTHD_SOCK" -X "$method" "$@" "http://berthd$path"
}

shim_of() {
	pgrep -f "berthd-shim --root $BERTHD_ROOT/oci --id $(dk inspect -f '{{.Id}}' "$1")"
}

start_target() {
	dk run -d --name target berthd-test/bb:1 sleep 1000 >/dev/null
	wait_status target running
}

@test "berthd exec: in the container's namespaces and cgroup, a child of its shim; exit codes and streams" {
	start_target
	local pid
	pid=$(dk inspect -f '{{.State.Pid}}' target)
	run dk exec target sh -c 'for ns in pid mnt net; do readlink /proc/self/ns/$ns; done; cat /proc/1/cmdline | tr "\0" " "'
	assert_success
	assert_equal "$output" "$(for ns in pid mnt net; do readlink /proc/$pid/ns/$ns; done)
sleep 1000 "
	# The same cgroup as the init, in every hierarchy.
	run dk exec target sh -c 'diff /proc/self/cgroup /proc/1/cgroup && echo same'
	assert_equal "$output" "same"
	# stdout and stderr stay apart, and the exit code comes back.
	run -3 dk exec target sh -c 'echo to-out; echo to-err >&2; exit 3'
	assert_equal "$(dk exec target sh -c 'echo to-out; echo to-err >&2' 2>/dev/null)" "to-out"
	assert_equal "$(dk exec target sh -c 'echo to-out; echo to-err >&2' 2>&1 >/dev/null)" "to-err"
	run -137 dk exec target sh -c 'kill -9 $$'
	# The process is the shim's child: the shim reaps it and reads its status.
	dk exec -d target sleep 77 >/dev/null
	local spid
	for _ in $(seq 50); do
		spid=$(pgrep -f -x "sleep 77") && break
		sleep 0.1
	done
	assert_equal "$(awk '/^PPid:/ {print $2}' /proc/$spid/status)" "$(shim_of target)"
	# User, directory and environment: the exec's, else the container's.
	run dk exec -u nobody -w /tmp -e EXTRA=1 -e PATH=/bin target sh -c 'id -u; pwd; echo $EXTRA $PATH; echo $HOSTNAME'
	assert_success
	assert_equal "$output" "65534
/tmp
1 /bin
$(dk inspect -f '{{.Id}}' target | cut -c1-12)"
	run dk exec target sh -c 'id -u; pwd'
	assert_equal "$output" "0
/"
	run -127 dk exec target no-such-program
	assert_output_contains 'exec: "no-such-program": executable file not found in $PATH'
	run -126 dk exec target /etc/passwd
	assert_output_contains "permission denied"
	run dk exec -u nosuchuser target true
	assert_failure
	assert_output_contains "unable to find user nosuchuser"
}

@test "berthd exec: -i passes stdin and closes it at its end; -it gets a terminal of the client's size" {
	start_target
	run bash -c "printf 'one\ntwo\n' | '$DOCKER' exec -i target sh -c 'cat; echo stdin-closed'"
	assert_success
	assert_equal "$output" "one
two
stdin-closed"
	# Without -i the process's stdin is empty.
	run bash -c "echo ignored | '$DOCKER' exec target sh -c 'cat; echo end'"
	assert_equal "$output" "end"
	# Clients before API 1.42 (docker 20.10) send the size only after the
	# start, so the process may first see 0x0 (stty then fails): it waits
	# for the size to arrive, at most 5 s.
	run script -qec "stty rows 33 cols 101; '$DOCKER' exec -it target sh -c 'tty; i=0; until stty size 2>/dev/null | grep -q .; do [ \$i -lt 50 ] || break; i=\$((i+1)); sleep 0.1; done; stty size; echo \$TERM; exit 5'" /dev/null </dev/null
	assert_failure 5
	assert_output_contains "/dev/pts/"
	assert_output_contains "33 101"
	assert_output_contains "xterm"
}

@test "berthd exec: a terminal is resized through the API; exec inspect tells running and exit code" {
	start_target
	local id
	id=$(api POST /containers/target/exec -H 'Content-Type: application/json' \
		-d '{"Cmd":["sh","-c","read line; stty size; exit 6"],"Tty":true,"AttachStdin":true,"AttachStdout":true}' | jq -r .Id)
	[ ${#id} -eq 64 ]
	run api GET "/exec/$id/json"
	assert_equal "$(echo "$output" | jq -c '[.Running, .ExitCode, .ProcessConfig.entrypoint, .ProcessConfig.tty]')" '[false,null,"sh",true]'
	# Start it hijacked, resize it while it waits for a line, then send one.
	run python3 - "$BERTHD_SOCK" "$id" <<'EOF'
import json, socket, subprocess, sys, time
sock, eid = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX)
s.connect(sock)
body = b'{"Detach":false,"Tty":true}'
s.sendall(b"POST /exec/%s/start HTTP/1.1\r\nHost: x\r\nUpgrade: tcp\r\nConnection: Upgrade\r\n"
          b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (eid.encode(), len(body), body))
head = b""
while b"\r\n\r\n" not in head:
    head += s.recv(1)
print(head.split(b"\r\n")[0].decode())
for _ in range(50):
    info = json.loads(subprocess.check_output(["curl", "-s", "--unix-socket", sock, "http://x/exec/%s/json" % eid]))
    if info["Running"]:
        break
    time.sleep(0.1)
print("running", info["Running"], info["Pid"] > 0)
subprocess.check_call(["curl", "-sf", "-X", "POST", "--unix-socket", sock, "http://x/exec/%s/resize?h=21&w=77" % eid])
s.sendall(b"go\n")
out = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    out += chunk
print(out.decode().replace("\r", "").strip().splitlines()[-1])
EOF
	assert_success
	assert_equal "${lines[0]}" "HTTP/1.1 101 Switching Protocols"
	assert_equal "${lines[1]}" "running True True"
	assert_equal "${lines[2]}" "21 77"
	run api GET "/exec/$id/json"
	assert_equal "$(echo "$output" | jq -c '[.Running, .ExitCode]')" '[false,6]'
	run api POST "/exec/$id/resize?h=10&w=10"
	assert_output_contains "is not running"
	run api POST "/exec/$id/start" -H 'Content-Type: application/json' -d '{"Detach":true}'
	assert_output_contains "has already"
	run api GET /exec/no-such-exec/json
	assert_output_contains "No such exec instance: no-such-exec"
}

@test "berthd exec: -d leaves the process running; its exit code is in exec inspect" {
	local since
	since=$(date +%s)
	start_target
	run dk exec -d target sh -c 'sleep 0.5; echo detached >/tmp/mark; exit 4'
	assert_success
	assert_equal "$output" ""
	local id i
	id=$(api POST /containers/target/exec -H 'Content-Type: application/json' \
		-d '{"Cmd":["sh","-c","sleep 0.5; exit 4"]}' | jq -r .Id)
	api POST "/exec/$id/start" -H 'Content-Type: application/json' -d '{"Detach":true}'
	for i in $(seq 50); do
		[ "$(api GET "/exec/$id/json" | jq -c '[.Running, .ExitCode]')" = '[false,4]' ] && break
		sleep 0.1
	done
	assert_equal "$(api GET "/exec/$id/json" | jq -c '[.Running, .ExitCode]')" '[false,4]'
	assert_equal "$(dk exec target cat /tmp/mark)" "detached"
	run dk events --since "$since" --until "$(($(date +%s) + 1))" --filter container=target \
		--filter "event=exec_die" --format '{{.Actor.Attributes.execID}} {{.Actor.Attributes.exitCode}}'
	assert_output_contains "$id 4"
}

@test "berthd exec: a stopped, paused or unknown container is refused; an exec ends with its container; nothing leaks" {
	dk create --name stopped berthd-test/bb:1 true >/dev/null
	run dk exec stopped true
	assert_failure
	assert_output_contains "is not running"
	run dk exec no-such-container true
	assert_failure
	assert_output_contains "No such container: no-such-container"
	start_target
	dk pause target >/dev/null
	run dk exec target true
	assert_failure
	assert_output_contains "is paused, unpause the container before exec"
	dk unpause target >/dev/null
	run api POST /containers/target/exec -d '{"Cmd":[]}'
	assert_output_contains "No exec command specified"
	run api POST /containers/target/exec -d '{"Cmd":["true"],"Privileged":true}'
	assert_output_contains "privileged exec is not supported by berthd"
	run api POST /containers/target/exec -d '{"Cmd":["true"],"DetachKeys":"ctrl-x"}'
	assert_output_contains "detach keys are not supported by berthd"

	local fds shimfds shim
	shim=$(shim_of target)
	fds=$(ls /proc/$(berthd_pid)/fd | wc -l)
	shimfds=$(ls /proc/$shim/fd | wc -l)
	for _ in $(seq 10); do
		dk exec target true
		echo x | dk exec -i target cat >/dev/null
		dk exec -d target true
		script -qec "'$DOCKER' exec -it target true" /dev/null </dev/null >/dev/null
	done
	# A client that goes away in the middle of its exec's stream: the
	# process runs on (as with docker) to its end.
	timeout -s KILL 1 "$DOCKER" exec target sh -c 'for i in $(seq 20); do echo tick; sleep 0.1; done' >/dev/null 2>&1 || true
	for _ in $(seq 50); do
		[ "$(ls /proc/$shim/fd | wc -l)" = "$shimfds" ] && break
		sleep 0.1
	done
	assert_equal "$(ls /proc/$(berthd_pid)/fd | wc -l)" "$fds"
	assert_equal "$(ls /proc/$shim/fd | wc -l)" "$shimfds"

	# The container's end ends its execs: killed with it.
	( set +e; "$DOCKER" exec target sh -c 'echo started; sleep 1000'; echo "exec-status=$?" ) >"$BATS_TEST_TMPDIR/exec.out" &
	for _ in $(seq 50); do
		grep -q started "$BATS_TEST_TMPDIR/exec.out" && break
		sleep 0.1
	done
	dk kill target >/dev/null
	for _ in $(seq 100); do
		grep -q exec-status "$BATS_TEST_TMPDIR/exec.out" && break
		sleep 0.1
	done
	assert_equal "$(cat "$BATS_TEST_TMPDIR/exec.out")" "started
exec-status=137"
	dk rm -f target stopped >/dev/null
	assert_equal "$(ls -A "$BERTHD_ROOT/exec")" ""
}
