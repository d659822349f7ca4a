#include "spec/names.h"

#include <ctype.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>

int names_lookup(const struct name_value *t, const char *name, long *value)
{
	for (; t->name; t++) {
		if (strcmp(t->name, name) == 0) {
			*value = t->value;
			return 0;
		}
	}
	return -1;
}

const char *names_name(const struct name_value *t, long value)
{
	for (; t->name; t++)
		if (t->value == value)
			return t->name;
	return NULL;
}

const struct name_value names_namespaces[] = {
	{ "pid", NS_PID },	 { "network", NS_NETWORK }, { "mount", NS_MOUNT },
	{ "ipc", NS_IPC },	 { "uts", NS_UTS },	    { "user", NS_USER },
	{ "cgroup", NS_CGROUP }, { "time", NS_TIME },	    { NULL, 0 },
};

const struct name_value names_rlimits[] = {
	{ "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU },
	{ "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },
	{ "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
	{ "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_STACK", RLIMIT_STACK },
	{ NULL, 0 },
};

const struct name_value names_capabilities[] = {
	{ "CAP_CHOWN", 0 },
	{ "CAP_DAC_OVERRIDE", 1 },
	{ "CAP_DAC_READ_SEARCH", 2 },
	{ "CAP_FOWNER", 3 },
	{ "CAP_FSETID", 4 },
	{ "CAP_KILL", 5 },
	{ "CAP_SETGID", 6 },
	{ "CAP_SETUID", 7 },
	{ "CAP_SETPCAP", 8 },
	{ "CAP_LINUX_IMMUTABLE", 9 },
	{ "CAP_NET_BIND_SERVICE", 10 },
	{ "CAP_NET_BROADCAST", 11 },
	{ "CAP_NET_ADMIN", 12 },
	{ "CAP_NET_RAW", 13 },
	{ "CAP_IPC_LOCK", 14 },
	{ "CAP_IPC_OWNER", 15 },
	{ "CAP_SYS_MODULE", 16 },
	{ "CAP_SYS_RAWIO", 17 },
	{ "CAP_SYS_CHROOT", 18 },
	{ "CAP_SYS_PTRACE", 19 },
	{ "CAP_SYS_PACCT", 20 },
	{ "CAP_SYS_ADMIN", 21 },
	{ "CAP_SYS_BOOT", 22 },
	{ "CAP_SYS_NICE", 23 },
	{ "CAP_SYS_RESOURCE", 24 },
	{ "CAP_SYS_TIME", 25 },
	{ "CAP_SYS_TTY_CONFIG", 26 },
	{ "CAP_MKNOD", 27 },
	{ "CAP_LEASE", 28 },
	{ "CAP_AUDIT_WRITE", 29 },
	{ "CAP_AUDIT_CONTROL", 30 },
	{ "CAP_SETFCAP", 31 },
	{ "CAP_MAC_OVERRIDE", 32 },
	{ "CAP_MAC_ADMIN", 33 },
	{ "CAP_SYSLOG", 34 },
	{ "CAP_WAKE_ALARM", 35 },
	{ "CAP_BLOCK_SUSPEND", 36 },
	{ "CAP_AUDIT_READ", 37 },
	{ "CAP_PERFMON", 38 },
	{ "CAP_BPF", 39 },
	{ "CAP_CHECKPOINT_RESTORE", 40 },
	{ NULL, 0 },
};

const struct name_value names_signals[] = {
	{ "HUP", SIGHUP },     { "INT", SIGINT },	{ "QUIT", SIGQUIT },
	{ "ILL", SIGILL },     { "TRAP", SIGTRAP },	{ "ABRT", SIGABRT },
	{ "IOT", SIGIOT },     { "BUS", SIGBUS },	{ "FPE", SIGFPE },
	{ "KILL", SIGKILL },   { "USR1", SIGUSR1 },	{ "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 },   { "PIPE", SIGPIPE },	{ "ALRM", SIGALRM },
	{ "TERM", SIGTERM },   { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },
	{ "CONT", SIGCONT },   { "STOP", SIGSTOP },	{ "TSTP", SIGTSTP },
	{ "TTIN", SIGTTIN },   { "TTOU", SIGTTOU },	{ "URG", SIGURG },
	{ "XCPU", SIGXCPU },   { "XFSZ", SIGXFSZ },	{ "VTALRM", SIGVTALRM },
	{ "PROF", SIGPROF },   { "WINCH", SIGWINCH },	{ "IO", SIGIO },
	{ "POLL", SIGPOLL },   { "PWR", SIGPWR },	{ "SYS", SIGSYS },
	{ NULL, 0 },
};

const struct name_value names_propagation[] = {
	{ "private", MS_PRIVATE },
	{ "rprivate", MS_PRIVATE | MS_REC },
	{ "slave", MS_SLAVE },
	{ "rslave", MS_SLAVE | MS_REC },
	{ "shared", MS_SHARED },
	{ "rshared", MS_SHARED | MS_REC },
	{ "unbindable", MS_UNBINDABLE },
	{ "runbindable", MS_UNBINDABLE | MS_REC },
	{ NULL, 0 },
};

const struct name_value names_seccomp_actions[] = {
	{ "SCMP_ACT_KILL", SECCOMP_ACT_KILL },
	{ "SCMP_ACT_KILL_PROCESS", SECCOMP_ACT_KILL_PROCESS },
	{ "SCMP_ACT_KILL_THREAD", SECCOMP_ACT_KILL_THREAD },
	{ "SCMP_ACT_TRAP", SECCOMP_ACT_TRAP },
	{ "SCMP_ACT_ERRNO", SECCOMP_ACT_ERRNO },
	{ "SCMP_ACT_TRACE", SECCOMP_ACT_TRACE },
	{ "SCMP_ACT_ALLOW", SECCOMP_ACT_ALLOW },
	{ "SCMP_ACT_LOG", SECCOMP_ACT_LOG },
	{ "SCMP_ACT_NOTIFY", SECCOMP_ACT_NOTIFY },
	{ NULL, 0 },
};

const struct name_value names_seccomp_ops[] = {
	{ "SCMP_CMP_NE", SECCOMP_OP_NE },
	{ "SCMP_CMP_LT", SECCOMP_OP_LT },
	{ "SCMP_CMP_LE", SECCOMP_OP_LE },
	{ "SCMP_CMP_EQ", SECCOMP_OP_EQ },
	{ "SCMP_CMP_GE", SECCOMP_OP_GE },
	{ "SCMP_CMP_GT", SECCOMP_OP_GT },
	{ "SCMP_CMP_MASKED_EQ", SECCOMP_OP_MASKED_EQ },
	{ NULL, 0 },
};

const struct name_value names_seccomp_flags[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", SPEC_SECCOMP_FLAG_TSYNC },
	{ "SECCOMP_FILTER_FLAG_LOG", SPEC_SECCOMP_FLAG_LOG },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SPEC_SECCOMP_FLAG_SPEC_ALLOW },
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
	  SPEC_SECCOMP_FLAG_WAIT_KILLABLE_RECV },
	{ NULL, 0 },
};

const struct name_value names_seccomp_archs[] = {
	{ "SCMP_ARCH_X86", 0 },	      { "SCMP_ARCH_X86_64", 0 },
	{ "SCMP_ARCH_X32", 0 },	      { "SCMP_ARCH_ARM", 0 },
	{ "SCMP_ARCH_AARCH64", 0 },   { "SCMP_ARCH_MIPS", 0 },
	{ "SCMP_ARCH_MIPS64", 0 },    { "SCMP_ARCH_MIPS64N32", 0 },
	{ "SCMP_ARCH_MIPSEL", 0 },    { "SCMP_ARCH_MIPSEL64", 0 },
	{ "SCMP_ARCH_MIPSEL64N32", 0 }, { "SCMP_ARCH_PPC", 0 },
	{ "SCMP_ARCH_PPC64", 0 },     { "SCMP_ARCH_PPC64LE", 0 },
	{ "SCMP_ARCH_S390", 0 },      { "SCMP_ARCH_S390X", 0 },
	{ "SCMP_ARCH_PARISC", 0 },    { "SCMP_ARCH_PARISC64", 0 },
	{ "SCMP_ARCH_RISCV64", 0 },   { NULL, 0 },
};

const struct name_value names_sched_policies[] = {
	{ "SCHED_OTHER", 0 }, { "SCHED_FIFO", 1 }, { "SCHED_RR", 2 },
	{ "SCHED_BATCH", 3 }, { "SCHED_ISO", 4 },  { "SCHED_IDLE", 5 },
	{ "SCHED_DEADLINE", 6 }, { NULL, 0 },
};

const struct name_value names_sched_flags[] = {
	{ "SCHED_FLAG_RESET_ON_FORK", 0x01 },
	{ "SCHED_FLAG_RECLAIM", 0x02 },
	{ "SCHED_FLAG_DL_OVERRUN", 0x04 },
	{ "SCHED_FLAG_KEEP_POLICY", 0x08 },
	{ "SCHED_FLAG_KEEP_PARAMS", 0x10 },
	{ "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
	{ "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
	{ NULL, 0 },
};

const struct name_value names_ioprio_classes[] = {
	{ "IOPRIO_CLASS_RT", 1 },
	{ "IOPRIO_CLASS_BE", 2 },
	{ "IOPRIO_CLASS_IDLE", 3 },
	{ NULL, 0 },
};

const struct name_value names_hooks[] = {
	{ "prestart", HOOK_PRESTART },
	{ "createRuntime", HOOK_CREATE_RUNTIME },
	{ "createContainer", HOOK_CREATE_CONTAINER },
	{ "startContainer", HOOK_START_CONTAINER },
	{ "poststart", HOOK_POSTSTART },
	{ "poststop", HOOK_POSTSTOP },
	{ NULL, 0 },
};

const struct name_value names_personality_domains[] = {
	{ "LINUX", PER_LINUX },
	{ "LINUX32", PER_LINUX32 },
	{ NULL, 0 },
};

static int parse_decimal(const char *s, long max)
{
	char *end;
	long v;

	/* strtol would also take spaces and signs: "RTMIN+ 3", "RTMIN++3". */
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > max)
		return -1;
	return (int)v;
}

int names_signal(const char *name)
{
	char up[16];
	char *s = up;
	size_t len = strlen(name);
	long v;

	/* runc upper-cases the name first: "kill" and "sigterm" work too. */
	if (len >= sizeof(up))
		return -1;
	for (size_t i = 0; i <= len; i++)
		up[i] = (char)toupper((unsigned char)name[i]);
	if (*s >= '0' && *s <= '9') {
		v = parse_decimal(s, SIGRTMAX);
		return v > 0 ? (int)v : -1;
	}
	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	if (strncmp(s, "RTMIN", 5) == 0 || strncmp(s, "RTMAX", 5) == 0) {
		bool min = s[3] == 'I';
		int base = min ? SIGRTMIN : SIGRTMAX;
		int n;

		if (!s[5])
			return base;
		n = parse_decimal(s + 6, SIGRTMAX - SIGRTMIN);
		if (n < 0)
			return -1;
		if (min && s[5] == '+')
			return base + n;
		if (!min && s[5] == '-')
			return base - n;
		return -1;
	}
	if (names_lookup(names_signals, s, &v) == 0)
		return (int)v;
	return -1;
}
