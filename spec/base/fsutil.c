#include "spec/base/fsutil.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "spec/base/cleanup.h"

static int open_at(int dirfd, const char *dir, const char *name, int flags)
{
	char path[4096];

	if (!dir)
		return openat(dirfd, name, flags | O_CLOEXEC);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return openat(dirfd, path, flags | O_CLOEXEC);
}

int fsutil_write_at(int dirfd, const char *dir, const char *name,
		    const char *value, struct berr *err)
{
	cleanup_close int fd = open_at(dirfd, dir, name, O_WRONLY);
	size_t len = strlen(value);
	ssize_t n;

	if (fd >= 0) {
		n = write(fd, value, len);
		if (n == (ssize_t)len)
			return 0;
		if (n >= 0)
			errno = EIO;
	}
	if (!err)
		return -errno;
	return berr_sys(err, "write %s to %s%s%s", value, dir ? dir : "",
			dir ? "/" : "", name);
}

ssize_t fsutil_read_at(int dirfd, const char *dir, const char *name,
		       char *buf, size_t size)
{
	cleanup_close int fd = open_at(dirfd, dir, name, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

int fsutil_read_fd(int fd, const char *what, char **out, size_t *len, struct berr *err)
{
	cleanup_free char *buf = NULL;
	size_t used = 0, cap = 0;

	for (;;) {
		ssize_t n;

		if (cap - used < 4096) {
			char *grown;

			cap = cap ? cap * 2 : 16384;
			grown = realloc(buf, cap + 1);
			if (!grown)
				return berr_sys(err, "read %s", what);
			buf = grown;
		}
		n = read(fd, buf + used, cap - used);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return berr_sys(err, "read %s", what);
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	*out = steal_ptr(buf);
	if (len)
		*len = used;
	return 0;
}

int fsutil_read_file(const char *path, char **out, size_t *len,
		     struct berr *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return berr_sys(err, "open %s", path);
	return fsutil_read_fd(fd, path, out, len, err);
}

static int write_atomic(const char *path, const char *data, size_t len, mode_t mode,
			bool synced, struct berr *err)
{
	cleanup_free char *tmp = NULL;
	cleanup_close int fd = -1;

	if (asprintf(&tmp, "%s.tmp%d", path, (int)getpid()) < 0)
		return berr_sys(err, "write %s", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return berr_sys(err, "create %s", tmp);
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			unlink(tmp);
			return berr_sys(err, "write %s", tmp);
		}
		data += n;
		len -= (size_t)n;
	}
	if (synced && fdatasync(fd) < 0) {
		unlink(tmp);
		return berr_sys(err, "sync %s", tmp);
	}
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return berr_sys(err, "rename %s", tmp);
	}
	return 0;
}

int fsutil_write_atomic(const char *path, const char *data, size_t len,
			mode_t mode, struct berr *err)
{
	return write_atomic(path, data, len, mode, false, err);
}

int fsutil_write_atomic_synced(const char *path, const char *data, size_t len,
			       mode_t mode, struct berr *err)
{
	return write_atomic(path, data, len, mode, true, err);
}

int fsutil_sync_path(const char *path, struct berr *err)
{
	cleanup_free char *dir = strdup(path);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	cleanup_close int dfd = -1;
	char *slash;

	if (!dir)
		return berr_set(err, ENOMEM, "sync %s", path);
	if (fd < 0 || fsync(fd) < 0)
		return berr_sys(err, "sync %s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	dfd = open(slash ? (*dir ? dir : "/") : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) < 0)
		return berr_sys(err, "sync the directory of %s", path);
	return 0;
}
