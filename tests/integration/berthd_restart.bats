#!/usr/bin/env bats
# A restart of berthd loses nothing: containers keep running without it,
# their output goes on into their logs, and the new berthd finds them with
# their exit codes, including exits that happened while it was away.

load berthd_helpers
berthd_file_hooks keep-containers

ticks() {
	dk logs "$1" | wc -l
}

@test "berthd restart: SIGTERM, then start: running containers keep running, exits are recorded" {
	dk run -d --name ticker berthd-test/bb:1 sh -c 'while true; do echo tick; sleep 0.1; done' >/dev/null
	dk run -d --name quitter berthd-test/bb:1 sh -c 'sleep 1; echo bye; exit 7' >/dev/null
	dk run -d --name looper --restart always berthd-test/bb:1 sleep 1000 >/dev/null
	wait_status ticker running
	wait_status looper running
	local pid before
	pid=$(dk inspect -f '{{.State.Pid}}' ticker)
	before=$(ticks ticker)
	berthd_stop TERM
	# Without berthd: the container runs and its output is kept.
	sleep 2
	kill -0 "$pid"
	berthd_start
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.State.Pid}}' ticker)" "running $pid"
	[ "$(ticks ticker)" -gt $((before + 10)) ]
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' quitter)" "exited 7"
	assert_equal "$(dk logs quitter)" "bye"
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.RestartCount}}' looper)" "running 0"
	run dk ps --format '{{.Names}}'
	assert_output_contains "ticker"
	assert_output_contains "looper"
	# The re-found container is fully managed again.
	run dk stop -t 1 ticker
	assert_success
	assert_equal "$(dk inspect -f '{{.State.Status}}' ticker)" "exited"
	dk rm -f ticker quitter looper >/dev/null
}

@test "berthd restart: kill -9, a container killed meanwhile, then start: its real status" {
	dk run -d --name victim berthd-test/bb:1 sh -c 'echo alive; sleep 1000' >/dev/null
	dk run -d --name survivor berthd-test/bb:1 sleep 1000 >/dev/null
	wait_status victim running
	wait_status survivor running
	local pid
	pid=$(dk inspect -f '{{.State.Pid}}' victim)
	berthd_stop KILL
	kill -KILL "$pid"
	sleep 0.5
	berthd_start
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' victim)" "exited 137"
	assert_equal "$(dk logs victim)" "alive"
	assert_equal "$(dk inspect -f '{{.State.Status}}' survivor)" "running"
	# A die event for the exit berthd learned after its start: a wait
	# begun before the kill ends with it, and docker events has it.
	local since waiter out=$BATS_TEST_TMPDIR/wait.out
	since=$(date +%s)
	(
		set +e
		timeout 10 "$DOCKER" wait survivor
		echo "status=$?"
	) >"$out" 2>&1 &
	waiter=$!
	# Still blocked a second later: it waits for the exit, not for the
	# state recorded at the restart.
	sleep 1
	kill -0 "$waiter"
	dk kill survivor >/dev/null
	wait "$waiter"
	assert_equal "$(cat "$out")" "137
status=0"
	run dk events --since "$since" --until "$(($(date +%s) + 1))" --filter container=survivor \
		--filter event=die --format '{{.Action}} {{.Actor.Attributes.exitCode}}'
	assert_success
	assert_equal "$output" "die 137"
	dk rm -f victim survivor >/dev/null
	assert_equal "$(dk ps -aq)" ""
}

# The records as berthd wrote them before they were JSON: one key=value
# line each, lists as repeated keys, "\n" and "\\" escaped, booleans 1/0,
# and <list>_set=0 for a Cmd or Entrypoint not given.
@test "berthd restart: a removed container's files go after the answer; what a killed berthd left of them goes at its start" {
	local short keep left orphan events watcher
	# When run --rm returns, the container is gone for every client: its
	# name is free and its directory is off the containers' directory.
	# (Its hostname is its short id.)
	short=$(dk run --rm --name gone berthd-test/bb:1 \
		sh -c 'mkdir -p /data/deep && seq 1000 >/data/deep/numbers && hostname')
	[ ${#short} -eq 12 ]
	assert_equal "$(ls "$BERTHD_DATA/containers" | grep -c "^$short")" 0
	run dk inspect gone
	assert_failure
	dk create --name gone berthd-test/bb:1 true >/dev/null
	dk rm gone >/dev/null
	# Its files are deleted, and its rootfs unmounted, by berthd's
	# removal thread, soon after.
	berthd_removals_done
	assert_equal "$(ls -A "$BERTHD_DATA/removing")" ""
	assert_equal "$(grep -c " $BERTHD_DATA/[a-z]*/[0-9a-f]\{64\}/rootfs " /proc/self/mountinfo)" 0

	# A berthd killed between the answer and the deletion leaves such a
	# tree in removing/; the next start deletes it, and nothing else.
	dk run -d --name keeper berthd-test/bb:1 sh -c 'echo kept >/kept; sleep 1000' >/dev/null
	wait_status keeper running
	keep=$(dk inspect -f '{{.Id}}' keeper)
	berthd_stop KILL
	left=$BERTHD_DATA/removing/$(echo "left $BATS_TEST_NAME" | sha256sum | cut -d' ' -f1)
	mkdir -p "$left/upper/data/deep" "$left/work" "$left/rootfs"
	seq 1000 >"$left/upper/data/deep/numbers"
	echo '{"name":"ghost"}' >"$left/config"
	echo log >"$left/container.log"
	# An --rm container's rootfs is unmounted there too: an overlay on a
	# layer of an image removed meanwhile, which the start's gc deletes
	# (once that mount is gone: a layer must not change under it).
	orphan=$BERTHD_DATA/layers/$(echo "orphan $BATS_TEST_NAME" | sha256sum | cut -d' ' -f1)
	mkdir -p "$orphan/diff/bin"
	echo lower >"$orphan/diff/bin/file"
	mount -t overlay berthd-test-left \
		-o "lowerdir=$orphan/diff,upperdir=$left/upper,workdir=$left/work" "$left/rootfs"
	assert_equal "$(cat "$left/rootfs/bin/file")" lower
	# The kernel's own account of the order: the unmount, then the
	# layer's file.
	events=$BATS_TEST_TMPDIR/fs-events
	python3 "$REPO/tests/helpers/fs_events.py" "rootfs=$left/rootfs" "layer=$orphan/diff/bin" \
		>"$events" 2>&1 &
	watcher=$!
	WAIT_FOR_SECONDS=60 wait_for grep -qx ready "$events"
	berthd_start
	kill "$watcher"
	wait "$watcher" || true
	[ ! -e "$left" ]
	[ ! -e "$orphan" ]
	assert_equal "$(grep -v '^ready$' "$events")" "rootfs unmounted
layer deleted file"
	assert_equal "$(grep -c " $left/rootfs " /proc/self/mountinfo)" 0
	assert_equal "$(ls -A "$BERTHD_DATA/removing")" ""
	run dk inspect ghost
	assert_failure
	assert_equal "$(dk inspect -f '{{.State.Status}}' keeper)" "running"
	assert_equal "$(cat "$BERTHD_DATA/containers/$keep/upper/kept")" "kept"
	dk rm -f keeper >/dev/null
	assert_equal "$(dk ps -aq)" ""
}

old_config() { # ID NAME IMAGE IMAGE_ID RESTART MAX_RETRIES
	printf '%s\n' "id=$1" "name=$2" "created=2026-01-02T03:04:05.123456789Z" "image=$3" \
		"image_id=$4" "hostname=oldhost" "workdir=/tmp" "cmd_set=1" "cmd=sh" "cmd=-c" \
		'cmd=echo "$GREETING"; echo "two\nlines \\ back"; exit 3' "entrypoint_set=0" \
		"env=PATH=/bin:/usr/bin" "env=GREETING=from=old" "label=era=kv" "tty=0" \
		"open_stdin=0" "stdin_once=0" "attach_stdin=0" "attach_stdout=1" "attach_stderr=1" \
		"stop_timeout=-1" "memory=67108864" "memory_swap=0" "nano_cpus=0" "cpu_shares=0" \
		"pids_limit=50" "cpu_quota=0" "cpu_period=0" "readonly_rootfs=0" "privileged=0" \
		"auto_remove=0" "restart_name=$5" "restart_max=$6" "network_mode=none"
}
old_state() { # STATUS EXIT_CODE HAS_RUN
	printf '%s\n' "status=$1" "pid=0" "exit_code=$2" "oom_killed=0" \
		"started_at=2026-01-02T03:04:06.5Z" "finished_at=2026-01-02T03:04:07.5Z" \
		"restart_count=1" "manual_stop=0" "has_run=$3" "shim_pid=0" "shim_start=0"
}

@test "berthd restart: records of an earlier berthd (key=value) are migrated to JSON on start" {
	local img id1 id2 dir rec
	img=$(dk image inspect -f '{{.Id}}' berthd-test/bb:1)
	rec=$BERTHD_DATA/images/${img#sha256:}
	id1=$(echo "old-one $BATS_TEST_NAME" | sha256sum | cut -d' ' -f1)
	id2=$(echo "old-two $BATS_TEST_NAME" | sha256sum | cut -d' ' -f1)
	berthd_stop TERM
	# The image's record as the earlier berthd wrote it, with one more tag.
	{
		echo "id=$img"
		echo "created=$(jq -r .created "$rec")"
		echo "size=$(jq -r .size "$rec")"
		echo "added=$(jq -r .added "$rec")"
		jq -r '.layers[] | "layer=" + .' "$rec"
		echo "tag=berthd-test/bb:1"
		echo "tag=berthd-test/old:tag"
	} >"$rec.new"
	mv "$rec.new" "$rec"
	# An exited container, and one that was running when that berthd
	# stopped and whose shim recorded its exit (the old form) meanwhile.
	for dir in "$BERTHD_DATA/containers/$id1" "$BERTHD_DATA/containers/$id2"; do
		mkdir -m 0700 "$dir"
		mkdir "$dir/upper" "$dir/work" "$dir/rootfs"
	done
	old_config "$id1" old-exited berthd-test/bb:1 "$img" on-failure 2 >"$BERTHD_DATA/containers/$id1/config"
	old_state exited 3 1 >"$BERTHD_DATA/containers/$id1/state"
	old_config "$id2" old-running berthd-test/bb:1 "$img" no 0 >"$BERTHD_DATA/containers/$id2/config"
	old_state running 0 1 >"$BERTHD_DATA/containers/$id2/state"
	printf '%s\n' "code=42" "finished=2026-01-02T03:04:09.25Z" "oom_kill=0" \
		>"$BERTHD_DATA/containers/$id2/exit"
	head -c 2 "$BERTHD_DATA/containers/$id1/config" | grep -qx 'id'
	berthd_start

	# Through the API: every field as the old record had it.
	assert_equal "$(dk inspect -f '{{.Id}} {{.Name}} {{.Config.Image}} {{.Image}}' old-exited)" \
		"$id1 /old-exited berthd-test/bb:1 $img"
	assert_equal "$(dk inspect -f '{{.Created}}' old-exited)" "2026-01-02T03:04:05.123456789Z"
	assert_equal "$(dk inspect -f '{{json .Config.Cmd}}' old-exited)" \
		'["sh","-c","echo \"$GREETING\"; echo \"two\nlines \\ back\"; exit 3"]'
	assert_equal "$(dk inspect -f '{{json .Config.Env}}' old-exited)" \
		'["PATH=/bin:/usr/bin","GREETING=from=old"]'
	assert_equal "$(dk inspect -f '{{.Config.Labels.era}} {{.Config.Hostname}} {{.Config.WorkingDir}}' old-exited)" \
		"kv oldhost /tmp"
	assert_equal "$(dk inspect -f '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.NetworkMode}}' old-exited)" \
		"67108864 50 none"
	assert_equal "$(dk inspect -f '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}} {{.RestartCount}}' old-exited)" \
		"on-failure:2 1"
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.FinishedAt}}' old-exited)" \
		"exited 3 2026-01-02T03:04:07.5Z"
	# The running one's exit, read from the shim's old exit file.
	assert_equal "$(dk inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.FinishedAt}}' old-running)" \
		"exited 42 2026-01-02T03:04:09.25Z"
	run dk images --format '{{.Repository}}:{{.Tag}}'
	assert_output_contains "berthd-test/old:tag"
	assert_equal "$(dk image inspect -f '{{.Id}}' berthd-test/old:tag)" "$img"

	# On disk: JSON now, with the same values.
	assert_equal "$(jq -r '.name + " " + (.cmd | length | tostring) + " " + (.pids_limit | tostring)' \
		"$BERTHD_DATA/containers/$id1/config")" "old-exited 3 50"
	assert_equal "$(jq -r '.entrypoint' "$BERTHD_DATA/containers/$id1/config")" "null"
	assert_equal "$(jq -r '.status + " " + (.exit_code | tostring) + " " + (.has_run | tostring)' \
		"$BERTHD_DATA/containers/$id1/state")" "exited 3 true"
	assert_equal "$(jq -r '.status' "$BERTHD_DATA/containers/$id2/state")" "exited"
	assert_equal "$(jq -r '.tags | join(",")' "$rec")" "berthd-test/bb:1,berthd-test/old:tag"

	# The migrated container runs as any other.
	run dk start -a old-exited
	assert_equal "$output" "from=old
two
lines \\ back"
	dk rmi berthd-test/old:tag >/dev/null
	dk rm -f old-exited old-running >/dev/null
	assert_equal "$(dk ps -aq)" ""
	[ ! -e "$BERTHD_DATA/containers/$id1" ]
}

# Each directory of berthd's cgroup parent exists, with nothing below it.
parent_held_empty() {
	local d
	for d in $(own_cgroup_dirs "$BERTHD_CGROUP"); do
		[ -d "$d" ] || { echo "not held: $d" >&2; return 1; }
		[ -z "$(find "$d" -mindepth 1 -type d)" ] || { echo "not empty: $d" >&2; return 1; }
	done
}

parent_gone() {
	local d
	for d in $(own_cgroup_dirs "$BERTHD_CGROUP"); do
		[ ! -e "$d" ] || { echo "left: $d" >&2; return 1; }
	done
}

@test "berthd restart: the cgroup parent is held while berthd runs, kept for the next berthd after a kill -9, removed at a clean stop" {
	# Held from the start, and through a run --rm: a container makes and
	# removes only its own directory.
	parent_held_empty
	run dk run --rm berthd-test/bb:1 cat /proc/self/cgroup
	assert_success
	parent_held_empty
	# A container with a realtime budget gets it inside the held parent.
	if [ -e "$(v1_mount cpu)/cpu.rt_runtime_us" ]; then
		run dk run --rm --cpu-rt-runtime 10000 berthd-test/bb:1 cat /sys/fs/cgroup/cpu/cpu.rt_runtime_us
		assert_success
		assert_equal "$output" 10000
	fi
	# A killed berthd leaves its parent, and its record, to the next.
	dk run -d --name held berthd-test/bb:1 sleep 1000 >/dev/null
	berthd_stop KILL
	[ -f "$BERTHD_ROOT/cgroup-parent" ]
	berthd_start
	dk rm -f held >/dev/null
	parent_held_empty
	berthd_stop TERM
	parent_gone
	[ ! -e "$BERTHD_ROOT/cgroup-parent" ]
	berthd_start
	parent_held_empty
}
