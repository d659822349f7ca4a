#include "isolation/sysctl.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>

#include "isolation/syscalls.h"
#include "spec/base/cleanup.h"

static const char *const ipc_keys[] = {
	"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
	"kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
	NULL,
};

/* The namespace a sysctl belongs to, or -1 when it is global. */
static int sysctl_namespace(const char *key)
{
	for (const char *const *k = ipc_keys; *k; k++)
		if (strcmp(*k, key) == 0)
			return NS_IPC;
	if (strncmp(key, "fs.mqueue.", 10) == 0)
		return NS_IPC;
	if (strncmp(key, "net.", 4) == 0)
		return NS_NETWORK;
	if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
		return NS_UTS;
	return -1;
}

int sysctl_check(const struct spec_kv *sysctl, size_t n,
		 const bool private_ns[NS_TYPES], struct berr *err)
{
	for (size_t i = 0; i < n; i++) {
		int ns = sysctl_namespace(sysctl[i].key);

		if (ns < 0)
			return berr_fail(err, EPERM,
					"linux.sysctl: %s is not namespaced: the container "
					"cannot set it without changing the host",
					sysctl[i].key);
		if (!private_ns[ns])
			return berr_fail(err, EPERM,
					"linux.sysctl: %s needs a %s namespace of the container's own", sysctl[i].key,
					ns == NS_IPC ? "ipc" : ns == NS_NETWORK ? "network" : "uts");
	}
	return 0;
}

static int write_one(const char *key, const char *value, struct berr *err)
{
	struct open_how how = {
		.flags = O_WRONLY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
			   RESOLVE_NO_XDEV,
	};
	cleanup_close int procfd = -1;
	cleanup_close int fd = -1;
	char path[512];
	struct statfs fs;
	size_t len = strlen(value);

	/* Through a verified procfs, so a mount planted over /proc/sys
	 * cannot redirect the write (the CVE-2025-52881 class). */
	procfd = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0 || fstatfs(procfd, &fs) < 0 || fs.f_type != PROC_SUPER_MAGIC)
		return berr_set(err, procfd < 0 ? errno : EXDEV,
				"sysctl %s: /proc/sys is not the container's procfs", key);
	if (snprintf(path, sizeof(path), "%s", key) >= (int)sizeof(path))
		return berr_set(err, ENAMETOOLONG, "sysctl %s", key);
	for (char *p = path; *p; p++)
		if (*p == '.')
			*p = '/';
	fd = sys_openat2(procfd, path, &how);
	if (fd < 0)
		return berr_sys(err, "sysctl %s", key);
	if (write(fd, value, len) != (ssize_t)len)
		return berr_sys(err, "sysctl %s = %s", key, value);
	return 0;
}

int sysctl_apply(const struct spec_kv *sysctl, size_t n, struct berr *err)
{
	for (size_t i = 0; i < n; i++) {
		int ret = write_one(sysctl[i].key, sysctl[i].value, err);

		if (ret < 0)
			return ret;
	}
	return 0;
}
