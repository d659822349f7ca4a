/* The new mount API's primitives, shared by the OCI mounts (mounts.c) and
 * the files that make a container's own mounts (cgroup, dev, console,
 * masked paths, the rootfs). */
#include "isolation/mount_fd.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "isolation/syscalls.h"
#include "spec/base/cleanup.h"

int mount_fd_setattr(int fd, uint64_t set, uint64_t clr, bool recursive,
		     uint64_t propagation, struct berr *err)
{
	struct mount_attr attr = {
		.attr_set = set,
		.attr_clr = clr,
		.propagation = propagation,
	};
	unsigned int flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);

	if (!set && !clr && !propagation)
		return 0;
	if (mount_setattr(fd, "", flags, &attr, sizeof(attr)) < 0)
		return berr_sys(err, "set mount attributes");
	return 0;
}

int mount_fd_attach(int mntfd, int targetfd, struct berr *err)
{
	if (move_mount(mntfd, "", targetfd, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return berr_sys(err, "attach mount");
	return 0;
}

int mount_fd_bind(int srcdirfd, const char *source, int targetfd,
		  bool recursive, uint64_t attr_set, struct berr *err)
{
	unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
	cleanup_close int fd = -1;
	int ret;

	if (recursive)
		flags |= AT_RECURSIVE;
	if (!*source)
		flags |= AT_EMPTY_PATH;
	fd = open_tree(srcdirfd, source, flags);
	if (fd < 0)
		return berr_sys(err, "bind %s", *source ? source : "fd");
	ret = mount_fd_setattr(fd, attr_set, 0, recursive, 0, err);
	if (ret < 0)
		return ret;
	return mount_fd_attach(fd, targetfd, err);
}

/* The kernel explains a rejected option in the fs context's log. */
static void fs_log(int fsfd, char *buf, size_t size)
{
	ssize_t n = read(fsfd, buf, size - 1);

	if (n <= 2) {
		buf[0] = '\0';
		return;
	}
	if (buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	memmove(buf, buf + 2, (size_t)n - 1); /* drop the "e " prefix */
}

static int fs_config(int fsfd, const char *opt, struct berr *err)
{
	cleanup_free char *key = strdup(opt);
	char *eq, log[256];
	int ret;

	if (!key)
		return berr_sys(err, "option %s", opt);
	eq = strchr(key, '=');
	if (eq) {
		*eq = '\0';
		ret = fsconfig(fsfd, FSCONFIG_SET_STRING, key, eq + 1, 0);
	} else {
		ret = fsconfig(fsfd, FSCONFIG_SET_FLAG, key, NULL, 0);
	}
	if (ret == 0)
		return 0;
	ret = errno;
	fs_log(fsfd, log, sizeof(log));
	if (log[0])
		return berr_set(err, ret, "option %s (%s)", opt, log);
	return berr_set(err, ret, "option %s", opt);
}

/* A new filesystem instance, configured and mounted detached. */
int mount_fd_new_fs(const char *type, const char *source,
		    const char *const *data, size_t n_data, uint64_t attr,
		    struct berr *err)
{
	cleanup_close int fsfd = -1;
	char log[256];
	int mfd, ret;

	fsfd = fsopen(type, FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return berr_sys(err, "filesystem type %s", type);
	if (source && *source &&
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
		return berr_sys(err, "source %s", source);
	for (size_t i = 0; i < n_data; i++) {
		ret = fs_config(fsfd, data[i], err);
		if (ret < 0)
			return ret;
	}
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		ret = errno;
		fs_log(fsfd, log, sizeof(log));
		if (log[0])
			return berr_set(err, ret, "create %s (%s)", type, log);
		return berr_set(err, ret, "create %s", type);
	}
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned int)attr);
	if (mfd < 0)
		return berr_sys(err, "mount %s", type);
	return mfd;
}
