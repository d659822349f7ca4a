#include "isolation/namespaces.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "isolation/syscalls.h"
#include "spec/base/cleanup.h"

static const struct {
	unsigned long flag;
	const char *proc;
} ns_info[NS_TYPES] = {
	[NS_PID] = { CLONE_NEWPID, "pid" },
	[NS_NETWORK] = { CLONE_NEWNET, "net" },
	[NS_MOUNT] = { CLONE_NEWNS, "mnt" },
	[NS_IPC] = { CLONE_NEWIPC, "ipc" },
	[NS_UTS] = { CLONE_NEWUTS, "uts" },
	[NS_USER] = { CLONE_NEWUSER, "user" },
	[NS_CGROUP] = { CLONE_NEWCGROUP, "cgroup" },
	[NS_TIME] = { CLONE_NEWTIME, "time" },
};

unsigned long ns_clone_flag(enum spec_ns_type type)
{
	return ns_info[type].flag;
}

const char *ns_proc_name(enum spec_ns_type type)
{
	return ns_info[type].proc;
}

int ns_join(const char *path, enum spec_ns_type type, struct berr *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return berr_sys(err, "open %s namespace %s", ns_proc_name(type), path);
	if (setns(fd, (int)ns_clone_flag(type)) < 0)
		return berr_sys(err, "join %s namespace %s", ns_proc_name(type), path);
	return 0;
}

/* The order namespaces are joined one by one: the user namespace first,
 * so that its capabilities apply to the others, the mount namespace
 * last. */
static const enum spec_ns_type join_order[] = {
	NS_USER, NS_IPC, NS_UTS, NS_NETWORK, NS_PID, NS_TIME, NS_CGROUP, NS_MOUNT,
};

/* Is pid's namespace of this type another one than ours?  A kernel
 * without the type (no time namespaces) has nothing to join. */
static bool ns_differs(pid_t pid, enum spec_ns_type t)
{
	char path[64];
	struct stat theirs, ours;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns_proc_name(t));
	if (stat(path, &theirs) < 0)
		return false;
	snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_proc_name(t));
	if (stat(path, &ours) < 0)
		return true;
	return theirs.st_dev != ours.st_dev || theirs.st_ino != ours.st_ino;
}

static int join_one_by_one(pid_t pid, const bool join[NS_TYPES], struct berr *err)
{
	int fds[NS_TYPES];
	int ret = 0;

	/* Opened first: after the mount namespace, /proc is another one. */
	for (int t = 0; t < NS_TYPES; t++) {
		char path[64];

		fds[t] = -1;
		if (!join[t])
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid,
			 ns_proc_name((enum spec_ns_type)t));
		fds[t] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[t] < 0 && ret == 0)
			ret = berr_sys(err, "open %s", path);
	}
	for (size_t i = 0; ret == 0 && i < sizeof(join_order) / sizeof(*join_order); i++) {
		enum spec_ns_type t = join_order[i];

		if (fds[t] >= 0 && setns(fds[t], (int)ns_clone_flag(t)) < 0)
			ret = berr_sys(err, "join the %s namespace of process %d", ns_proc_name(t),
				       (int)pid);
	}
	for (int t = 0; t < NS_TYPES; t++)
		if (fds[t] >= 0)
			close(fds[t]);
	return ret;
}

/* Every namespace of pid in one setns, without comparing them with ours
 * first (each comparison is two lookups in /proc, the larger part of the
 * join): entering a namespace that is ours already changes nothing (the
 * mount namespace's sets root and cwd to its root, which the caller
 * replaces with the container's), except for the user namespace, which
 * the kernel refuses to enter again.  The kernel changes all or none, so
 * a refusal (a kernel without some type, a namespace shared with the host
 * that a rootless caller may not enter) leaves the careful path below. */
static bool join_all_at_once(int pidfd, pid_t pid)
{
	unsigned long flags = 0;

	for (int t = 0; t < NS_TYPES; t++)
		if (t != NS_USER)
			flags |= ns_clone_flag((enum spec_ns_type)t);
	if (ns_differs(pid, NS_USER))
		flags |= CLONE_NEWUSER;
	return setns(pidfd, (int)flags) == 0;
}

int ns_join_process(int pidfd, pid_t pid, struct berr *err)
{
	bool join[NS_TYPES] = { false };
	unsigned long flags = 0;

	if (join_all_at_once(pidfd, pid))
		return 0;

	for (int t = 0; t < NS_TYPES; t++) {
		join[t] = ns_differs(pid, (enum spec_ns_type)t);
		if (join[t])
			flags |= ns_clone_flag((enum spec_ns_type)t);
	}
	if (!flags)
		return 0;
	/* One call joins them all, atomically, in the order the kernel
	 * needs; kernels before 5.8 take only namespace files. */
	if (setns(pidfd, (int)flags) == 0)
		return 0;
	if (errno != EINVAL)
		return berr_sys(err, "join the namespaces of process %d", (int)pid);
	return join_one_by_one(pid, join, err);
}

int ns_time_offsets(const struct spec_time_offset *monotonic,
		    const struct spec_time_offset *boottime, struct berr *err)
{
	char buf[128];
	int n = 0;
	cleanup_close int fd = -1;

	if (monotonic->set)
		n += snprintf(buf + n, sizeof(buf) - n, "monotonic %lld %u\n",
			      (long long)monotonic->secs, monotonic->nanosecs);
	if (boottime->set)
		n += snprintf(buf + n, sizeof(buf) - n, "boottime %lld %u\n",
			      (long long)boottime->secs, boottime->nanosecs);
	if (n == 0)
		return 0;
	fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, "open /proc/self/timens_offsets");
	if (write(fd, buf, (size_t)n) != n)
		return berr_sys(err, "write time namespace offsets");
	return 0;
}

bool ns_is_ours(const char *path, enum spec_ns_type type)
{
	char own[64];
	struct stat a, b;

	snprintf(own, sizeof(own), "/proc/self/ns/%s", ns_proc_name(type));
	if (stat(path, &a) < 0 || stat(own, &b) < 0)
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int ns_set_hostname(const char *name, struct berr *err)
{
	if (sethostname(name, strlen(name)) < 0)
		return berr_sys(err, "set hostname %s", name);
	return 0;
}

int ns_set_domainname(const char *name, struct berr *err)
{
	if (setdomainname(name, strlen(name)) < 0)
		return berr_sys(err, "set domainname %s", name);
	return 0;
}
