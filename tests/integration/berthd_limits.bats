#!/usr/bin/env bats
# Resource limits asked through docker are what the container sees in its
# cgroup (a pure cgroup v2 host: the VM; a hybrid host keeps memory and
# pids in cgroup v1, where the runtime applies them too).

load berthd_helpers

setup_file() {
	berthd_setup_file
}

teardown_file() {
	berthd_teardown_file
}

@test "berthd limits: --memory and --pids-limit are visible inside" {
	require_cgroup_v2
	run dk run --rm --memory 64m --pids-limit 20 berthd-test/bb:1 \
		sh -c 'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max'
	assert_success
	assert_equal "$output" "67108864
20"
}

@test "berthd limits: --cpus sets the CFS quota" {
	require_cgroup_v2
	run dk run --rm --cpus 0.5 berthd-test/bb:1 cat /sys/fs/cgroup/cpu.max
	assert_success
	assert_equal "$output" "50000 100000"
}

@test "berthd limits: on a hybrid host --memory and --pids-limit go to the v1 controllers" {
	require_cgroup_v1
	run dk run --rm --memory 64m --pids-limit 20 berthd-test/bb:1 \
		sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max'
	assert_success
	assert_equal "$output" "67108864
20"
	assert_equal "$(dk ps -aq)" ""
}

# The container's own limits as it sees them: memory, swap (memory plus
# swap, as docker counts it), pids, CFS quota and period, cpus.
limits_inside() {
	dk exec "$1" sh -c '
	if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
		m=$(cat /sys/fs/cgroup/memory.max); s=$(cat /sys/fs/cgroup/memory.swap.max)
		[ "$s" = max ] || s=$((m + s))
		echo "$m $s $(cat /sys/fs/cgroup/pids.max) $(cat /sys/fs/cgroup/cpu.max) $(cat /sys/fs/cgroup/cpuset.cpus.effective)"
	else
		q=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)
		[ "$q" = -1 ] && q=max
		echo "$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes) $(cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes) $(cat /sys/fs/cgroup/pids/pids.max) $q $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us) $(cat /sys/fs/cgroup/cpuset/cpuset.cpus)"
	fi'
}

@test "berthd limits: --cpus on a hybrid host is the v1 CFS quota" {
	require_cgroup_v1
	run dk run --rm --cpus 0.5 --cpu-shares 512 berthd-test/bb:1 \
		cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us /sys/fs/cgroup/cpu/cpu.shares
	assert_success
	assert_equal "$output" "50000
100000
512"
}

@test "berthd limits: docker update changes a running container's limits, and they stay for its next start" {
	dk run -d --name upd --memory 64m --pids-limit 20 berthd-test/bb:1 sleep 1000 >/dev/null
	wait_status upd running
	local cpus
	cpus=$(cat /sys/devices/system/cpu/online)
	assert_equal "$(limits_inside upd)" "67108864 134217728 20 max 100000 $cpus"
	run dk update --memory 128m --memory-swap 256m --pids-limit 30 --cpus 0.5 --cpuset-cpus 0 upd
	assert_success
	assert_equal "$(limits_inside upd)" "134217728 268435456 30 50000 100000 0"
	assert_equal "$(dk inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpusetCpus}}' upd)" \
		"134217728 268435456 30 500000000 0"
	run dk restart -t 0 upd
	assert_success
	assert_equal "$(limits_inside upd)" "134217728 268435456 30 50000 100000 0"
	# Unlimited pids; a restart policy.
	dk update --pids-limit -1 --restart on-failure:3 upd >/dev/null
	assert_equal "$(limits_inside upd | cut -d' ' -f3)" "max"
	assert_equal "$(dk inspect -f '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}' upd)" "on-failure:3"
	# Bad updates change nothing.
	run dk update --memory 1m upd
	assert_failure
	assert_output_contains "minimum memory limit allowed is 6MB"
	run dk update --memory 512m upd
	assert_failure
	assert_output_contains "Memory limit should be smaller than already set memoryswap limit"
	run dk update --cpu-quota 20000 upd
	assert_failure
	assert_output_contains "Nano CPUs cannot be set with CPU Quota"
	run dk update --kernel-memory 10m upd
	assert_failure
	assert_output_contains "kernel memory limits is not supported by berthd"
	run dk update --cpuset-cpus 4095 upd
	assert_failure
	assert_output_contains "requested CPUs are not available"
	assert_equal "$(limits_inside upd)" "134217728 268435456 max 50000 100000 0"
	# A stopped container takes the update for its next start.
	dk stop -t 0 upd >/dev/null
	dk update --memory 96m --memory-swap 96m upd >/dev/null
	dk start upd >/dev/null
	assert_equal "$(limits_inside upd | cut -d' ' -f1-2)" "100663296 100663296"
	dk rm -f upd >/dev/null
}

# The machine's first disk as "HOSTPATH MAJOR:MINOR" (tests/vm gives its
# guest a scratch disk).
host_disk() {
	local d
	for d in /sys/block/*; do
		[ -e "$d/dev" ] || continue
		case ${d##*/} in loop* | ram* | zram*) continue ;; esac
		[ -b "/dev/${d##*/}" ] || continue
		echo "/dev/${d##*/} $(cat "$d/dev")"
		return
	done
}

@test "berthd limits: --device-read-bps, --device-write-bps, --device-read-iops, --device-write-iops reach the container's blkio throttles (v1) or io.max (v2)" {
	local disk path dev
	disk=$(host_disk)
	[ -n "$disk" ] || fail "no disk on this machine"
	path=${disk% *} dev=${disk#* }
	run dk run --rm --device-read-bps "$path:1mb" --device-write-bps "$path:2mb" \
		--device-read-iops "$path:100" --device-write-iops "$path:200" berthd-test/bb:1 sh -c '
		if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
			cat /sys/fs/cgroup/io.max
		else
			cd /sys/fs/cgroup/blkio
			cat blkio.throttle.read_bps_device blkio.throttle.write_bps_device \
				blkio.throttle.read_iops_device blkio.throttle.write_iops_device
		fi'
	assert_success
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		assert_equal "$output" "$dev rbps=1048576 wbps=2097152 riops=100 wiops=200"
	else
		assert_equal "$output" "$dev 1048576
$dev 2097152
$dev 100
$dev 200"
	fi
	# Kept as docker keeps them: by the path the user named.
	dk create --name thr --device-read-bps "$path:1mb" berthd-test/bb:1 true >/dev/null
	assert_equal "$(dk inspect -f '{{json .HostConfig.BlkioDeviceReadBps}} {{json .HostConfig.BlkioDeviceWriteIOps}}' thr)" \
		"[{\"Path\":\"$path\",\"Rate\":1048576}] []"
	dk rm thr >/dev/null
	# A path that is no block device, or none at all: refused at create,
	# nothing made.
	run dk run --rm --device-write-bps /dev/null:1mb berthd-test/bb:1 true
	assert_failure
	assert_output_contains "block I/O device /dev/null is not a block device"
	run dk run --rm --device-read-iops /dev/berthd-no-such-disk:10 berthd-test/bb:1 true
	assert_failure
	assert_output_contains "block I/O device /dev/berthd-no-such-disk: No such file or directory"
	assert_equal "$(dk ps -aq)" ""
}

@test "berthd limits: --blkio-weight and --blkio-weight-device reach the scheduler's weight files, or are refused where the kernel has none" {
	local disk path dev
	disk=$(host_disk)
	[ -n "$disk" ] || fail "no disk on this machine"
	path=${disk% *} dev=${disk#* }
	run dk run --rm --blkio-weight 5 berthd-test/bb:1 true
	assert_failure
	assert_output_contains "Range of blkio weight is from 10 to 1000"
	# The docker CLI checks a device's weight itself; berthd does too.
	run curl -sS --unix-socket "$BERTHD_SOCK" -w '\n%{http_code}' -X POST \
		-H 'Content-Type: application/json' http://berthd/containers/create \
		-d "{\"Image\":\"berthd-test/bb:1\",\"Cmd\":[\"true\"],\"HostConfig\":{\"BlkioWeightDevice\":[{\"Path\":\"$path\",\"Weight\":2000}]}}"
	assert_equal "${lines[1]}" "400"
	assert_output_contains "Range of blkio weight is from 10 to 1000"
	assert_equal "$(dk ps -aq)" ""
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		# io.bfq.weight takes blkio's numbers; io.weight (iocost) its
		# own range: 1 + (300 - 10) * 9999 / 990 = 2930.  (A device's
		# weight in io.weight needs iocost active on that disk: not
		# checked here.)
		run dk run --rm --blkio-weight 300 berthd-test/bb:1 sh -c '
			f=/sys/fs/cgroup/io.bfq.weight; [ -e $f ] || f=/sys/fs/cgroup/io.weight; cat $f'
		assert_success
		case $output in
		"default 300"*) ;;
		"default 2930"*) ;;
		*) fail "unexpected weights: $output" ;;
		esac
		return
	fi
	local blkio
	blkio=$(v1_mount blkio)
	if [ -e "$blkio/blkio.weight" ] || [ -e "$blkio/blkio.bfq.weight" ]; then
		run dk run --rm --blkio-weight 300 --blkio-weight-device "$path:200" berthd-test/bb:1 sh -c '
			cd /sys/fs/cgroup/blkio; cat blkio.weight blkio.weight_device 2>/dev/null ||
			cat blkio.bfq.weight blkio.bfq.weight_device'
		assert_success
		assert_output_contains "300"
		assert_output_contains "$dev 200"
	else
		# No CFQ or BFQ on this kernel's disks: dockerd discards the
		# weight with a warning; berthd refuses it at start, by name.
		run dk run --name wt --blkio-weight 300 berthd-test/bb:1 true
		assert_failure
		assert_output_contains "blockIO.weight: this kernel has neither blkio.weight nor blkio.bfq.weight"
		assert_equal "$(dk inspect -f '{{.State.Status}} {{.HostConfig.BlkioWeight}}' wt)" "created 300"
		dk rm wt >/dev/null
	fi
	assert_equal "$(dk ps -aq)" ""
}

@test "berthd limits: --cpu-rt-period and --cpu-rt-runtime reach cpu.rt_* (cgroup v1) and docker update changes them; cgroup v2 refuses them by name" {
	run dk run --rm --cpu-rt-period 100000 --cpu-rt-runtime 200000 berthd-test/bb:1 true
	assert_failure
	assert_output_contains "cpu real-time runtime cannot be higher than cpu real-time period"
	assert_equal "$(dk ps -aq)" ""
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		# cgroup v2 has no real-time budget per group: refused at start,
		# by name; the container stays created, as dockerd leaves one
		# whose start failed, and holds no cgroup.
		run dk run --name rt --cpu-rt-runtime 10000 berthd-test/bb:1 true
		assert_failure
		assert_output_contains "cpu.realtimeRuntime: not supported on cgroup v2"
		assert_equal "$(dk inspect -f '{{.State.Status}}' rt)" "created"
		dk rm rt >/dev/null
		return
	fi
	if [ ! -e "$(v1_mount cpu)/cpu.rt_runtime_us" ]; then
		# A kernel without RT group scheduling.
		run dk run --name rt --cpu-rt-runtime 10000 berthd-test/bb:1 true
		assert_failure
		assert_output_contains "cpu.realtimeRuntime"
		dk rm rt >/dev/null
		return
	fi
	dk run -d --name rt --cpu-rt-period 100000 --cpu-rt-runtime 10000 berthd-test/bb:1 sleep 1000 >/dev/null
	run dk exec rt cat /sys/fs/cgroup/cpu/cpu.rt_period_us /sys/fs/cgroup/cpu/cpu.rt_runtime_us
	assert_success
	assert_equal "$output" "100000
10000"
	assert_equal "$(dk inspect -f '{{.HostConfig.CpuRealtimePeriod}} {{.HostConfig.CpuRealtimeRuntime}}' rt)" "100000 10000"
	dk update --cpu-rt-runtime 5000 rt >/dev/null
	assert_equal "$(dk exec rt cat /sys/fs/cgroup/cpu/cpu.rt_runtime_us)" "5000"
	run dk update --cpu-rt-runtime 200000 rt
	assert_failure
	assert_output_contains "cpu real-time runtime cannot be higher than cpu real-time period"
	# Kept for the next start.
	dk restart -t 0 rt >/dev/null
	assert_equal "$(dk exec rt cat /sys/fs/cgroup/cpu/cpu.rt_runtime_us)" "5000"
	dk rm -f rt >/dev/null
}

@test "berthd limits: --cpu-period, --cpu-quota, --cpu-shares and --cpuset-mems reach the cgroup, at run and at update" {
	# What the container sees: quota, period, shares (v2: its weight),
	# memory nodes.
	local see='if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
		echo "$(cat /sys/fs/cgroup/cpu.max) $(cat /sys/fs/cgroup/cpu.weight) $(cat /sys/fs/cgroup/cpuset.mems)"
	else
		echo "$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us) $(cat /sys/fs/cgroup/cpu/cpu.shares) $(cat /sys/fs/cgroup/cpuset/cpuset.mems)"
	fi'
	local v2=""
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		v2=1
	fi
	dk run -d --name cpu --cpu-period 50000 --cpu-quota 20000 --cpu-shares 512 --cpuset-mems 0 \
		berthd-test/bb:1 sleep 1000 >/dev/null
	# cpu.weight from shares: 1 + (shares - 2) * 9999 / 262142.
	if [ -n "$v2" ]; then
		assert_equal "$(dk exec cpu sh -c "$see")" "20000 50000 20 0"
	else
		assert_equal "$(dk exec cpu sh -c "$see")" "20000 50000 512 0"
	fi
	dk update --cpu-period 100000 --cpu-quota 30000 --cpu-shares 1024 cpu >/dev/null
	if [ -n "$v2" ]; then
		assert_equal "$(dk exec cpu sh -c "$see")" "30000 100000 39 0"
	else
		assert_equal "$(dk exec cpu sh -c "$see")" "30000 100000 1024 0"
	fi
	assert_equal "$(dk inspect -f '{{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuShares}} {{.HostConfig.CpusetMems}}' cpu)" \
		"100000 30000 1024 0"
	run dk update --cpu-period 500 cpu
	assert_failure
	assert_output_contains "CPU cfs period can not be less than 1ms"
	run dk update --cpuset-mems 4095 cpu
	assert_failure
	assert_output_contains "requested memory nodes are not available: 4095"
	dk rm -f cpu >/dev/null
}
