#!/usr/bin/env bats
# Big seccomp profiles: a rule repeated a thousand times loads as fast as
# the rule given once and filters the same; more distinct rules than
# berth takes is refused with the count, and leaves nothing.

load helpers

setup() {
	setup_bundle
	cp "$HELPERS/sysprobe" "$BUNDLE/rootfs/bin/sysprobe"
}
teardown() { cleanup_containers; }

# 56 syscalls a shell, mkdir's applet and sysprobe's getpid never need,
# but for mkdir, mkdirat and unshare, which the tests watch.
NAMES='["mkdir", "mkdirat", "unshare", "kexec_load", "init_module", "finit_module",
	"delete_module", "acct", "swapon", "swapoff", "reboot", "settimeofday",
	"clock_settime", "adjtimex", "quotactl", "lookup_dcookie", "perf_event_open", "bpf",
	"add_key", "request_key", "keyctl", "pivot_root", "mount", "umount2", "syslog",
	"iopl", "ioperm", "create_module", "get_kernel_syms", "query_module", "uselib",
	"ustat", "sysfs", "ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
	"open_by_handle_at", "name_to_handle_at", "userfaultfd", "fanotify_init", "mbind",
	"set_mempolicy", "get_mempolicy", "move_pages", "migrate_pages", "setns",
	"sethostname", "setdomainname", "io_uring_setup", "io_uring_enter",
	"io_uring_register", "nfsservctl", "vhangup", "fsopen", "fsmount"]'

@test "one rule of 56 syscalls repeated 1000 times loads and filters as the rule once" {
	[ "$(jq -n "$NAMES | unique | length")" = 56 ]
	update_config ".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\",
		\"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"],
		\"syscalls\": [range(1000) | {\"names\": $NAMES, \"action\": \"SCMP_ACT_ERRNO\",
			\"errnoRet\": 13}]}
		| .process.args = [\"sh\", \"-c\", \"mkdir /tmp/x; sysprobe unshare 0; sysprobe getpid\"]"
	# The config of the hardening issue: about 760 KB.
	[ "$(stat -c %s "$BUNDLE/config.json")" -gt 500000 ]
	# libseccomp took 99 s over it before repeats were dropped: a hang
	# guard, not a measure.
	BERTH_SECCOMP_CACHE= run timeout 60 "$BERTH" --root "$ROOT" run --bundle "$BUNDLE" ctr
	assert_success
	assert_output_contains "mkdir: can't create directory '/tmp/x': Permission denied"
	assert_output_contains "errno 13 Permission denied"
	assert_output_contains "ok 1"
	assert_no_leftovers
}

@test "more than 4096 distinct seccomp rules: refused with the count, nothing left" {
	# 4097 conditions on getpid's first argument; repeats would not count.
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [range(2) | range(4097) | {"names": ["getpid"],
			"action": "SCMP_ACT_ERRNO",
			"args": [{"index": 0, "value": ., "op": "SCMP_CMP_EQ"}]}]}'
	[ "$(jq '.linux.seccomp.syscalls | length' "$BUNDLE/config.json")" = 8194 ]
	BERTH_SECCOMP_CACHE= run_detached create --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output_contains ".linux.seccomp.syscalls: 4097 distinct rules"
	assert_output_contains "at most 4096"
	assert_equal "$(ls -A "$ROOT")" ""
	assert_no_leftovers
	# 2000 of them, each given twice, are taken (4096 would be too many
	# instructions for the kernel on one syscall).
	update_config '.linux.seccomp.syscalls |= map(select(.args[0].value < 2000))'
	BERTH_SECCOMP_CACHE= run_detached run -d --bundle "$BUNDLE" ctr
	assert_success
	wait_status ctr stopped
}
