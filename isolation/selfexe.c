/* See selfexe.h for the attack and the defence. */
#include "isolation/selfexe.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "spec/base/cleanup.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

/* fd is a file that cannot be written through any path the container can
 * reach: its mount is read-only (a detached mount belongs to nobody's
 * tree), or it is a memfd sealed against writes. */
static bool unwritable(int fd)
{
	struct statvfs vfs;
	int seals = fcntl(fd, F_GET_SEALS);

	if (seals >= 0 && (seals & F_SEAL_WRITE))
		return true;
	return fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_RDONLY);
}

bool selfexe_sealed(void)
{
	cleanup_close int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	return fd >= 0 && unwritable(fd);
}

/* A detached read-only bind mount of the binary: no copy, and the mount
 * goes away with the last process that runs from it. */
static int readonly_view(const char *path)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	int fd = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

	if (fd < 0)
		return -1;
	if (mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int selfexe_view(const char *path, int min_fd, struct berr *err)
{
	cleanup_close int fd = readonly_view(path);
	int high;

	if (fd < 0)
		return berr_sys(err, "read-only view of %s", path);
	if (!unwritable(fd))
		return berr_fail(err, EROFS, "the view of %s is not read-only", path);
	high = fcntl(fd, F_DUPFD_CLOEXEC, min_fd);
	if (high < 0)
		return berr_sys(err, "read-only view of %s", path);
	return high;
}

/* A sealed memfd copy of the binary, for a caller without CAP_SYS_ADMIN. */
static int sealed_copy(int *out, struct berr *err)
{
	cleanup_close int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int fd = memfd_create("berth", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	struct stat st;
	off_t off = 0;
	int ret;

	if (src < 0 || fd < 0 || fstat(src, &st) < 0)
		goto fail;
	while (off < st.st_size)
		if (sendfile(fd, src, &off, (size_t)(st.st_size - off)) <= 0)
			goto fail;
	if (fcntl(fd, F_ADD_SEALS, SEALS) < 0)
		goto fail;
	*out = fd;
	return 0;
fail:
	ret = berr_sys(err, "copy the runtime's binary into a sealed memfd");
	if (fd >= 0)
		close(fd);
	return ret;
}

int selfexe_seal(char *const *argv, char *const *envp, struct berr *err)
{
	cleanup_close int fd = -1;
	int ret;

	if (selfexe_sealed())
		return 0;
	fd = readonly_view("/proc/self/exe");
	if (fd < 0) {
		ret = sealed_copy(&fd, err);
		if (ret < 0)
			return ret;
	}
	/* Checked here rather than after the execve, so that a view the
	 * kernel does not report as read-only cannot loop. */
	if (!unwritable(fd))
		return berr_fail(err, EROFS, "no read-only view of the runtime's binary");
	execveat(fd, "", argv, envp, AT_EMPTY_PATH);
	return berr_sys(err, "execute the runtime's binary from its read-only view");
}
