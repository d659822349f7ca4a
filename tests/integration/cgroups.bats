#!/usr/bin/env bats
# The container's cgroups as a whole: one per hierarchy, joined before the
# user's program runs, removed on delete; pause/resume, kill --all, ps,
# update, events; the errors of a host that lacks a controller.

load helpers
load cgroups_helpers

setup() {
	setup_bundle
}

teardown() {
	cleanup_cgroups
}

@test "the container is in its own cgroup in every hierarchy before its program runs" {
	start_reading /proc/self/cgroup
	local pid line c
	pid=$(init_pid)
	# From the host: every controller hierarchy and the v2 tree name the
	# container's cgroup below our own.
	for c in $(v1_controllers); do
		grep -Eq "^[0-9]+:([^:]*,)?$c(,[^:]*)?:$(v1_own "$c")/$CGROUP_PARENT/ctr\$" \
			"/proc/$pid/cgroup"
		[ -d "$(ctl_dir "$c")" ]
	done
	grep -q "^0::$(own_unified_cgroup)/$CGROUP_PARENT/ctr\$" "/proc/$pid/cgroup"
	# Inside, in its cgroup namespace, the program's first read says "/"
	# for each of them: it was placed before it ran.
	[ "$(grep -c . "$OUT")" -gt 1 ]
	while read -r line; do
		case $line in
		READY | *name=systemd*) continue ;;
		/proc/self/cgroup=*) line=${line#*=} ;;
		esac
		[ "${line##*:}" = / ] || {
			echo "inside: $line" >&2
			return 1
		}
	done <"$OUT"
}

@test "the default cgroup path is /berth/<id>, and delete removes /berth if it made it" {
	# An absolute path: only where a cgroup at the root of every hierarchy
	# is ours to make (the VM), not on a host whose accounting runs
	# through the caller's own cgroups.
	require_cgroup_v2
	[ -e "$(unified_root)/berth" ] && skip "a /berth cgroup exists already on this host"
	update_config 'del(.linux.cgroupsPath) | .process.args = ["sleep", "100"]'
	run_detached create --bundle "$BUNDLE" ctr
	assert_success
	[ -d "$(unified_root)/berth/ctr" ]
	berth delete --force ctr
	[ ! -e "$(unified_root)/berth" ]
}

@test "v1: a relative cgroupsPath nests below the caller's own cgroup in each hierarchy" {
	require_cgroup_v1
	start_reading /proc/self/cgroup
	local c
	for c in $(v1_controllers); do
		[ -d "$(v1_mount "$c")$(v1_own "$c")/$CGROUP_PARENT/ctr" ]
	done
	# The memory one sits below the caller's memory cgroup, not at the root.
	[ "$(v1_own memory)" = "$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)" ]
	[ ! -e "$(v1_mount memory)/$CGROUP_PARENT" ] || [ "$(v1_own memory)" = "" ]
}

@test "delete removes the container's cgroups in every hierarchy, and nothing above" {
	start_reading /proc/self/cgroup
	local c
	for c in $(v1_controllers); do
		[ -d "$(ctl_dir "$c")" ]
	done
	[ -d "$(cgroup_dir)" ]
	berth delete --force ctr
	assert_no_cgroups
	# Our own cgroups are untouched.
	for c in $(v1_controllers); do
		[ -d "$(v1_mount "$c")$(v1_own "$c")" ]
	done
}

@test "a cgroup that already exists is refused and left alone" {
	mkdir -p "$(cgroup_dir)"
	run berth run --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains "already exists"
	[ -d "$(cgroup_dir)" ]
	[ ! -e "$ROOT/ctr" ]
	rmdir "$(cgroup_dir)"
	rmdir "$(dirname "$(cgroup_dir)")"
	assert_no_cgroups
}

@test "v1: a v1 cgroup that already exists is refused; berth's other ones are removed" {
	require_cgroup_v1
	mkdir -p "$(ctl_dir memory)"
	run berth run --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains "already exists"
	[ -d "$(ctl_dir memory)" ]
	rmdir "$(ctl_dir memory)"
	rmdir "$(dirname "$(ctl_dir memory)")"
	assert_no_cgroups
}

@test "v1: a cpuset parent without cpus or memory nodes (made a moment ago by another) is filled from above, as runc fills it" {
	require_cgroup_v1
	[ -n "$(v1_mount cpuset)" ] || skip "no v1 cpuset hierarchy"
	local parent want_cpus want_mems rt runc
	runc=$(command -v runc || true)
	parent=$(v1_mount cpuset)$(v1_own cpuset)/$CGROUP_PARENT
	want_cpus=$(cat "$(v1_mount cpuset)$(v1_own cpuset)/cpuset.cpus")
	want_mems=$(cat "$(v1_mount cpuset)$(v1_own cpuset)/cpuset.mems")
	update_config '.process.args = ["sh", "-c", "grep -E \"^(Cpus|Mems)_allowed_list\" /proc/self/status"]'
	for rt in berth runc; do
		[ "$rt" = berth ] || [ -n "$runc" ] || continue
		# What another create leaves between its mkdir and its writes.
		mkdir "$parent"
		echo >"$parent/cpuset.cpus"
		echo >"$parent/cpuset.mems"
		assert_equal "$(cat "$parent/cpuset.cpus")" ""
		if [ "$rt" = berth ]; then
			run berth run --bundle "$BUNDLE" ctr
		else
			run "$runc" --root "$BATS_TEST_TMPDIR/runc" run --bundle "$BUNDLE" runc-ctr
		fi
		assert_success
		assert_output_contains "Cpus_allowed_list:	$want_cpus"
		assert_output_contains "Mems_allowed_list:	$want_mems"
		assert_equal "$(cat "$parent/cpuset.cpus") $(cat "$parent/cpuset.mems")" "$want_cpus $want_mems"
		[ "$rt" = berth ] || "$runc" --root "$BATS_TEST_TMPDIR/runc" delete --force runc-ctr
		# The parent was not berth's to remove; only the container's went.
		[ -d "$parent" ]
		[ ! -e "$parent/ctr" ]
		find "$parent" -depth -type d -exec rmdir {} \;
		for c in $(v1_controllers); do
			rmdir "$(v1_mount "$c")$(v1_own "$c")/$CGROUP_PARENT" 2>/dev/null || true
		done
		rmdir "$(dirname "$(cgroup_dir)")" 2>/dev/null || true
	done
	assert_no_cgroups
}

@test "a controller the host lacks fails with its name, and nothing is left behind" {
	if is_unified; then
		set_resources '{"network":{"classID":1}}'
		run berth run --bundle "$BUNDLE" ctr
		assert_failure 1
		assert_output_contains "the net_cls controller exists only in cgroup v1"
	else
		[ -z "$(v1_mount net_cls)" ] || skip "this host has net_cls"
		set_resources '{"pids":{"limit":10},"network":{"classID":1}}'
		run berth run --bundle "$BUNDLE" ctr
		assert_failure 1
		assert_output_contains "the net_cls controller is not available on this host (neither mounted as a cgroup v1 hierarchy nor in the cgroup v2 hierarchy)"
	fi
	[ ! -e "$ROOT/ctr" ]
	assert_no_cgroups
}

@test "--systemd-cgroup is refused with the reason, nothing left behind" {
	update_config '.linux.cgroupsPath = "system.slice:berth:ctr"'
	run "$BERTH" --root "$ROOT" --systemd-cgroup run --bundle "$BUNDLE" ctr
	assert_failure 1
	if [ -d /run/systemd/system ]; then
		assert_output_contains "--systemd-cgroup: the systemd cgroup driver is not supported by berth"
	else
		assert_output_contains "--systemd-cgroup: systemd is not running on this host"
	fi
	assert_output_contains "drop --systemd-cgroup"
	[ ! -e "$ROOT/ctr" ]
	assert_no_cgroups
}

# A container that counts into its stdout, ten times a second.
start_counter() {
	set_script 'i=0; while true; do i=$((i+1)); echo $i; sleep 0.1; done'
	start_detached
	wait_for grep -q '^3$' "$OUT"
}

last_count() {
	tail -n 1 "$OUT"
}

frozen_on_host() {
	if [ -n "$(v1_mount freezer)" ]; then
		[ "$(cat "$(ctl_dir freezer)/freezer.state")" = FROZEN ]
	else
		grep -qx "frozen 1" "$(cgroup_dir)/cgroup.events"
	fi
}

@test "pause freezes the container (its counter stops) and resume thaws it" {
	start_counter
	berth pause ctr
	assert_equal "$(container_status ctr)" paused
	frozen_on_host
	grep -q "State:.*T\|State:.*D\|State:.*S" "/proc/$(init_pid)/status"
	local a b
	a=$(last_count)
	sleep 0.6
	b=$(last_count)
	assert_equal "$b" "$a"
	# Pausing twice, or resuming a running container, is an error.
	run berth pause ctr
	assert_failure 1
	assert_output_contains "it is paused"
	berth resume ctr
	assert_equal "$(container_status ctr)" running
	if frozen_on_host; then fail "unexpectedly true"; fi
	sleep 0.6
	[ "$(last_count)" -gt "$b" ]
	run berth resume ctr
	assert_failure 1
	assert_output_contains "it is running"
}

@test "kill and delete work on a paused container" {
	start_counter
	berth pause ctr
	berth kill ctr KILL
	wait_for status_is ctr stopped
	berth delete ctr
	assert_no_cgroups
	start_counter
	berth pause ctr
	berth delete --force ctr
	assert_no_cgroups
}

dead() {
	! kill -0 "$1" 2>/dev/null || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

@test "kill --all signals every process of the container" {
	set_script 'sleep 1000 & sleep 1000 & echo READY; wait'
	start_detached
	wait_for grep -q READY "$OUT"
	run berth ps --format json ctr
	assert_success
	local pids
	pids=$(echo "$output" | jq -r '.[]')
	assert_equal "$(echo "$pids" | wc -l)" 3
	berth kill --all ctr KILL
	wait_for status_is ctr stopped
	# Each is dead: gone, or a zombie its new parent has not reaped yet.
	for p in $pids; do
		wait_for dead "$p"
	done
	run berth ps --format json ctr
	assert_equal "$output" "[]"
}

@test "kill --all of a paused container with SIGTERM delivers it on resume" {
	set_script 'trap "echo TERM; exit 3" TERM; echo READY; while true; do sleep 0.1; done'
	start_detached
	wait_for grep -q READY "$OUT"
	berth pause ctr
	berth kill --all ctr TERM
	assert_equal "$(container_status ctr)" paused
	berth resume ctr
	wait_for grep -q TERM "$OUT"
}

@test "ps lists the container's processes: ps(1)'s table, or JSON" {
	set_script 'sleep 1000 & echo READY; wait'
	start_detached
	wait_for grep -q READY "$OUT"
	run berth ps ctr
	assert_success
	[[ "${lines[0]}" == *UID*PID*PPID* ]]
	assert_equal "${#lines[@]}" 3
	assert_output_contains "sleep 1000"
	# ps options go to ps(1); only the container's lines are kept.
	run berth ps ctr -o pid,comm
	assert_success
	[[ "${lines[0]}" == *PID*COMMAND* ]]
	assert_equal "${#lines[@]}" 3
	[[ "$output" != *bats* ]]
	run berth ps --format json ctr
	assert_success
	echo "$output" | jq -e 'length == 2'
	echo "$output" | jq -e --argjson p "$(init_pid)" 'index($p) != null'
	run berth ps --format json ctr -o pid
	assert_failure 1
	assert_output_contains "table format only"
	run berth ps --format yaml ctr
	assert_failure 1
}

@test "update changes a live limit, seen inside and outside" {
	set_resources '{"memory":{"limit":67108864},"pids":{"limit":30}}'
	start_reading /proc/self/cgroup
	local pid dir
	pid=$(init_pid)
	berth update --memory 96m --pids-limit 40 --cpu-shares 256 ctr
	dir=$(inner_dir pids)
	assert_equal "$(cat "/proc/$pid/root$dir/pids.max")" 40
	assert_equal "$(cat "$(ctl_dir pids)/pids.max")" 40
	if is_unified; then
		assert_equal "$(cat "$(cgroup_dir)/memory.max")" 100663296
		assert_equal "$(cat "/proc/$pid/root/sys/fs/cgroup/memory.max")" 100663296
		assert_equal "$(cat "$(cgroup_dir)/cpu.weight")" 10
	else
		assert_equal "$(cat "$(ctl_dir memory)/memory.limit_in_bytes")" 100663296
		assert_equal "$(cat "/proc/$pid/root$(inner_dir memory)/memory.limit_in_bytes")" 100663296
		assert_equal "$(cat "$(ctl_dir cpu)/cpu.shares")" 256
	fi
}

@test "update -r - reads linux.resources from stdin, as docker sends it" {
	set_resources '{"pids":{"limit":30}}'
	start_reading /proc/self/cgroup
	echo '{"memory":{"limit":0,"swap":0},"cpu":{"shares":0,"quota":40000,"period":100000},
		"blockIO":{"weight":0},"pids":{"limit":33}}' | berth update -r - ctr
	assert_equal "$(cat "$(ctl_dir pids)/pids.max")" 33
	if is_unified; then
		assert_equal "$(cat "$(cgroup_dir)/cpu.max")" "40000 100000"
	else
		assert_equal "$(cat "$(ctl_dir cpu)/cpu.cfs_quota_us")" 40000
	fi
	# A quota alone keeps the period.
	berth update --cpu-quota 30000 ctr
	if is_unified; then
		assert_equal "$(cat "$(cgroup_dir)/cpu.max")" "30000 100000"
	else
		assert_equal "$(cat "$(ctl_dir cpu)/cpu.cfs_period_us")" 100000
	fi
}

@test "update of a controller the container did not use yet (hugetlb) enables it" {
	[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2MB huge pages"
	start_reading /proc/self/cgroup
	echo '{"hugepageLimits":[{"pageSize":"2MB","limit":2097152}]}' | berth update -r - ctr
	local f=hugetlb.2MB.max
	[ -z "$(v1_mount hugetlb)" ] || f=hugetlb.2MB.limit_in_bytes
	assert_equal "$(cat "$(ctl_dir hugetlb)/$f")" 2097152
}

@test "update refuses bad input and leaves the limits as they were" {
	set_resources '{"pids":{"limit":30}}'
	start_reading /proc/self/cgroup
	run berth update --memory lots ctr
	assert_failure 1
	assert_output_contains '--memory: "lots" is not a size'
	run berth update ctr
	assert_failure 1
	assert_output_contains "nothing to update"
	run berth update -r - --pids-limit 3 ctr </dev/null
	assert_failure 1
	assert_output_contains "cannot be combined"
	run berth update --pids-limit 12 nosuch
	assert_failure 1
	assert_output_contains 'container "nosuch" does not exist'
	echo '{"pids":{"limit":"x"}}' >"$BATS_TEST_TMPDIR/r.json"
	run berth update -r "$BATS_TEST_TMPDIR/r.json" ctr
	assert_failure 1
	assert_output_contains "pids.limit"
	assert_equal "$(cat "$(ctl_dir pids)/pids.max")" 30
}

@test "update with checkBeforeUpdate refuses a limit below the current usage" {
	set_resources '{"memory":{"limit":67108864}}'
	start_reading /proc/self/cgroup
	echo '{"memory":{"limit":4096,"checkBeforeUpdate":true}}' | {
		run berth update -r - ctr
		assert_failure 1
		assert_output_contains "below the current usage"
	}
	if is_unified; then
		assert_equal "$(cat "$(cgroup_dir)/memory.max")" 67108864
	else
		assert_equal "$(cat "$(ctl_dir memory)/memory.limit_in_bytes")" 67108864
	fi
}

@test "events --stats reports real numbers" {
	set_resources '{"memory":{"limit":67108864},"pids":{"limit":30}}'
	set_script 'sleep 1000 & i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo READY; wait'
	start_detached
	wait_for grep -q READY "$OUT"
	run berth events --stats ctr
	assert_success
	echo "$output" | jq -e '.type == "stats" and .id == "ctr"'
	echo "$output" | jq -e '.data.pids.current == 2 and .data.pids.limit == 30'
	echo "$output" | jq -e '.data.memory.usage.usage > 0'
	echo "$output" | jq -e '.data.memory.usage.limit == 67108864'
	echo "$output" | jq -e '.data.cpu.usage.total > 0'
	echo "$output" | jq -e '.data.memory.raw | length > 5'
}

@test "events streams stats every interval and ends when the container stops" {
	set_script 'echo READY; sleep 2'
	start_detached
	wait_for grep -q READY "$OUT"
	run timeout 10 "$BERTH" --root "$ROOT" events --interval 300ms ctr
	assert_success
	[ "${#lines[@]}" -ge 2 ]
	echo "${lines[0]}" | jq -e '.type == "stats" and .data.pids.current >= 1'
}

@test "events of a stopped or missing container is an error" {
	run berth events --stats nosuch
	assert_failure 1
	assert_output_contains 'container "nosuch" does not exist'
	run berth events --interval 0s nosuch
	assert_failure 1
	assert_output_contains "is not a duration"
}
