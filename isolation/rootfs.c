#include "isolation/rootfs.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "isolation/mount_fd.h"
#include "isolation/syscalls.h"
#include "spec/base/cleanup.h"

int rootfs_prepare(const char *rootfs, unsigned long propagation,
		   struct berr *err)
{
	unsigned long flags = propagation ? propagation : MS_SLAVE | MS_REC;
	struct stat st;
	int fd;

	/* Shared propagation on the host side is applied to the container's
	 * root later: here the host must stay untouched, and pivot_root
	 * refuses a shared parent. */
	if (flags & MS_SHARED)
		flags = MS_SLAVE | MS_REC;
	if (mount(NULL, "/", NULL, flags, NULL) < 0)
		return berr_sys(err, "make / %s", flags & MS_PRIVATE ? "private" : "slave");
	if (stat(rootfs, &st) < 0)
		return berr_sys(err, "rootfs %s", rootfs);
	if (!S_ISDIR(st.st_mode))
		return berr_set(err, ENOTDIR, "rootfs %s", rootfs);
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return berr_sys(err, "bind rootfs %s", rootfs);
	/* pivot_root needs the new root's parent to be non-shared. */
	if (mount(NULL, rootfs, NULL, MS_PRIVATE, NULL) < 0)
		return berr_sys(err, "make rootfs %s private", rootfs);
	fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, "open rootfs %s", rootfs);
	return fd;
}

static int pivot(int rootfd, struct berr *err)
{
	if (fchdir(rootfd) < 0)
		return berr_sys(err, "chdir to rootfs");
	/* pivot_root(".", ".") stacks the old root on top of the new one;
	 * it is detached right away, after making sure its unmount does not
	 * propagate to the host. */
	if (sys_pivot_root(".", ".") < 0)
		return berr_sys(err, "pivot_root");
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return berr_sys(err, "make old root slave");
	if (umount2(".", MNT_DETACH) < 0)
		return berr_sys(err, "detach old root");
	if (chdir("/") < 0)
		return berr_sys(err, "chdir /");
	return 0;
}

static int move_and_chroot(int rootfd, struct berr *err)
{
	if (fchdir(rootfd) < 0)
		return berr_sys(err, "chdir to rootfs");
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return berr_sys(err, "move rootfs to /");
	if (chroot(".") < 0)
		return berr_sys(err, "chroot");
	if (chdir("/") < 0)
		return berr_sys(err, "chdir /");
	return 0;
}

int rootfs_enter(int rootfd, bool no_pivot, struct berr *err)
{
	return no_pivot ? move_and_chroot(rootfd, err) : pivot(rootfd, err);
}

int rootfs_finish(bool readonly, unsigned long propagation, struct berr *err)
{
	cleanup_close int fd = -1;
	int ret;

	if (!readonly && !(propagation & MS_SHARED))
		return 0;
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, "open /");
	if (readonly) {
		ret = mount_fd_setattr(fd, MOUNT_ATTR_RDONLY, 0, false, 0, err);
		if (ret < 0)
			return berr_wrap(err, ret, "make the root read-only");
	}
	if (propagation & MS_SHARED) {
		ret = mount_fd_setattr(fd, 0, 0, propagation & MS_REC, MS_SHARED, err);
		if (ret < 0)
			return berr_wrap(err, ret, "make the root shared");
	}
	return 0;
}
