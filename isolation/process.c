#include "isolation/process.h"

#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spec/base/cleanup.h"
#include "spec/names.h"

int process_rlimits(const struct spec_rlimit *r, size_t n, struct berr *err)
{
	for (size_t i = 0; i < n; i++) {
		struct rlimit lim = { .rlim_cur = r[i].soft, .rlim_max = r[i].hard };

		if (setrlimit(r[i].type, &lim) < 0)
			return berr_sys(err, "set %s to %llu:%llu",
					names_name(names_rlimits, r[i].type),
					(unsigned long long)r[i].soft,
					(unsigned long long)r[i].hard);
	}
	return 0;
}

int process_oom_score_adj(int value, struct berr *err)
{
	char buf[16];
	cleanup_close int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	int len = snprintf(buf, sizeof(buf), "%d", value);

	if (fd < 0 || write(fd, buf, (size_t)len) != len)
		return berr_sys(err, "set oom_score_adj to %d", value);
	return 0;
}

int process_personality(const struct spec_personality *p, struct berr *err)
{
	if (!p->set)
		return 0;
	if (p->n_flags)
		return berr_fail(err, EOPNOTSUPP, "linux.personality.flags: not supported");
	if (personality(p->domain) < 0)
		return berr_sys(err, "set personality");
	return 0;
}

/* glibc has no sched_setattr wrapper. */
struct sched_attr_ {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
};

int process_scheduler(const struct spec_scheduler *s, struct berr *err)
{
	struct sched_attr_ attr = {
		.size = sizeof(attr),
		.sched_policy = (uint32_t)s->policy,
		.sched_flags = s->flags,
		.sched_nice = s->nice,
		.sched_priority = (uint32_t)s->priority,
		.sched_runtime = s->runtime,
		.sched_deadline = s->deadline,
		.sched_period = s->period,
	};

	if (!s->set)
		return 0;
	if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
		return berr_sys(err, "set scheduler %s",
				names_name(names_sched_policies, s->policy));
	return 0;
}

#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_WHO_PROCESS 1

int process_io_priority(const struct spec_io_priority *p, struct berr *err)
{
	int prio;

	if (!p->set)
		return 0;
	prio = (p->class << IOPRIO_CLASS_SHIFT) | p->priority;
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, prio) < 0)
		return berr_sys(err, "set io priority %s %d",
				names_name(names_ioprio_classes, p->class), p->priority);
	return 0;
}

static int parse_cpu_list(const char *list, cpu_set_t *set)
{
	const char *p = list;

	CPU_ZERO(set);
	while (*p) {
		char *end;
		long a = strtol(p, &end, 10), b;

		if (end == p || a < 0 || a >= CPU_SETSIZE)
			return -1;
		b = a;
		if (*end == '-') {
			p = end + 1;
			b = strtol(p, &end, 10);
			if (end == p || b < a || b >= CPU_SETSIZE)
				return -1;
		}
		for (long c = a; c <= b; c++)
			CPU_SET(c, set);
		if (*end == ',')
			end++;
		else if (*end)
			return -1;
		p = end;
	}
	return 0;
}

int process_cpu_affinity(const char *list, struct berr *err)
{
	cpu_set_t set;

	if (!list || !*list)
		return 0;
	if (parse_cpu_list(list, &set) < 0)
		return berr_fail(err, EINVAL, "invalid cpu list \"%s\"", list);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		return berr_sys(err, "set cpu affinity %s", list);
	return 0;
}

int process_set_user(const struct spec_user *u, bool setgroups_allowed,
		     struct berr *err)
{
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return berr_sys(err, "keep capabilities");
	if (setgroups_allowed && setgroups(u->n_additional_gids, u->additional_gids) < 0)
		return berr_sys(err, "set additional groups");
	if (!setgroups_allowed && u->n_additional_gids)
		return berr_fail(err, EPERM,
				"process.user.additionalGids: setgroups is denied in this "
				"user namespace");
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return berr_sys(err, "set gid %u", (unsigned)u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return berr_sys(err, "set uid %u", (unsigned)u->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return berr_sys(err, "reset keep capabilities");
	if (u->umask_set)
		umask(u->umask);
	return 0;
}

int process_no_new_privs(struct berr *err)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return berr_sys(err, "set no_new_privs");
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

void process_close_fds_except(int from, int *keep, size_t n)
{
	qsort(keep, n, sizeof(*keep), cmp_int);
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < from)
			continue;
		if (keep[i] > from)
			close_range((unsigned)from, (unsigned)keep[i] - 1, 0);
		from = keep[i] + 1;
	}
	close_range((unsigned)from, ~0U, 0);
}

int process_close_fds(int preserve, struct berr *err)
{
	for (int fd = 3; fd < 3 + preserve; fd++) {
		int flags = fcntl(fd, F_GETFD);

		if (flags >= 0 && fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
			return berr_sys(err, "keep fd %d", fd);
	}
	if (close_range((unsigned)(3 + preserve), ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return berr_sys(err, "mark fds close-on-exec");
	return 0;
}

static const char *env_path(const char *const *env, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strncmp(env[i], "PATH=", 5) == 0)
			return env[i] + 5;
	return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

/* Is path something exec could run?  0, or the errno exec would give.
 * Only the mode's x bits, as runc's lookup: access(X_OK) would judge by
 * the real uid without capabilities, while execve lets CAP_DAC_OVERRIDE
 * run a file any x bit is set on; execve decides the rest. */
static int runnable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno;
	if (S_ISDIR(st.st_mode) || !(st.st_mode & 0111))
		return EACCES;
	return 0;
}

int process_find_executable(const char *name, const char *const *env,
			    size_t n_env, char *out, size_t size,
			    struct berr *err)
{
	const char *path = env_path(env, n_env);
	int denied = 0;

	if (!*name)
		return berr_fail(err, ENOENT, "exec: \"\": executable file not found in $PATH");
	if (strchr(name, '/')) {
		int e = runnable(name);

		if (e == ENOENT)
			return berr_fail(err, e, "exec: \"%s\": stat %s: no such file or directory",
					name, name);
		if (e)
			return berr_fail(err, e, "exec: \"%s\": permission denied", name);
		snprintf(out, size, "%s", name);
		return 0;
	}
	while (*path) {
		size_t len = strcspn(path, ":");
		char candidate[PATH_MAX];
		int e;

		snprintf(candidate, sizeof(candidate), "%.*s/%s",
			 len ? (int)len : 1, len ? path : ".", name);
		e = runnable(candidate);
		if (e == 0) {
			snprintf(out, size, "%s", candidate);
			return 0;
		}
		if (e == EACCES)
			denied = 1;
		path += len;
		if (*path == ':')
			path++;
	}
	if (denied)
		return berr_fail(err, EACCES, "exec: \"%s\": permission denied", name);
	return berr_fail(err, ENOENT, "exec: \"%s\": executable file not found in $PATH", name);
}

int process_exec(const char *path, const char *const *args, size_t n_args,
		 const char *const *env, size_t n_env, struct berr *err)
{
	const char *argv[n_args + 1];
	const char *envp[n_env + 1];

	memcpy(argv, args, n_args * sizeof(*args));
	argv[n_args] = NULL;
	memcpy(envp, env, n_env * sizeof(*env));
	envp[n_env] = NULL;
	execve(path, (char *const *)argv, (char *const *)envp);
	/* runc's words when execve itself fails (a missing interpreter, a
	 * file the user may not run): "exec PATH: <strerror>". */
	if (errno == EACCES || errno == EPERM)
		return berr_fail(err, errno, "exec %s: permission denied", path);
	if (errno == ENOENT)
		return berr_fail(err, errno, "exec %s: no such file or directory", path);
	return berr_sys(err, "exec %s", path);
}
