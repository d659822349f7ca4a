#!/usr/bin/env bats
# A running container's resources through berthd: pause and unpause (the
# freezer), stats (from its cgroup files), top (the host's ps), and the
# OOM killer's work reported as docker reports it.  It runs in the cgroup
# v2 VM too (tests/vm/suite): the freezer, the figures and the OOM count
# come from other files there (cgroup.freeze, cpu.stat and memory.current,
# memory.events).

bats_require_minimum_version 1.5.0
load berthd_helpers

setup_file() {
	berthd_setup_file
}

teardown_file() {
	berthd_teardown_file
}

teardown() {
	berthd_remove_containers
}

api() {
	local path=$1
	shift
	curl -sS --unix-socket "$BERTHD_SOCK" "$@" "http://berthd$path"
}

# For wait_for: do container $1's logs hold the line $2?
dk_logs_contain() {
	dk logs "$1" 2>&1 | grep -qx "$2"
}

# The freezer's word on a container's process: FROZEN or THAWED (v1), 1
# or 0 (v2).
frozen() {
	local pid=$1 dir
	if [ -e /sys/fs/cgroup/freezer ]; then
		dir=$(awk -F: '$2 == "freezer" {print $3}' /proc/$pid/cgroup)
		cat "/sys/fs/cgroup/freezer$dir/freezer.state"
	else
		dir=$(awk -F: '$1 == "0" {print $3}' /proc/$pid/cgroup)
		cat "/sys/fs/cgroup$dir/cgroup.freeze"
	fi
}

@test "berthd: docker pause freezes the container, unpause thaws it; stop and kill reach a paused one" {
	local since pid before
	since=$(date +%s)
	dk run -d --name ticker berthd-test/bb:1 sh -c 'while true; do echo tick; sleep 0.1; done' >/dev/null
	wait_status ticker running
	pid=$(dk inspect -f '{{.State.Pid}}' ticker)
	run dk pause ticker
	assert_success
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' ticker)" "paused true true"
	[[ "$(frozen "$pid")" =~ ^(FROZEN|1)$ ]]
	run dk ps --format '{{.Names}} {{.Status}}'
	assert_output_contains "(Paused)"
	before=$(dk logs ticker | wc -l)
	sleep 0.5
	assert_equal "$(dk logs ticker | wc -l)" "$before"
	run dk pause ticker
	assert_failure
	assert_output_contains "is already paused"
	run dk unpause ticker
	assert_success
	[[ "$(frozen "$pid")" =~ ^(THAWED|0)$ ]]
	sleep 0.5
	[ "$(dk logs ticker | wc -l)" -gt "$before" ]
	run dk unpause ticker
	assert_failure
	assert_output_contains "is not paused"
	run dk events --since "$since" --until "$(($(date +%s) + 1))" --filter container=ticker --format '{{.Action}}'
	assert_output_contains "pause"
	assert_output_contains "unpause"
	# A paused container is thawed for its stop signal.
	dk pause ticker >/dev/null
	run dk stop -t 1 ticker
	assert_success
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' ticker)" "exited 137"
	run dk pause ticker
	assert_failure
	assert_output_contains "is not running"
	dk start ticker >/dev/null
	dk pause ticker >/dev/null
	run dk rm -f ticker
	assert_success
	assert_equal "$(dk ps -aq)" ""
}

@test "berthd: docker stats --no-stream shows the container's cgroup figures; the API gives docker's shape" {
	dk run -d --name busy --memory 64m --pids-limit 50 berthd-test/bb:1 \
		sh -c 'sleep 1000 & sleep 1000 & while :; do :; done' >/dev/null
	wait_status busy running
	sleep 0.5
	run dk stats --no-stream --format '{{.Name}}|{{.MemUsage}}|{{.PIDs}}|{{.CPUPerc}}' busy
	assert_success
	local name mem pids cpu
	IFS='|' read -r name mem pids cpu <<<"$output"
	assert_equal "$name" "busy"
	[[ "$mem" == *" / 64MiB" ]]
	assert_equal "$pids" "3"
	# A spinning shell shows up (the CPU share comes from the two samples).
	[ "$cpu" != "0.00%" ]
	run api "/containers/busy/stats?stream=0"
	assert_success
	assert_equal "$(echo "$output" | jq -c '[.name, .memory_stats.limit, .pids_stats, .cpu_stats.online_cpus]')" \
		"[\"/busy\",67108864,{\"current\":3,\"limit\":50},$(nproc)]"
	# Two samples a second apart: cpu and precpu both filled, in order.
	[ "$(echo "$output" | jq '.cpu_stats.system_cpu_usage > .precpu_stats.system_cpu_usage and .precpu_stats.system_cpu_usage > 0')" = true ]
	[ "$(echo "$output" | jq '.cpu_stats.cpu_usage.total_usage >= .precpu_stats.cpu_usage.total_usage')" = true ]
	[ "$(echo "$output" | jq '.memory_stats.usage > 0')" = true ]
	# One shot: no earlier sample.
	run api "/containers/busy/stats?stream=0&one-shot=1"
	assert_equal "$(echo "$output" | jq -c '[.preread, .precpu_stats.system_cpu_usage]')" '["0001-01-01T00:00:00Z",null]'
	# A stream: one sample a second, each with the one before.
	run bash -c "curl -sN --unix-socket '$BERTHD_SOCK' 'http://berthd/containers/busy/stats' | head -2"
	assert_equal "${#lines[@]}" 2
	assert_equal "$(echo "${lines[1]}" | jq .precpu_stats.cpu_usage.total_usage)" \
		"$(echo "${lines[0]}" | jq .cpu_stats.cpu_usage.total_usage)"
	# A stopped container has no figures, as with docker.
	dk create --name idle berthd-test/bb:1 true >/dev/null
	run api "/containers/idle/stats?stream=0"
	assert_equal "$(echo "$output" | jq -c '[.name, .memory_stats, .pids_stats]')" '["/idle",{},{}]'
	run api "/containers/nosuch/stats?stream=0"
	assert_output_contains "No such container: nosuch"
	run api "/containers/busy/stats?stream=1&one-shot=1"
	assert_output_contains "cannot have stream=true and one-shot=true"
}

@test "berthd: docker top shows ps's columns for the container's processes only" {
	dk run -d --name tops berthd-test/bb:1 sh -c 'sleep 1001 & sleep 1002; true' >/dev/null
	wait_status tops running
	sleep 0.3
	run dk top tops
	assert_success
	[[ "${lines[0]}" =~ ^UID\ +PID\ +PPID\ +C\ +STIME\ +TTY\ +TIME\ +CMD$ ]]
	assert_output_contains "sleep 1001"
	assert_output_contains "sleep 1002"
	assert_equal "${#lines[@]}" 4
	run dk top tops -o pid,comm
	assert_success
	[[ "${lines[0]}" =~ ^PID\ +COMMAND$ ]]
	assert_equal "$(echo "$output" | tail -n +2 | awk '{print $2}' | sort | tr '\n' ' ')" "sh sleep sleep "
	run dk top tops --no-such-ps-option
	assert_failure
	assert_output_contains "ps --no-such-ps-option failed"
	dk create --name idle berthd-test/bb:1 true >/dev/null
	run dk top idle
	assert_failure
	assert_output_contains "is not running"
}

@test "berthd: an OOM kill is reported: OOMKilled, and an oom event before die" {
	local since
	since=$(date +%s)
	run dk run --name hog --memory 8m berthd-test/bb:1 sh -c 'a=$(head -c 64000000 /dev/zero | tr "\0" a); echo survived'
	assert_failure 137
	# The OOM killer takes the shell (which holds what it read) or first
	# tr, and the shell then says "Killed" before it is taken in turn:
	# which one depends on the load.  Never does the shell go on.
	refute_output_contains "survived"
	assert_equal "$(dk inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' hog)" "true 137"
	run dk events --since "$since" --until "$(($(date +%s) + 1))" --filter container=hog --format '{{.Action}}'
	assert_output_contains "oom"
	[[ "$(echo "$output" | tr '\n' ' ')" =~ oom\ .*die ]]
	dk run --name fine --memory 8m berthd-test/bb:1 true
	assert_equal "$(dk inspect -f '{{.State.OOMKilled}}' fine)" "false"
}

# The watch on the container's cgroup (memory.oom_control's eventfd on v1,
# memory.events on v2) reports an OOM kill while the container runs on:
# the OOM killer takes a child, the shell goes on.
@test "berthd: an OOM kill in a running container is reported while it runs" {
	local since
	since=$(date +%s)
	dk run -d --name hogger --memory 8m berthd-test/bb:1 sh -c \
		'sh -c "a=\$(head -c 64000000 /dev/zero | tr \"\\0\" a)"; echo "child=$?"; exec sleep 1000' >/dev/null
	# A loaded host can take a while to fill and reclaim 8 MiB; the
	# logs say what happened if the line never comes.
	WAIT_FOR_SECONDS=60 wait_for dk_logs_contain hogger "child=137" || {
		dk logs hogger >&2
		false
	}
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.State.OOMKilled}}' hogger)" "running true"
	run dk events --since "$since" --until "$(($(date +%s) + 1))" --filter container=hogger --format '{{.Action}}'
	assert_output_contains "oom"
	run ! grep -x die <<<"$output"
}

# The shim counts the OOM kills (memory.oom_control on v1, memory.events
# on v2) when the container exits: a berthd that was away learns of one
# from it.
@test "berthd: an OOM kill while berthd is away is reported once it is back" {
	local pid i
	dk run -d --name late --memory 8m berthd-test/bb:1 sh -c \
		'while [ ! -e /tmp/go ]; do sleep 0.1; done; a=$(head -c 64000000 /dev/zero | tr "\0" a)' >/dev/null
	wait_status late running
	pid=$(dk inspect -f '{{.State.Pid}}' late)
	berthd_stop TERM
	touch "/proc/$pid/root/tmp/go"
	for i in $(seq 300); do
		if ! kill -0 "$pid" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	run ! kill -0 "$pid"
	berthd_start
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.OOMKilled}}' late)" "exited 137 true"
}
