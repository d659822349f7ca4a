#include "isolation/paths.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "isolation/mount_fd.h"
#include "isolation/pathres.h"
#include "spec/base/cleanup.h"

/* The /dev/null a file is masked with must really be the null device: a
 * container that replaced it (with a symlink to something it wants
 * exposed, the CVE-2025-31133 class) gets an error, not a mask. */
static int open_dev_null(int rootfd, struct berr *err)
{
	int fd = pathres_openat(rootfd, "/dev/null", O_PATH | O_NOFOLLOW, 0);
	struct stat st;

	if (fd < 0)
		return berr_fail(err, -fd, "open /dev/null to mask files");
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) ||
	    major(st.st_rdev) != 1 || minor(st.st_rdev) != 3) {
		close(fd);
		return berr_fail(err, EPERM, "/dev/null is not the null device");
	}
	return fd;
}

static int mask_dir(int targetfd, struct berr *err)
{
	static const char *opts[] = { "size=0", "mode=0555" };
	cleanup_close int mfd = mount_fd_new_fs("tmpfs", "tmpfs", opts, 2,
					      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
						      MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
					      err);

	if (mfd < 0)
		return mfd;
	return mount_fd_attach(mfd, targetfd, err);
}

int paths_mask(int rootfd, const char *const *paths, size_t n, struct berr *err)
{
	cleanup_close int nullfd = -1;
	int ret;

	for (size_t i = 0; i < n; i++) {
		cleanup_close int tfd = pathres_openat(rootfd, paths[i], O_PATH, 0);
		struct stat st;

		if (tfd == -ENOENT)
			continue;
		if (tfd < 0)
			return berr_set(err, -tfd, "mask %s", paths[i]);
		if (fstat(tfd, &st) < 0)
			return berr_sys(err, "mask %s", paths[i]);
		if (S_ISDIR(st.st_mode)) {
			ret = mask_dir(tfd, err);
		} else {
			if (nullfd < 0) {
				nullfd = open_dev_null(rootfd, err);
				if (nullfd < 0)
					return berr_wrap(err, nullfd, "mask %s", paths[i]);
			}
			ret = mount_fd_bind(nullfd, "", tfd, false, 0, err);
		}
		if (ret < 0)
			return berr_wrap(err, ret, "mask %s", paths[i]);
	}
	return 0;
}

int paths_readonly(int rootfd, const char *const *paths, size_t n,
		   struct berr *err)
{
	for (size_t i = 0; i < n; i++) {
		cleanup_close int tfd = pathres_openat(rootfd, paths[i], O_PATH, 0);
		int ret;

		if (tfd == -ENOENT)
			continue;
		if (tfd < 0)
			return berr_set(err, -tfd, "make %s read-only", paths[i]);
		/* A read-only copy of the subtree, mounted over itself. */
		ret = mount_fd_bind(tfd, "", tfd, true, MOUNT_ATTR_RDONLY, err);
		if (ret < 0)
			return berr_wrap(err, ret, "make %s read-only", paths[i]);
	}
	return 0;
}
