/* What dockerd does for a volume mounted over a directory of the image:
 * when the volume is empty, the directory's content (and its owner and
 * mode) is copied into it first, so that the container finds the image's
 * files there.  The image's side is opened inside the container's root
 * (symlinks resolve there, never on the host) and nothing of it is
 * followed: links are copied as links. */
#include "runtime/engine/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spec/base/cleanup.h"

static int copy_tree(int src, int dst, int depth, struct berr *err);

static bool dir_empty(int fd)
{
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	cleanup_closedir DIR *dir = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	struct dirent *e;

	if (!dir) {
		if (dup_fd >= 0)
			close(dup_fd);
		return false;
	}
	while ((e = readdir(dir)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			return false;
	return true;
}

static int copy_file(int src, int dst, const char *name, const struct stat *st,
		     struct berr *err)
{
	cleanup_close int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	cleanup_close int out = -1;
	char buf[65536];
	ssize_t n;

	if (in < 0)
		return berr_sys(err, "copy the image's %s into the volume", name);
	out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		     st->st_mode & 07777);
	if (out < 0)
		return berr_sys(err, "copy the image's %s into the volume", name);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return berr_sys(err, "copy the image's %s into the volume", name);
	if (n < 0)
		return berr_sys(err, "copy the image's %s into the volume", name);
	if (fchown(out, st->st_uid, st->st_gid) < 0 || fchmod(out, st->st_mode & 07777) < 0)
		return berr_sys(err, "copy the image's %s into the volume", name);
	return 0;
}

static int copy_entry(int src, int dst, const char *name, int depth, struct berr *err)
{
	struct stat st;
	char target[PATH_MAX];
	ssize_t n;

	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return berr_sys(err, "copy the image's %s into the volume", name);
	switch (st.st_mode & S_IFMT) {
	case S_IFREG:
		return copy_file(src, dst, name, &st, err);
	case S_IFDIR: {
		cleanup_close int s = -1, d = -1;

		if (mkdirat(dst, name, 0700) < 0)
			return berr_sys(err, "copy the image's %s into the volume", name);
		s = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		d = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s < 0 || d < 0)
			return berr_sys(err, "copy the image's %s into the volume", name);
		n = copy_tree(s, d, depth + 1, err);
		if (n < 0)
			return (int)n;
		if (fchown(d, st.st_uid, st.st_gid) < 0 || fchmod(d, st.st_mode & 07777) < 0)
			return berr_sys(err, "copy the image's %s into the volume", name);
		return 0;
	}
	case S_IFLNK:
		n = readlinkat(src, name, target, sizeof(target) - 1);
		if (n < 0)
			return berr_sys(err, "copy the image's %s into the volume", name);
		target[n] = '\0';
		if (symlinkat(target, dst, name) < 0)
			return berr_sys(err, "copy the image's %s into the volume", name);
		break;
	default: /* fifos, sockets, device nodes */
		if (mknodat(dst, name, st.st_mode, st.st_rdev) < 0)
			return berr_sys(err, "copy the image's %s into the volume", name);
	}
	if (fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return berr_sys(err, "copy the image's %s into the volume", name);
	return 0;
}

static int copy_tree(int src, int dst, int depth, struct berr *err)
{
	int fd = fcntl(src, F_DUPFD_CLOEXEC, 0);
	cleanup_closedir DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!dir) {
		if (fd >= 0)
			close(fd);
		return berr_sys(err, "copy the image's files into the volume");
	}
	if (depth > 128)
		return berr_set(err, ELOOP, "copy the image's files into the volume: too deep");
	while ((e = readdir(dir))) {
		int ret;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		ret = copy_entry(src, dst, e->d_name, depth, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int daemon_volume_copy_up(int rootfd, const char *target, const char *volume_path,
			  struct berr *err)
{
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	cleanup_close int src = -1, dst = -1;
	struct stat st;
	int ret;

	dst = open(volume_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dst < 0)
		return berr_sys(err, "open the volume %s", volume_path);
	if (!dir_empty(dst))
		return 0;
	src = (int)syscall(SYS_openat2, rootfd, target, &how, sizeof(how));
	/* Nothing there (or not a directory): nothing to copy. */
	if (src < 0)
		return 0;
	if (fstat(src, &st) < 0)
		return berr_sys(err, "copy the image's %s into the volume", target);
	ret = copy_tree(src, dst, 0, err);
	if (ret < 0)
		return ret;
	if (fchown(dst, st.st_uid, st.st_gid) < 0 || fchmod(dst, st.st_mode & 07777) < 0)
		return berr_sys(err, "copy the owner and mode of the image's %s", target);
	return 0;
}
