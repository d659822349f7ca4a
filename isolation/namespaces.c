#include "isolation/namespaces.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "isolation/syscalls.h"
#include "spec/cleanup.h"

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
