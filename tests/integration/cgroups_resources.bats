#!/usr/bin/env bats
# linux.resources, field by field: each is written to the container's
# cgroup, read back inside the container (the file it sees under its
# /sys/fs/cgroup, in its own cgroup namespace) and on the host.  A "v1"
# test runs where the controller is a cgroup v1 one (the hybrid host), a
# "v2" test on a unified host (tests/vm).

load helpers
load cgroups_helpers

setup() {
	setup_bundle
}

teardown() {
	local failed=0
	stop_private_cgroup_ns || failed=1
	cleanup_cgroups || failed=1
	remove_soft_rdma || failed=1
	return "$failed"
}

# --- memory ---------------------------------------------------------------

@test "v1: memory.limit -> memory.limit_in_bytes" {
	require_cgroup_v1
	set_resources '{"memory":{"limit":67108864}}'
	check_file memory memory.limit_in_bytes 67108864
}

@test "v2: memory.limit -> memory.max" {
	require_cgroup_v2
	set_resources '{"memory":{"limit":67108864}}'
	check_file memory memory.max 67108864
}

@test "v1: memory.reservation -> memory.soft_limit_in_bytes" {
	require_cgroup_v1
	set_resources '{"memory":{"reservation":33554432}}'
	check_file memory memory.soft_limit_in_bytes 33554432
}

@test "v2: memory.reservation -> memory.low" {
	require_cgroup_v2
	set_resources '{"memory":{"reservation":33554432}}'
	check_file memory memory.low 33554432
}

@test "v1: memory.swap -> memory.memsw.limit_in_bytes (memory plus swap)" {
	require_cgroup_v1
	set_resources '{"memory":{"limit":67108864,"swap":134217728}}'
	check_file memory memory.memsw.limit_in_bytes 134217728
	assert_equal "$(cat "$(ctl_dir memory)/memory.limit_in_bytes")" 67108864
}

@test "v2: memory.swap -> memory.swap.max (swap minus limit)" {
	require_cgroup_v2
	set_resources '{"memory":{"limit":67108864,"swap":134217728}}'
	check_file memory memory.swap.max 67108864
	assert_equal "$(cat "$(cgroup_dir)/memory.max")" 67108864
}

@test "memory.swap below the limit is refused, nothing left behind" {
	set_resources '{"memory":{"limit":134217728,"swap":67108864}}'
	run berth run --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains "memory.swap"
	assert_output_contains "below the memory limit"
	assert_no_cgroups
}

@test "memory.kernel and kernelTCP are ignored with a warning, the limit applies (runc)" {
	set_resources '{"memory":{"limit":67108864,"kernel":16777216,"kernelTCP":16777216}}'
	start_detached
	output=$(cat "$OUT")
	assert_output_contains "warning: linux.resources.memory: kernel memory settings (kernel, kernelTCP) are ignored"
	if is_unified; then
		assert_equal "$(cat "$(cgroup_dir)/memory.max")" 67108864
	else
		assert_equal "$(cat "$(ctl_dir memory)/memory.limit_in_bytes")" 67108864
		# Left as the kernel made them: unlimited.
		[ "$(cat "$(ctl_dir memory)/memory.kmem.tcp.limit_in_bytes")" != 16777216 ]
	fi
}

@test "v2: memory.swappiness, disableOOMKiller are refused with the reason" {
	require_cgroup_v2
	local r
	for r in '{"swappiness":10}' '{"disableOOMKiller":true}'; do
		set_resources "{\"memory\":$r}"
		run berth run --bundle "$BUNDLE" ctr
		assert_failure 1
		assert_output_contains "not supported on cgroup v2"
		assert_no_cgroups
	done
	# What docker always sends is fine.
	set_resources '{"memory":{"disableOOMKiller":false}}'
	run_container
	assert_success
}

@test "v1: memory.swappiness -> memory.swappiness" {
	require_cgroup_v1
	set_resources '{"memory":{"swappiness":10}}'
	check_file memory memory.swappiness 10
}

@test "v1: memory.disableOOMKiller -> memory.oom_control" {
	require_cgroup_v1
	set_resources '{"memory":{"disableOOMKiller":true}}'
	start_reading "$(inner_dir memory)/memory.oom_control"
	grep -q "oom_kill_disable 1" "$OUT"
	grep -q "oom_kill_disable 1" "$(ctl_dir memory)/memory.oom_control"
}

# --- cpu ------------------------------------------------------------------

@test "v1: cpu.shares -> cpu.shares" {
	require_cgroup_v1
	set_resources '{"cpu":{"shares":512}}'
	check_file cpu cpu.shares 512
}

@test "v2: cpu.shares -> cpu.weight (1 + (shares - 2) * 9999 / 262142)" {
	require_cgroup_v2
	set_resources '{"cpu":{"shares":512}}'
	check_file cpu cpu.weight 20
}

@test "v1: cpu.quota and cpu.period -> cpu.cfs_quota_us, cpu.cfs_period_us" {
	require_cgroup_v1
	set_resources '{"cpu":{"quota":50000,"period":200000}}'
	check_file cpu cpu.cfs_quota_us 50000
	assert_equal "$(cat "$(ctl_dir cpu)/cpu.cfs_period_us")" 200000
}

@test "v2: cpu.quota and cpu.period -> cpu.max" {
	require_cgroup_v2
	set_resources '{"cpu":{"quota":50000,"period":200000}}'
	check_file cpu cpu.max "50000 200000"
}

@test "v1: cpu.burst -> cpu.cfs_burst_us" {
	require_cgroup_v1
	set_resources '{"cpu":{"quota":50000,"period":100000,"burst":20000}}'
	check_file cpu cpu.cfs_burst_us 20000
}

@test "v2: cpu.burst -> cpu.max.burst" {
	require_cgroup_v2
	set_resources '{"cpu":{"quota":50000,"period":100000,"burst":20000}}'
	check_file cpu cpu.max.burst 20000
}

@test "v1: cpu.realtimeRuntime and realtimePeriod -> cpu.rt_runtime_us, cpu.rt_period_us" {
	require_cgroup_v1
	[ -e "$(v1_mount cpu)/cpu.rt_runtime_us" ] || skip "kernel without CONFIG_RT_GROUP_SCHED"
	set_resources '{"cpu":{"realtimeRuntime":10000,"realtimePeriod":100000}}'
	check_file cpu cpu.rt_runtime_us 10000
	assert_equal "$(cat "$(ctl_dir cpu)/cpu.rt_period_us")" 100000
}

@test "v2: cpu.realtimeRuntime is refused: cgroup v2 has no realtime budget" {
	require_cgroup_v2
	set_resources '{"cpu":{"realtimeRuntime":10000}}'
	run berth run --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains "linux.resources.cpu.realtimeRuntime: not supported on cgroup v2"
	assert_no_cgroups
}

@test "v1: cpu.idle -> cpu.idle" {
	require_cgroup_v1
	set_resources '{"cpu":{"idle":1}}'
	check_file cpu cpu.idle 1
}

@test "v2: cpu.idle -> cpu.idle" {
	require_cgroup_v2
	set_resources '{"cpu":{"idle":1}}'
	check_file cpu cpu.idle 1
}

@test "v1: cpu.cpus and cpu.mems -> cpuset.cpus, cpuset.mems" {
	require_cgroup_v1
	set_resources '{"cpu":{"cpus":"0","mems":"0"}}'
	check_file cpuset cpuset.cpus 0
	assert_equal "$(cat "$(ctl_dir cpuset)/cpuset.mems")" 0
	# The kernel keeps the container on that cpu.
	grep -q "Cpus_allowed_list:[[:space:]]*0$" "/proc/$(init_pid)/status"
}

@test "v2: cpu.cpus and cpu.mems -> cpuset.cpus, cpuset.mems" {
	require_cgroup_v2
	set_resources '{"cpu":{"cpus":"0","mems":"0"}}'
	check_file cpuset cpuset.cpus 0
	assert_equal "$(cat "$(cgroup_dir)/cpuset.mems")" 0
	grep -q "Cpus_allowed_list:[[:space:]]*0$" "/proc/$(init_pid)/status"
}

# --- pids -----------------------------------------------------------------

@test "v1: pids.limit -> pids.max" {
	require_cgroup_v1
	set_resources '{"pids":{"limit":42}}'
	check_file pids pids.max 42
}

@test "v2: pids.limit -> pids.max" {
	require_cgroup_v2
	set_resources '{"pids":{"limit":42}}'
	check_file pids pids.max 42
}

# --- block I/O -------------------------------------------------------------

@test "v1: blockIO.weight -> blkio.weight or blkio.bfq.weight" {
	require_cgroup_v1
	set_resources '{"blockIO":{"weight":300}}'
	run berth run -d --bundle "$BUNDLE" ctr
	local d
	d=$(ctl_dir blkio)
	if [ -e "$d/blkio.bfq.weight" ] || [ -e "$d/blkio.weight" ]; then
		assert_success
		[ "$(cat "$d/blkio.weight" 2>/dev/null)" = 300 ] ||
			grep -q "300" "$d/blkio.bfq.weight"
	else
		assert_failure 1
		assert_output_contains "has neither blkio.weight nor blkio.bfq.weight"
	fi
}

@test "v2: blockIO.weight -> io.bfq.weight or io.weight" {
	require_cgroup_v2
	set_resources '{"blockIO":{"weight":300}}'
	start_reading /sys/fs/cgroup/io.bfq.weight /sys/fs/cgroup/io.weight
	if [ -e "$(cgroup_dir)/io.bfq.weight" ]; then
		inside /sys/fs/cgroup/io.bfq.weight | grep -q 300
		grep -q 300 "$(cgroup_dir)/io.bfq.weight"
	else
		# 1 + (300 - 10) * 9999 / 990
		inside /sys/fs/cgroup/io.weight | grep -q "default 2930"
		grep -q "default 2930" "$(cgroup_dir)/io.weight"
	fi
}

@test "v1: blockIO.throttle* -> blkio.throttle.*_device" {
	require_cgroup_v1
	local dev maj min
	dev=$(block_device)
	[ -n "$dev" ] || skip "no block device"
	maj=${dev%:*} min=${dev#*:}
	set_resources "{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":$maj,\"minor\":$min,\"rate\":1048576}],
		\"throttleWriteIOPSDevice\":[{\"major\":$maj,\"minor\":$min,\"rate\":100}]}}"
	check_file blkio blkio.throttle.read_bps_device "$dev 1048576"
	assert_equal "$(cat "$(ctl_dir blkio)/blkio.throttle.write_iops_device")" "$dev 100"
}

# tests/vm gives its guest a scratch disk, /dev/vda, for this one.
@test "v2: blockIO.throttle* -> io.max, and reads from the disk are held to it" {
	require_cgroup_v2
	local dev maj min
	dev=$(block_device)
	if [ -z "$dev" ]; then
		skip "no block device in this machine"
	fi
	maj=${dev%:*} min=${dev#*:}
	# The disk, readable in the container, for the check that the
	# throttle bites.
	update_config ".linux.devices = [{\"path\":\"/dev/disk\",\"type\":\"b\",\"major\":$maj,\"minor\":$min,\"fileMode\":384}]"
	set_resources "{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},
			{\"allow\":true,\"type\":\"b\",\"major\":$maj,\"minor\":$min,\"access\":\"r\"}],
		\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":$maj,\"minor\":$min,\"rate\":1048576}],
		\"throttleWriteIOPSDevice\":[{\"major\":$maj,\"minor\":$min,\"rate\":100}]}}"
	check_file io io.max "$dev rbps=1048576 wbps=max riops=max wiops=100"
	# 2 MiB read past the page cache at 1 MiB/s: about 2 s (unthrottled,
	# well under a second even in the VM), timed in the container by its
	# /proc/uptime (in hundredths of a second).
	run berth exec ctr sh -c 'cat /proc/uptime;
		dd if=/dev/disk of=/dev/null bs=64k count=32 iflag=direct 2>&1 &&
		cat /proc/uptime'
	assert_success
	local t0 t1
	t0=$(echo "${lines[0]}" | cut -d' ' -f1 | tr -d .)
	t1=$(echo "${lines[3]}" | cut -d' ' -f1 | tr -d .)
	assert_equal "${lines[2]}" "32+0 records out"
	if [ $((10#$t1 - 10#$t0)) -lt 100 ]; then
		fail "2 MiB read in $((10#$t1 - 10#$t0))/100 s: not held to 1 MiB/s"
	fi
}

@test "blockIO.leafWeight: gone from the kernel (v1) or from cgroup v2, and said so" {
	set_resources '{"blockIO":{"leafWeight":300}}'
	run berth run --bundle "$BUNDLE" ctr
	if is_unified; then
		assert_failure 1
		assert_output_contains "blockIO.leafWeight: not supported on cgroup v2"
	elif [ ! -e "$(v1_mount blkio)$(v1_own blkio)/blkio.leaf_weight" ]; then
		assert_failure 1
		assert_output_contains "this kernel has no blkio.leaf_weight"
	fi
	assert_no_cgroups
}

# --- hugetlb --------------------------------------------------------------

@test "hugepageLimits -> hugetlb.<size>.limit_in_bytes (v1) or hugetlb.<size>.max (v2)" {
	[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2MB huge pages"
	set_resources '{"hugepageLimits":[{"pageSize":"2MB","limit":4194304}]}'
	if [ -n "$(v1_mount hugetlb)" ]; then
		check_file hugetlb hugetlb.2MB.limit_in_bytes 4194304
	else
		# The hybrid host keeps hugetlb in its cgroup v2 tree.
		check_file hugetlb hugetlb.2MB.max 4194304
	fi
}

@test "hugepageLimits with a page size the host lacks names it" {
	set_resources '{"hugepageLimits":[{"pageSize":"64KB","limit":4194304}]}'
	run berth run --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains "64KB"
	assert_no_cgroups
}

@test "hugepageLimits with a page size that is not one (2XB) is refused by name" {
	set_resources '{"hugepageLimits":[{"pageSize":"2XB","limit":4194304}]}'
	run berth run --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains 'linux.resources.hugepageLimits[0].pageSize: "2XB" is not a page size like 2MB or 1GB'
	assert_no_cgroups
}

# --- devices --------------------------------------------------------------

# A v1 devices.list after deny-all and berth's default rules: mknod of
# any node, the pseudo devices, the terminals.
DEFAULT_DEVICES_LIST='c *:* m
b *:* m
c 1:3 rwm
c 1:5 rwm
c 1:7 rwm
c 1:8 rwm
c 1:9 rwm
c 5:0 rwm
c 5:1 rwm
c 5:2 rwm
c 136:* rwm'

# Device nodes made inside the container need CAP_MKNOD.
add_mknod() {
	update_config '.process.capabilities.bounding += ["CAP_MKNOD"]
		| .process.capabilities.effective += ["CAP_MKNOD"]
		| .process.capabilities.permitted += ["CAP_MKNOD"]'
}

@test "devices: a node made inside the container cannot be opened (EPERM), default ones can" {
	add_mknod
	set_resources '{"devices":[{"allow":false,"access":"rwm"}]}'
	set_script 'mknod /dev/fuse2 c 10 229 && echo made;
		head -c 1 /dev/fuse2; echo "fuse=$?";
		head -c 4 /dev/zero | wc -c; echo x > /dev/null && echo null-ok;
		echo list:; cat /sys/fs/cgroup/devices/devices.list 2>/dev/null; true'
	run_container
	assert_output_contains "made"
	assert_output_contains "Operation not permitted"
	assert_output_contains "fuse=1"
	assert_output_contains "4"
	assert_output_contains "null-ok"
	# v1: the container's own devices cgroup, as it sees it, holds the
	# default rules and nothing wider (v2's eBPF program has no list).
	if ! is_unified; then
		assert_equal "${output#*list:$'\n'}" "$DEFAULT_DEVICES_LIST"
	fi
}

# The host's root block device, or else the first block device this
# test may open itself (the machine's own sandbox may deny the root
# disk), through its node in the host's /dev: "MAJOR MINOR".
host_block_device() {
	local dev name
	for dev in "$(mountpoint -d /)" $(ls /sys/dev/block); do
		name=$(sed -n 's/^DEVNAME=//p' "/sys/dev/block/$dev/uevent" 2>/dev/null)
		[ -n "$name" ] && [ -b "/dev/$name" ] || continue
		if head -c 1 "/dev/$name" >/dev/null 2>&1; then
			echo "${dev%:*} ${dev#*:}"
			return 0
		fi
	done
	return 1
}

@test "devices: a host block device made with mknod cannot be opened (EPERM), with berth and runc" {
	local dev
	# The host itself opens it: the container's EPERM is the device rule.
	dev=$(host_block_device) || fail "no block device this test may open"
	set -- $dev
	add_mknod
	set_script "mknod /dev/hostdisk b $1 $2 && echo made; head -c 1 /dev/hostdisk >/dev/null && echo opened"
	run_container
	assert_output_contains "made"
	assert_output_contains "Operation not permitted"
	[[ "$output" != *opened* ]]
	command -v runc >/dev/null || return 0
	run runc --root "$BATS_TEST_TMPDIR/runc" run --bundle "$BUNDLE" runc-ctr
	# runc also makes a cgroup in the name=systemd hierarchy of a hybrid
	# host, which berth's clean-up does not know.
	local own
	own=$(sed -n 's/^[0-9]*:name=systemd://p' /proc/self/cgroup | sed 's:/$::')
	if [ -d "/sys/fs/cgroup/systemd$own/$CGROUP_PARENT" ]; then
		find "/sys/fs/cgroup/systemd$own/$CGROUP_PARENT" -depth -type d -exec rmdir {} +
	fi
	assert_output_contains "made"
	assert_output_contains "Operation not permitted"
	[[ "$output" != *opened* ]]
}

@test "devices: a linux.devices node without an allow rule is EPERM; with one it opens" {
	update_config '.linux.devices = [{"path":"/dev/fuse","type":"c","major":10,"minor":229,"fileMode":438}]'
	set_resources '{"devices":[{"allow":false,"access":"rwm"}]}'
	set_script 'exec 3</dev/fuse && echo opened'
	run_container
	assert_output_contains "Operation not permitted"
	[[ "$output" != *opened* ]]
	# docker's order: deny all, the allows, deny rules after them.
	set_resources '{"devices":[{"allow":false,"access":"rwm"},
		{"allow":true,"type":"c","major":10,"minor":229,"access":"rwm"},
		{"allow":false,"type":"c","major":10,"minor":200,"access":"rwm"}]}'
	run_container
	assert_success
	assert_output_contains "opened"
}

@test "devices: a deny rule after allow-all takes the device away" {
	update_config '.linux.devices = [{"path":"/dev/fuse","type":"c","major":10,"minor":229,"fileMode":438}]'
	set_resources '{"devices":[{"allow":true,"access":"rwm"},
		{"allow":false,"type":"c","major":10,"access":"r"}]}'
	set_script '(exec 3</dev/fuse) && echo read-opened; (exec 4>/dev/fuse) && echo write-opened'
	run_container
	assert_output_contains "Operation not permitted"
	[[ "$output" != *read-opened* ]]
	assert_output_contains "write-opened"
}

@test "v1: device rules are also written to the devices controller" {
	require_cgroup_v1
	set_resources '{"devices":[{"allow":false,"access":"rwm"},
		{"allow":true,"type":"c","major":10,"minor":229,"access":"rw"}]}'
	start_reading "$(inner_dir devices)/devices.list"
	grep -qx "c 10:229 rw" "$(ctl_dir devices)/devices.list"
	grep -qx "c 1:3 rwm" "$(ctl_dir devices)/devices.list"
	if grep -q "a \*:\* rwm" "$(ctl_dir devices)/devices.list"; then fail "unexpectedly true"; fi
	grep -q "c 10:229 rw" "$OUT"
}

# --- network, rdma, unified ----------------------------------------------

@test "network.classID -> net_cls.classid, or an error naming net_cls" {
	set_resources '{"network":{"classID":1048577}}'
	if [ -n "$(v1_mount net_cls)" ]; then
		check_file net_cls net_cls.classid 1048577
	else
		run berth run --bundle "$BUNDLE" ctr
		assert_failure 1
		assert_output_contains "linux.resources.network.classID: the net_cls controller"
		assert_no_cgroups
	fi
}

@test "network.priorities -> net_prio.ifpriomap, or an error naming net_prio" {
	set_resources '{"network":{"priorities":[{"name":"lo","priority":5}]}}'
	if [ -n "$(v1_mount net_prio)" ]; then
		start_reading "$(inner_dir net_prio)/net_prio.ifpriomap"
		grep -qx "lo 5" "$(ctl_dir net_prio)/net_prio.ifpriomap"
	else
		run berth run --bundle "$BUNDLE" ctr
		assert_failure 1
		assert_output_contains "linux.resources.network.priorities: the net_prio controller"
		assert_no_cgroups
	fi
}

# A host whose kernel has net_cls and net_prio but mounts neither (this
# hybrid host) runs their write paths in a private mount namespace with a
# hierarchy of both, which berth finds in its mountinfo.
@test "v1: network.classID and priorities -> net_cls.classid and net_prio.ifpriomap of a private hierarchy" {
	require_cgroup_v1
	if [ -n "$(v1_mount net_cls)$(v1_mount net_prio)" ]; then
		skip "this host mounts net_cls or net_prio: the tests above write them"
	fi
	if ! awk '($1 == "net_cls" || $1 == "net_prio") && $4 == 1 {n++} END {exit n != 2}' /proc/cgroups; then
		skip "this kernel lacks net_cls or net_prio"
	fi
	start_private_cgroup_ns net_cls,net_prio
	set_resources '{"network":{"classID":1048577,"priorities":[{"name":"lo","priority":5}]}}'
	local inner=/sys/fs/cgroup/net_cls,net_prio dir=$NS_CG/$CGROUP_PARENT/ctr pid
	set_script "cat $inner/net_cls.classid; grep '^lo ' $inner/net_prio.ifpriomap; echo READY; exec sleep 1000"
	OUT=$BATS_TEST_TMPDIR/out
	in_private_ns "$BERTH" --root "$ROOT" run -d --bundle "$BUNDLE" ctr >"$OUT" 2>&1 </dev/null
	wait_for grep -q READY "$OUT"
	# What the container sees in its cgroup, and what the cgroup holds.
	assert_equal "$(cat "$OUT")" "1048577
lo 5
READY"
	assert_equal "$(cat "$dir/net_cls.classid")" 1048577
	grep -qx "lo 5" "$dir/net_prio.ifpriomap"
	pid=$(in_private_ns "$BERTH" --root "$ROOT" state ctr | jq .pid)
	grep -qx "$pid" "$dir/cgroup.procs"
}

@test "rdma: written to rdma.max, which refuses a device the host lacks" {
	set_resources '{"rdma":{"mlx9_9":{"hcaHandles":3,"hcaObjects":100}}}'
	run berth run --bundle "$BUNDLE" ctr
	assert_failure 1
	if [ -z "$(v1_mount rdma)" ] && ! grep -qw rdma "$(unified_root)/cgroup.controllers"; then
		assert_output_contains "linux.resources.rdma: the rdma controller is not available"
	else
		assert_output_contains "rdma.max"
	fi
	assert_no_cgroups
}

# rdma.max takes limits only for a device that exists: the VM makes a
# soft-RoCE one.  This host's kernel has no rdma controller at all.
@test "v2: rdma -> rdma.max, for a device there is" {
	require_cgroup_v2
	if ! grep -qw rdma /sys/fs/cgroup/cgroup.controllers; then
		skip "no rdma controller"
	fi
	local dev
	dev=$(soft_rdma_device)
	if [ -z "$dev" ]; then
		skip "no RDMA device, and none can be made here"
	fi
	set_resources "{\"rdma\":{\"$dev\":{\"hcaHandles\":3,\"hcaObjects\":100}}}"
	start_reading /sys/fs/cgroup/rdma.max
	assert_equal "$(inside /sys/fs/cgroup/rdma.max | sed 's/ *$//')" "$dev hca_handle=3 hca_object=100"
	grep -qx "$dev hca_handle=3 hca_object=100 *" "$(cgroup_dir)/rdma.max"
}

@test "v2: unified keys are written verbatim" {
	require_cgroup_v2
	set_resources '{"unified":{"memory.high":"50331648","pids.max":"17"}}'
	check_file memory memory.high 50331648
	assert_equal "$(cat "$(cgroup_dir)/pids.max")" 17
}

@test "unified keys that are not cgroup files are refused, nothing left behind" {
	local k
	for k in '../escape' 'memory.max/x' 'cgroup.procs' 'nosuch.thing' 'Memory.max'; do
		set_resources "{\"unified\":{\"$k\":\"1\"}}"
		run berth run --bundle "$BUNDLE" ctr
		assert_failure 1
		assert_output_contains "linux.resources.unified"
		assert_no_cgroups
	done
}

@test "v1: a unified key of a v1 controller is refused; one of a v2 controller works" {
	require_cgroup_v1
	set_resources '{"unified":{"memory.high":"50331648"}}'
	run berth run --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains "the memory controller is not in this host's cgroup v2 hierarchy (it is mounted as cgroup v1 here)"
	assert_no_cgroups
	if grep -qw hugetlb "$(unified_root)/cgroup.controllers" &&
		[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ]; then
		set_resources '{"unified":{"hugetlb.2MB.max":"2097152"}}'
		check_file hugetlb hugetlb.2MB.max 2097152
	fi
}
