#include "isolation/rootfs.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "isolation/mount_fd.h"
#include "isolation/mountinfo.h"
#include "isolation/syscalls.h"
#include "spec/base/cleanup.h"
#include "spec/base/fsutil.h"

int rootfs_prepare(const char *rootfs, unsigned long propagation,
		   struct berr *err)
{
	unsigned long flags = propagation ? propagation : MS_SLAVE | MS_REC;
	struct stat st;
	int fd;

	/* Shared propagation on the host side is applied to the container's
	 * root later: here the host must stay untouched, and pivot_root
	 * refuses a shared parent.  Unbindable also waits for the new root
	 * (an unbindable rootfs cannot be bound onto itself); until then the
	 * tree is private, which unbindable implies. */
	if (flags & MS_SHARED)
		flags = MS_SLAVE | MS_REC;
	else if (flags & MS_UNBINDABLE)
		flags = MS_PRIVATE | (flags & MS_REC);
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

/* Without a mount namespace the container's mounts are the caller's:
 * the rootfs is bound onto itself and that bind made private at once, so
 * that nothing mounted below it reaches the caller's other mounts or
 * their peers, and one detach of it (rootfs_release) takes everything
 * away.  Unlike runc, the caller's own root keeps its propagation. */
int rootfs_prepare_in_place(const char *rootfs, struct berr *err)
{
	struct stat st;
	int fd, ret;

	if (stat(rootfs, &st) < 0)
		return berr_sys(err, "rootfs %s", rootfs);
	if (!S_ISDIR(st.st_mode))
		return berr_set(err, ENOTDIR, "rootfs %s", rootfs);
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return berr_sys(err, "bind rootfs %s", rootfs);
	fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		ret = berr_sys(err, "open rootfs %s", rootfs);
	else if (mount(NULL, rootfs, NULL, MS_PRIVATE | MS_REC, NULL) < 0)
		ret = berr_sys(err, "make rootfs %s private", rootfs);
	else
		return fd;
	if (fd >= 0)
		close(fd);
	umount2(rootfs, MNT_DETACH);
	return ret;
}

bool rootfs_is_caller_root(const char *rootfs)
{
	struct statx a, b;
	unsigned mask = STATX_INO | STATX_MNT_ID;

	if (statx(AT_FDCWD, rootfs, 0, mask, &a) < 0 || statx(AT_FDCWD, "/", 0, mask, &b) < 0)
		return false;
	return a.stx_mnt_id == b.stx_mnt_id && a.stx_ino == b.stx_ino &&
	       a.stx_dev_major == b.stx_dev_major && a.stx_dev_minor == b.stx_dev_minor;
}

int rootfs_mount_id(int fd, int *id, struct berr *err)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0)
		return berr_sys(err, "find the rootfs's mount");
	if (!(stx.stx_mask & STATX_MNT_ID))
		return berr_set(err, EOPNOTSUPP, "the kernel gives no mount ids (statx)");
	*id = (int)stx.stx_mnt_id;
	return 0;
}

int rootfs_release(const char *rootfs, int id, struct berr *err)
{
	cleanup_close int fd = open(rootfs, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct berr ignored;
	int now;

	/* Gone, or another mount than ours on top (seen from another mount
	 * namespace, or already detached and the path reused): not ours. */
	if (fd < 0 || rootfs_mount_id(fd, &now, &ignored) < 0 || now != id)
		return 0;
	if (umount2(rootfs, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
		return berr_sys(err, "unmount the container's rootfs %s", rootfs);
	return 0;
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

/* The mount point of a mountinfo line that is a whole proc or sysfs (its
 * root is the file system's own), or NULL. */
static char *full_proc_or_sys(char *line)
{
	struct mountinfo_entry e;

	if (!mountinfo_split(line, &e) || strcmp(e.root, "/") != 0)
		return NULL;
	if (strcmp(e.fstype, "proc") != 0 && strcmp(e.fstype, "sysfs") != 0)
		return NULL;
	return e.mountpoint;
}

static bool below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* MS_MOVE and chroot keep the host's root, and with it the host's whole
 * proc and sysfs, in the container's mount namespace, out of the chroot's
 * sight but not out of the kernel's: a process that makes a user
 * namespace may mount a fresh, unmasked proc because a full one is
 * visible in its mount namespace.  As runc does, every whole proc and
 * sysfs outside the new root is detached first (their unmount kept from
 * the host by MS_SLAVE), or covered with a tmpfs where detaching is
 * refused. */
static int hide_host_proc_sys(int rootfd, struct berr *err)
{
	cleanup_free char *info = NULL;
	char link[64], rootfs[PATH_MAX];
	char *line, *save = NULL;
	ssize_t n;
	int ret;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", rootfd);
	n = readlink(link, rootfs, sizeof(rootfs) - 1);
	if (n < 0)
		return berr_sys(err, "find the rootfs");
	rootfs[n] = '\0';
	ret = fsutil_read_file("/proc/self/mountinfo", &info, NULL, err);
	if (ret < 0)
		return ret;
	for (line = strtok_r(info, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *mnt = full_proc_or_sys(line);

		if (!mnt || below(mnt, rootfs))
			continue;
		if (mount(NULL, mnt, NULL, MS_SLAVE | MS_REC, NULL) < 0) {
			/* A parent detached before took it along. */
			if (errno == ENOENT || errno == EINVAL)
				continue;
			return berr_sys(err, "make %s slave", mnt);
		}
		if (umount2(mnt, MNT_DETACH) == 0)
			continue;
		if ((errno != EINVAL && errno != EPERM) ||
		    mount("tmpfs", mnt, "tmpfs", MS_RDONLY, NULL) < 0)
			return berr_sys(err, "hide the host's %s", mnt);
	}
	return 0;
}

static int move_and_chroot(int rootfd, struct berr *err)
{
	int ret = hide_host_proc_sys(rootfd, err);

	if (ret < 0)
		return ret;
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

int rootfs_chroot(int rootfd, struct berr *err)
{
	if (fchdir(rootfd) < 0)
		return berr_sys(err, "chdir to rootfs");
	if (chroot(".") < 0)
		return berr_sys(err, "chroot");
	if (chdir("/") < 0)
		return berr_sys(err, "chdir /");
	return 0;
}

int rootfs_finish(bool readonly, unsigned long propagation, struct berr *err)
{
	unsigned long late = propagation & (MS_SHARED | MS_UNBINDABLE);
	cleanup_close int fd = -1;
	int ret;

	if (!readonly && !late)
		return 0;
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, "open /");
	if (readonly) {
		ret = mount_fd_setattr(fd, MOUNT_ATTR_RDONLY, 0, false, 0, err);
		if (ret < 0)
			return berr_wrap(err, ret, "make the root read-only");
	}
	if (late) {
		ret = mount_fd_setattr(fd, 0, 0, propagation & MS_REC, late, err);
		if (ret < 0)
			return berr_wrap(err, ret, "make the root %s",
					 late == MS_SHARED ? "shared" : "unbindable");
	}
	return 0;
}
