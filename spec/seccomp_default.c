/* The default seccomp profile.
 *
 * An allow list, like Docker's and podman's: a syscall not named here
 * fails with ENOSYS (defaultErrnoRet 38), so that a program meeting a
 * syscall newer than this list takes its "not implemented" fallback
 * instead of treating the refusal as fatal.  The syscalls that are
 * dangerous in a container (they reach kernel state no namespace
 * isolates: keyrings, kexec, modules, BPF, perf, mounts, the clock...)
 * are refused explicitly with EPERM, so programs see "not permitted".
 *
 * One policy for berth spec and berthd: the profile follows the
 * container's capabilities as Docker's does.  Without CAP_SYS_ADMIN
 * (berth spec's and docker's defaults) namespace creation through clone
 * and unshare is refused by an argument filter, clone3 (whose flags live
 * in memory a filter cannot read) says ENOSYS so that libc falls back to
 * clone.
 * ptrace and process_vm_* are allowed: since Linux 4.8 seccomp runs after
 * the tracer, so they cannot bypass the filter, and berth needs 5.7+. */
#include "spec/seccomp_default.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "spec/base/cleanup.h"
#include "spec/config_build.h"
#include "spec/config_default.h"
#include "spec/config_write.h"
#include "spec/names.h"

#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define LEN(a) (sizeof(a) / sizeof(*(a)))

/* Everyday syscalls, by theme. */
static const char *const *const allowed[] = {
	/* files and descriptors */
	LIST("read", "write", "readv", "writev", "pread64", "pwrite64", "preadv",
	     "pwritev", "preadv2", "pwritev2", "open", "openat", "openat2", "creat",
	     "close", "close_range", "lseek", "_llseek", "dup", "dup2", "dup3", "fcntl",
	     "fcntl64", "flock", "fsync", "fdatasync", "sync", "syncfs",
	     "sync_file_range", "truncate", "truncate64", "ftruncate", "ftruncate64",
	     "fallocate", "fadvise64", "fadvise64_64", "readahead", "sendfile",
	     "sendfile64", "splice", "tee", "vmsplice", "copy_file_range", "ioctl"),
	/* names in the file system */
	LIST("stat", "stat64", "lstat", "lstat64", "fstat", "fstat64", "fstatat64",
	     "newfstatat", "statx", "statfs", "statfs64", "fstatfs", "fstatfs64",
	     "access", "faccessat", "faccessat2", "getdents", "getdents64", "getcwd",
	     "chdir", "fchdir", "mkdir", "mkdirat", "rmdir", "rename", "renameat",
	     "renameat2", "link", "linkat", "symlink", "symlinkat", "unlink",
	     "unlinkat", "readlink", "readlinkat", "chmod", "fchmod", "fchmodat",
	     "fchmodat2", "chown", "chown32", "fchown", "fchown32", "fchownat",
	     "lchown", "lchown32", "umask", "utime", "utimes", "utimensat",
	     "utimensat_time64", "futimesat", "mknod", "mknodat", "name_to_handle_at"),
	/* extended attributes and change notification */
	LIST("getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr",
	     "flistxattr", "setxattr", "lsetxattr", "fsetxattr", "removexattr",
	     "lremovexattr", "fremovexattr", "inotify_init", "inotify_init1",
	     "inotify_add_watch", "inotify_rm_watch", "fanotify_mark"),
	/* memory */
	LIST("brk", "mmap", "mmap2", "munmap", "mremap", "mprotect", "madvise",
	     "mincore", "msync", "mlock", "mlock2", "mlockall", "munlock",
	     "munlockall", "remap_file_pages", "membarrier", "memfd_create",
	     "memfd_secret", "pkey_alloc", "pkey_free", "pkey_mprotect"),
	/* processes and threads */
	LIST("fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4",
	     "waitid", "waitpid", "kill", "tkill", "tgkill", "getpid", "getppid",
	     "gettid", "getpgid", "setpgid", "getpgrp", "getsid", "setsid",
	     "getpriority", "setpriority", "set_tid_address", "set_robust_list",
	     "get_robust_list", "rseq", "prctl", "arch_prctl", "modify_ldt",
	     "get_thread_area", "set_thread_area", "capget", "capset", "pidfd_open",
	     "pidfd_send_signal", "process_mrelease", "prlimit64", "getrlimit",
	     "setrlimit", "ugetrlimit", "getrusage", "times", "ioprio_get",
	     "ioprio_set", "seccomp", "restart_syscall", "uname", "sysinfo", "getcpu",
	     "ptrace", "process_vm_readv", "process_vm_writev", "landlock_add_rule",
	     "landlock_create_ruleset", "landlock_restrict_self", "getrandom"),
	/* scheduling */
	LIST("sched_getaffinity", "sched_setaffinity", "sched_getattr",
	     "sched_setattr", "sched_getparam", "sched_setparam",
	     "sched_getscheduler", "sched_setscheduler", "sched_get_priority_max",
	     "sched_get_priority_min", "sched_rr_get_interval",
	     "sched_rr_get_interval_time64", "sched_yield"),
	/* credentials (changing them still needs the capabilities) */
	LIST("getuid", "getuid32", "geteuid", "geteuid32", "getgid", "getgid32",
	     "getegid", "getegid32", "getresuid", "getresuid32", "getresgid",
	     "getresgid32", "getgroups", "getgroups32", "setuid", "setuid32", "setgid",
	     "setgid32", "setreuid", "setreuid32", "setregid", "setregid32",
	     "setresuid", "setresuid32", "setresgid", "setresgid32", "setfsuid",
	     "setfsuid32", "setfsgid", "setfsgid32", "setgroups", "setgroups32"),
	/* signals */
	LIST("rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending",
	     "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
	     "rt_sigqueueinfo", "rt_tgsigqueueinfo", "sigaltstack", "sigreturn",
	     "sigprocmask", "signalfd", "signalfd4", "pause", "alarm"),
	/* time (setting the clocks needs CAP_SYS_TIME, refused below) */
	LIST("clock_gettime", "clock_gettime64", "clock_getres", "clock_getres_time64",
	     "clock_nanosleep", "clock_nanosleep_time64", "nanosleep", "gettimeofday",
	     "time", "getitimer", "setitimer", "timer_create", "timer_delete",
	     "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
	     "timer_settime64", "timerfd_create", "timerfd_gettime",
	     "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "adjtimex",
	     "clock_adjtime", "clock_adjtime64"),
	/* waiting for events */
	LIST("poll", "ppoll", "ppoll_time64", "select", "_newselect", "pselect6",
	     "pselect6_time64", "epoll_create", "epoll_create1", "epoll_ctl",
	     "epoll_ctl_old", "epoll_wait", "epoll_wait_old", "epoll_pwait",
	     "epoll_pwait2", "eventfd", "eventfd2", "futex", "futex_time64",
	     "futex_waitv"),
	/* inter-process communication (namespaced by the ipc namespace) */
	LIST("pipe", "pipe2", "shmat", "shmctl", "shmdt", "shmget", "semctl", "semget",
	     "semop", "semtimedop", "semtimedop_time64", "msgctl", "msgget", "msgrcv",
	     "msgsnd", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedsend_time64",
	     "mq_timedreceive", "mq_timedreceive_time64", "mq_notify",
	     "mq_getsetattr", "ipc", "io_setup", "io_destroy", "io_getevents",
	     "io_pgetevents", "io_pgetevents_time64", "io_submit", "io_cancel"),
	/* sockets (socket itself is below: not every family) */
	LIST("socketpair", "bind", "connect", "listen", "accept", "accept4",
	     "getsockname", "getpeername", "getsockopt", "setsockopt", "shutdown",
	     "send", "sendto", "sendmsg", "sendmmsg", "recv", "recvfrom", "recvmsg",
	     "recvmmsg", "recvmmsg_time64", "socketcall"),
};

/* Refused with EPERM: they act on the whole machine, or on kernel state
 * that no namespace isolates, or widen the kernel's attack surface.  A
 * group tagged with a capability is allowed to a container whose
 * bounding set holds it, as Docker's profile does (that capability is
 * what makes the call legitimate, and the kernel checks it anyway). */
struct denied_group {
	const char *cap; /* NULL: refused whatever the capabilities */
	const char *const *names;
};

static const struct denied_group denied[] = {
	/* kernel keyrings are not namespaced */
	{ NULL, LIST("keyctl", "add_key", "request_key") },
	/* replacing or extending the kernel */
	{ "CAP_SYS_BOOT", LIST("kexec_load", "kexec_file_load", "reboot") },
	{ "CAP_SYS_MODULE", LIST("init_module", "finit_module", "delete_module") },
	{ NULL, LIST("create_module", "get_kernel_syms", "query_module", "uselib",
		     "nfsservctl", "_sysctl", "sysfs", "ustat") },
	{ "CAP_SYS_ADMIN", LIST("swapon", "swapoff") },
	{ "CAP_SYS_PACCT", LIST("acct") },
	/* reaching files by handle skips every path check */
	{ NULL, LIST("open_by_handle_at") },
	/* BPF programs, performance counters, userfaultfd, io_uring: large
	 * attack surfaces */
	{ "CAP_SYS_ADMIN", LIST("bpf", "perf_event_open", "fanotify_init", "lookup_dcookie") },
	{ NULL, LIST("userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register") },
	/* mounts and namespaces: the container's are fixed */
	{ "CAP_SYS_ADMIN", LIST("mount", "umount", "umount2", "pivot_root", "setns", "fsopen",
				"fsconfig", "fsmount", "fspick", "move_mount", "open_tree",
				"mount_setattr", "quotactl", "quotactl_fd") },
	{ "CAP_SYS_CHROOT", LIST("chroot") },
	/* host-wide settings */
	{ "CAP_SYS_ADMIN", LIST("sethostname", "setdomainname") },
	{ "CAP_SYS_TIME", LIST("settimeofday", "stime", "clock_settime", "clock_settime64") },
	{ "CAP_SYSLOG", LIST("syslog") },
	{ "CAP_SYS_TTY_CONFIG", LIST("vhangup") },
	{ "CAP_SYS_RAWIO", LIST("iopl", "ioperm") },
	{ NULL, LIST("vm86", "vm86old") },
	/* other processes' memory and descriptors, NUMA placement */
	{ "CAP_SYS_PTRACE", LIST("kcmp", "pidfd_getfd", "process_madvise") },
	{ "CAP_SYS_NICE", LIST("get_mempolicy", "set_mempolicy", "set_mempolicy_home_node",
			       "mbind", "migrate_pages", "move_pages") },
};

/* CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET; unshare
 * also takes CLONE_NEWTIME (in clone that bit is part of the exit
 * signal). */
static const uint64_t clone_ns_bits[] = {
	0x00020000, 0x02000000, 0x04000000, 0x08000000,
	0x10000000, 0x20000000, 0x40000000,
};
#define CLONE_NEWTIME_BIT 0x00000080

/* s390 passes clone's flags second. */
#if defined(__s390x__) || defined(__s390__)
#define CLONE_FLAGS_ARG 1
#else
#define CLONE_FLAGS_ARG 0
#endif

/* personality(2) values programs use: PER_LINUX, PER_LINUX32,
 * UNAME26, PER_LINUX32|UNAME26, and 0xffffffff (query only). */
static const uint64_t personalities[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };

#define AF_VSOCK_FAMILY 40

/* Every rule the profile can hold: the groups, then the namespace rules of
 * clone and unshare (one allowing, one refusing per flag, unshare's time
 * flag) and clone3, then socket's two and personality's. */
#define MAX_RULES                                                              \
	(LEN(allowed) + LEN(denied) + 2 * (1 + LEN(clone_ns_bits)) + 1 + 1 + 2 + \
	 LEN(personalities))

static const char *const architectures[] = {
#if defined(__x86_64__)
	"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
#elif defined(__aarch64__)
	"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM",
#elif defined(__riscv) && __riscv_xlen == 64
	"SCMP_ARCH_RISCV64",
#elif defined(__s390x__)
	"SCMP_ARCH_S390X", "SCMP_ARCH_S390",
#endif
	NULL,
};

/* The profile being built: rules are appended to s->syscalls (room for
 * MAX_RULES); an allocation that fails is remembered and reported once. */
struct builder {
	struct arena *a;
	struct spec_seccomp *s;
	bool failed;
};

static struct spec_seccomp_rule *add_rule(struct builder *b, const char *const *names,
					  enum spec_seccomp_action action, int errno_ret)
{
	struct spec_seccomp_rule *r = &b->s->syscalls[b->s->n_syscalls++];

	r->names = spec_build_strv(b->a, names, (size_t)-1, &r->n_names);
	b->failed |= !r->names;
	r->action = action;
	r->errno_ret_set = errno_ret >= 0;
	r->errno_ret = errno_ret >= 0 ? (uint32_t)errno_ret : 0;
	return r;
}

static void add_one_arg_rule(struct builder *b, const char *name,
			     enum spec_seccomp_action action, int errno_ret, unsigned index,
			     uint64_t value, uint64_t value_two, enum spec_seccomp_op op)
{
	struct spec_seccomp_rule *r = add_rule(b, LIST(name), action, errno_ret);

	r->args = spec_build_array(b->a, 1, sizeof(*r->args));
	if (!r->args) {
		b->failed = true;
		return;
	}
	r->n_args = 1;
	r->args[0] = (struct spec_seccomp_arg){ .index = index, .value = value,
						.value_two = value_two, .op = op };
}

/* clone and unshare without namespace flags are allowed; with any of
 * them, EPERM.  One rule per flag, each with a single condition, so that
 * every runtime reads the profile alike (runtimes differ on several
 * conditions for one argument). */
static void add_namespace_rules(struct builder *b, const char *name, unsigned index,
				uint64_t extra_bit)
{
	uint64_t mask = extra_bit;

	for (size_t i = 0; i < LEN(clone_ns_bits); i++)
		mask |= clone_ns_bits[i];
	add_one_arg_rule(b, name, SECCOMP_ACT_ALLOW, -1, index, mask, 0, SECCOMP_OP_MASKED_EQ);
	for (size_t i = 0; i < LEN(clone_ns_bits); i++)
		add_one_arg_rule(b, name, SECCOMP_ACT_ERRNO, EPERM, index, clone_ns_bits[i],
				 clone_ns_bits[i], SECCOMP_OP_MASKED_EQ);
	if (extra_bit)
		add_one_arg_rule(b, name, SECCOMP_ACT_ERRNO, EPERM, index, extra_bit, extra_bit,
				 SECCOMP_OP_MASKED_EQ);
}

static bool holds(uint64_t caps, const char *cap)
{
	long n;

	return names_lookup(names_capabilities, cap, &n) == 0 && (caps & (UINT64_C(1) << n));
}

static void add_arg_rules(struct builder *b, uint64_t caps)
{
	/* With CAP_SYS_ADMIN making namespaces is legitimate: no flag to
	 * refuse, and clone3 can be allowed whole. */
	if (holds(caps, "CAP_SYS_ADMIN")) {
		add_rule(b, LIST("clone", "unshare", "clone3"), SECCOMP_ACT_ALLOW, -1);
	} else {
		add_namespace_rules(b, "clone", CLONE_FLAGS_ARG, 0);
		add_namespace_rules(b, "unshare", 0, CLONE_NEWTIME_BIT);
		add_rule(b, LIST("clone3"), SECCOMP_ACT_ERRNO, ENOSYS);
	}

	/* vsock reaches the hypervisor's host, outside any namespace. */
	add_one_arg_rule(b, "socket", SECCOMP_ACT_ALLOW, -1, 0, AF_VSOCK_FAMILY, 0,
			 SECCOMP_OP_NE);
	add_one_arg_rule(b, "socket", SECCOMP_ACT_ERRNO, EPERM, 0, AF_VSOCK_FAMILY, 0,
			 SECCOMP_OP_EQ);
	for (size_t i = 0; i < LEN(personalities); i++)
		add_one_arg_rule(b, "personality", SECCOMP_ACT_ALLOW, -1, 0, personalities[i], 0,
				 SECCOMP_OP_EQ);
}

int spec_seccomp_default(struct arena *a, uint64_t caps, struct spec_seccomp *s,
			 struct berr *err)
{
	struct builder b = { .a = a, .s = s };

	memset(s, 0, sizeof(*s));
	s->set = true;
	s->default_action = SECCOMP_ACT_ERRNO;
	s->default_errno_ret_set = true;
	s->default_errno_ret = ENOSYS;
	s->architectures = spec_build_strv(a, architectures, (size_t)-1, &s->n_architectures);
	s->syscalls = spec_build_array(a, MAX_RULES, sizeof(*s->syscalls));
	if (!s->architectures || !s->syscalls)
		return berr_set(err, ENOMEM, "default seccomp profile");
	for (size_t i = 0; i < LEN(allowed); i++)
		add_rule(&b, allowed[i], SECCOMP_ACT_ALLOW, -1);
	for (size_t i = 0; i < LEN(denied); i++) {
		if (denied[i].cap && holds(caps, denied[i].cap))
			add_rule(&b, denied[i].names, SECCOMP_ACT_ALLOW, -1);
		else
			add_rule(&b, denied[i].names, SECCOMP_ACT_ERRNO, EPERM);
	}
	add_arg_rules(&b, caps);
	if (b.failed)
		return berr_set(err, ENOMEM, "default seccomp profile");
	return 0;
}

int spec_seccomp_default_json(char **out, size_t *len, struct berr *err)
{
	struct arena a = { 0 };
	struct spec_seccomp s;
	int ret;

	ret = spec_seccomp_default(&a, SPEC_DEFAULT_CAPS, &s, err);
	if (ret == 0)
		ret = spec_seccomp_write(&s, out, len, err);
	arena_release(&a);
	return ret;
}
