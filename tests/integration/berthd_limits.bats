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
