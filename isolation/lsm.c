#include "isolation/lsm.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec/base/fsutil.h"
#include "spec/base/cleanup.h"

static bool set(const char *s)
{
	return s && *s;
}

/* As runc decides: securityfs shows AppArmor and the module says it is
 * enabled. */
static bool apparmor_active(void)
{
	char buf[8];

	if (access("/sys/kernel/security/apparmor", F_OK) < 0)
		return false;
	return fsutil_read_at(AT_FDCWD, NULL, "/sys/module/apparmor/parameters/enabled", buf,
			      sizeof(buf)) > 0 &&
	       buf[0] == 'Y';
}

/* selinuxfs is mounted where the kernel has SELinux enabled. */
static bool selinux_active(void)
{
	return access("/sys/fs/selinux/enforce", F_OK) == 0;
}

int lsm_check(const char *apparmor_profile, const char *selinux_label,
	      struct berr *err)
{
	if (set(apparmor_profile) && !apparmor_active())
		return berr_fail(err, EOPNOTSUPP,
				"apparmor profile \"%s\": AppArmor is not available on this "
				"kernel (no /sys/kernel/security/apparmor)",
				apparmor_profile);
	if (set(selinux_label) && !selinux_active())
		return berr_fail(err, EOPNOTSUPP,
				"SELinux label \"%s\": SELinux is not available on this "
				"kernel (no /sys/fs/selinux)",
				selinux_label);
	return 0;
}

/* 0 or -errno. */
static int write_attr(const char *path, const char *value)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(value);

	if (fd < 0)
		return -errno;
	if (write(fd, value, len) != (ssize_t)len)
		return errno ? -errno : -EIO;
	return 0;
}

int lsm_exec_labels(const char *apparmor_profile, const char *selinux_label,
		    struct berr *err)
{
	int ret;

	if (set(apparmor_profile)) {
		char value[4096];

		snprintf(value, sizeof(value), "exec %s", apparmor_profile);
		/* Newer kernels have a per-module directory, older ones
		 * only the shared attribute. */
		ret = write_attr("/proc/thread-self/attr/apparmor/exec", value);
		if (ret == -ENOENT)
			ret = write_attr("/proc/thread-self/attr/exec", value);
		if (ret < 0)
			return berr_set(err, -ret, "apply apparmor profile \"%s\"",
					apparmor_profile);
	}
	if (set(selinux_label)) {
		ret = write_attr("/proc/thread-self/attr/exec", selinux_label);
		if (ret < 0)
			return berr_set(err, -ret, "set SELinux label \"%s\"", selinux_label);
	}
	return 0;
}
