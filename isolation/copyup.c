#include "isolation/copyup.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

#include "isolation/pathres.h"
#include "spec/base/cleanup.h"

static int copy_tree(int srcfd, int dstfd, struct berr *err);

static int copy_meta(int dstdir, const char *name, const struct stat *st)
{
	struct timespec times[2] = { st->st_atim, st->st_mtim };

	if (fchownat(dstdir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISLNK(st->st_mode) &&
	    fchmodat(dstdir, name, st->st_mode & 07777, 0) < 0)
		return -errno;
	if (utimensat(dstdir, name, times, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

static int copy_file(int srcdir, int dstdir, const char *name,
		     const struct stat *st)
{
	cleanup_close int in = openat(srcdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	cleanup_close int out = -1;
	off_t left = st->st_size;

	if (in < 0)
		return -errno;
	out = openat(dstdir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0)
		return -errno;
	while (left > 0) {
		ssize_t n = sendfile(out, in, NULL, (size_t)left);

		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		left -= n;
	}
	return 0;
}

static int copy_entry(int srcdir, int dstdir, const char *name,
		      struct berr *err)
{
	char target[PATH_MAX];
	struct stat st;
	ssize_t n;
	int ret = 0;

	if (fstatat(srcdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return berr_sys(err, "copy %s", name);
	if (S_ISDIR(st.st_mode)) {
		cleanup_close int s = -1;
		cleanup_close int d = -1;

		if (mkdirat(dstdir, name, 0700) < 0)
			return berr_sys(err, "copy %s", name);
		s = openat(srcdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		d = openat(dstdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s < 0 || d < 0)
			return berr_sys(err, "copy %s", name);
		ret = copy_tree(s, d, err);
		if (ret < 0)
			return berr_wrap(err, ret, "%s", name);
	} else if (S_ISREG(st.st_mode)) {
		ret = copy_file(srcdir, dstdir, name, &st);
	} else if (S_ISLNK(st.st_mode)) {
		n = readlinkat(srcdir, name, target, sizeof(target) - 1);
		if (n < 0)
			return berr_sys(err, "copy %s", name);
		target[n] = '\0';
		if (symlinkat(target, dstdir, name) < 0)
			ret = -errno;
	} else if (mknodat(dstdir, name, st.st_mode, st.st_rdev) < 0) {
		ret = -errno;
	}
	if (ret == 0)
		ret = copy_meta(dstdir, name, &st);
	if (ret < 0)
		return berr_set(err, -ret, "copy %s", name);
	return 0;
}

static int copy_tree(int srcfd, int dstfd, struct berr *err)
{
	cleanup_closedir DIR *dir = NULL;
	struct dirent *de;
	int fd = dup(srcfd);

	if (fd < 0)
		return berr_sys(err, "read directory");
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return berr_sys(err, "read directory");
	}
	while ((errno = 0, de = readdir(dir))) {
		int ret;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		ret = copy_entry(srcfd, dstfd, de->d_name, err);
		if (ret < 0)
			return ret;
	}
	if (errno)
		return berr_sys(err, "read directory");
	return 0;
}

int copyup_tree(int rootfd, const char *path, int mntfd, struct berr *err)
{
	cleanup_close int src = pathres_openat(rootfd, path, O_RDONLY | O_DIRECTORY, 0);
	cleanup_close int dst = -1;
	int ret;

	if (src == -ENOENT)
		return 0;
	if (src < 0)
		return berr_set(err, -src, "tmpcopyup: open %s", path);
	dst = openat(mntfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dst < 0)
		return berr_sys(err, "tmpcopyup: open the new tmpfs");
	ret = copy_tree(src, dst, err);
	if (ret < 0)
		return berr_wrap(err, ret, "tmpcopyup %s", path);
	return 0;
}
