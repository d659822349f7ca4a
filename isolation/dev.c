#include "isolation/dev.h"

#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "isolation/mount_fd.h"
#include "isolation/pathres.h"
#include "spec/base/cleanup.h"

static const struct spec_device default_devices[] = {
	{ .type = 'c', .path = "/dev/null", .major = 1, .minor = 3 },
	{ .type = 'c', .path = "/dev/zero", .major = 1, .minor = 5 },
	{ .type = 'c', .path = "/dev/full", .major = 1, .minor = 7 },
	{ .type = 'c', .path = "/dev/random", .major = 1, .minor = 8 },
	{ .type = 'c', .path = "/dev/urandom", .major = 1, .minor = 9 },
	{ .type = 'c', .path = "/dev/tty", .major = 5, .minor = 0 },
};

static const struct {
	const char *target, *path;
} dev_links[] = {
	{ "/proc/self/fd", "/dev/fd" },
	{ "/proc/self/fd/0", "/dev/stdin" },
	{ "/proc/self/fd/1", "/dev/stdout" },
	{ "/proc/self/fd/2", "/dev/stderr" },
	{ "pts/ptmx", "/dev/ptmx" },
};

static mode_t device_type_bits(char type)
{
	switch (type) {
	case 'b':
		return S_IFBLK;
	case 'p':
		return S_IFIFO;
	default:
		return S_IFCHR;
	}
}

/* Bind the host's own node: the only way to get one in a user namespace. */
static int bind_host_node(int parentfd, const char *leaf, const char *host,
			  struct berr *err)
{
	cleanup_close int tfd = -1;
	int fd = openat(parentfd, leaf, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0000);

	if (fd < 0 && errno != EEXIST)
		return berr_sys(err, "create %s", leaf);
	if (fd >= 0)
		close(fd);
	tfd = openat(parentfd, leaf, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (tfd < 0)
		return berr_sys(err, "open %s", leaf);
	return mount_fd_bind(AT_FDCWD, host, tfd, false, 0, err);
}

int dev_create(int rootfd, const struct spec_device *d, bool userns,
	       struct berr *err)
{
	cleanup_close int parentfd = -1;
	mode_t mode = device_type_bits(d->type) |
		      (d->file_mode_set ? (d->file_mode & 07777) : 0666);
	char leaf[NAME_MAX + 1];
	int ret;

	parentfd = pathres_parent(rootfd, d->path, leaf, sizeof(leaf), err);
	if (parentfd < 0)
		return berr_wrap(err, parentfd, "device %s", d->path);
	if (unlinkat(parentfd, leaf, 0) < 0 && errno != ENOENT)
		return berr_sys(err, "device %s: remove the existing file", d->path);
	if (userns) {
		ret = bind_host_node(parentfd, leaf, d->path, err);
		return ret < 0 ? berr_wrap(err, ret, "device %s", d->path) : 0;
	}
	if (mknodat(parentfd, leaf, mode, makedev(d->major, d->minor)) < 0)
		return berr_sys(err, "mknod %s", d->path);
	/* mknod honours the umask; the spec's mode is meant literally. */
	if (fchmodat(parentfd, leaf, mode & 07777, 0) < 0)
		return berr_sys(err, "chmod %s", d->path);
	if (fchownat(parentfd, leaf, d->uid_set ? d->uid : 0, d->gid_set ? d->gid : 0,
		     AT_SYMLINK_NOFOLLOW) < 0)
		return berr_sys(err, "chown %s", d->path);
	return 0;
}

static bool overridden(const struct spec_device *devices, size_t n,
		       const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(devices[i].path, path) == 0)
			return true;
	return false;
}

static int dev_link(int rootfd, const char *target, const char *path,
		    struct berr *err)
{
	cleanup_close int parentfd = -1;
	char leaf[NAME_MAX + 1];

	parentfd = pathres_parent(rootfd, path, leaf, sizeof(leaf), err);
	if (parentfd < 0)
		return parentfd;
	if (symlinkat(target, parentfd, leaf) < 0 && errno != EEXIST)
		return berr_sys(err, "symlink %s", path);
	return 0;
}

int dev_setup(int rootfd, const struct spec_device *devices, size_t n,
	      bool userns, struct berr *err)
{
	int ret;

	for (size_t i = 0; i < sizeof(default_devices) / sizeof(*default_devices); i++) {
		if (overridden(devices, n, default_devices[i].path))
			continue;
		ret = dev_create(rootfd, &default_devices[i], userns, err);
		if (ret < 0)
			return ret;
	}
	for (size_t i = 0; i < sizeof(dev_links) / sizeof(*dev_links); i++) {
		ret = dev_link(rootfd, dev_links[i].target, dev_links[i].path, err);
		if (ret < 0)
			return ret;
	}
	if (access("/proc/kcore", F_OK) == 0) {
		ret = dev_link(rootfd, "/proc/kcore", "/dev/core", err);
		if (ret < 0)
			return ret;
	}
	for (size_t i = 0; i < n; i++) {
		ret = dev_create(rootfd, &devices[i], userns, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}
