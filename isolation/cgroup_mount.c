#include "isolation/cgroup_mount.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "isolation/cgroup_hier.h"
#include "isolation/mount_fd.h"
#include "isolation/pathres.h"
#include "spec/base/cleanup.h"

/* A fresh v1 superblock takes its controllers as flags, "name=" as a
 * string: fsconfig treats both forms of option the same way. */
static int new_cgroup_fs(const struct cgroup_hier *h, uint64_t attr,
			 struct berr *err)
{
	char copy[256];
	const char *opts[16];
	size_t n = 0;
	char *save = NULL, *o;

	if (h->v2)
		return mount_fd_new_fs("cgroup2", "cgroup2", NULL, 0, attr, err);
	snprintf(copy, sizeof(copy), "%s", h->controllers);
	for (o = strtok_r(copy, ",", &save); o && n < 16; o = strtok_r(NULL, ",", &save))
		opts[n++] = o;
	return mount_fd_new_fs("cgroup", "cgroup", opts, n, attr, err);
}

static int mount_hierarchy(const struct cgroup_hier *h, int targetfd,
			   bool cgroupns, uint64_t attr, struct berr *err)
{
	cleanup_close int mfd = -1;
	char own[1024], src[1400];
	int ret;

	if (cgroupns) {
		mfd = new_cgroup_fs(h, attr, err);
		if (mfd < 0)
			return mfd;
		return mount_fd_attach(mfd, targetfd, err);
	}
	ret = cgroup_hier_own_path(h, own, sizeof(own), err);
	if (ret < 0)
		return ret;
	snprintf(src, sizeof(src), "%s%s", h->mountpoint, own);
	return mount_fd_bind(AT_FDCWD, src, targetfd, false, attr, err);
}

/* Combined hierarchies ("cpu,cpuacct") also answer to each name. */
static void link_combined(int dirfd, const char *name)
{
	char copy[256];
	char *save = NULL, *part;

	if (!strchr(name, ','))
		return;
	snprintf(copy, sizeof(copy), "%s", name);
	for (part = strtok_r(copy, ",", &save); part; part = strtok_r(NULL, ",", &save))
		symlinkat(name, dirfd, part);
}

static int mount_v1_layout(int rootfd, const char *dest, struct cgroup_hier *h,
			   size_t n, bool cgroupns, uint64_t attr,
			   struct berr *err)
{
	cleanup_close int tfd = pathres_open(rootfd, dest, PATHRES_MKDIR, err);
	cleanup_close int mfd = -1;
	cleanup_close int dirfd = -1;
	static const char *tmpfs_opts[] = { "mode=755" };
	int ret;

	if (tfd < 0)
		return tfd;
	mfd = mount_fd_new_fs("tmpfs", "tmpfs", tmpfs_opts, 1,
			    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, err);
	if (mfd < 0)
		return mfd;
	ret = mount_fd_attach(mfd, tfd, err);
	if (ret < 0)
		return ret;
	dirfd = openat(mfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return berr_sys(err, "open %s", dest);
	for (size_t i = 0; i < n; i++) {
		const char *name = strrchr(h[i].mountpoint, '/') + 1;
		cleanup_close int sub = -1;

		if (strcmp(h[i].mountpoint, "/sys/fs/cgroup") == 0)
			continue;
		if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
			return berr_sys(err, "mkdir %s/%s", dest, name);
		sub = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			return berr_sys(err, "open %s/%s", dest, name);
		ret = mount_hierarchy(&h[i], sub, cgroupns, attr, err);
		if (ret < 0)
			return berr_wrap(err, ret, "%s", name);
		link_combined(dirfd, name);
	}
	return mount_fd_setattr(mfd, attr & MOUNT_ATTR_RDONLY, 0, false, 0, err);
}

/* A cgroup2 file system at /sys/fs/cgroup is the hierarchy the scan of
 * mountinfo in cgroup_mount() would pick (or, with v2_only, the same
 * hierarchy as a cgroup2 mount hidden beneath it).  That scan makes the
 * kernel print the whole mount table (about 8% of the CPU time of `berth
 * run` on the development host): a pure cgroup2 host skips it. */
static bool unified_at_root(struct cgroup_hier *h)
{
	struct statfs st;

	if (statfs("/sys/fs/cgroup", &st) < 0 || st.f_type != CGROUP2_SUPER_MAGIC)
		return false;
	snprintf(h->mountpoint, sizeof(h->mountpoint), "/sys/fs/cgroup");
	h->controllers[0] = '\0';
	h->v2 = true;
	return true;
}

int cgroup_mount(int rootfd, const char *dest, bool v2_only, bool cgroupns,
		 uint64_t attr, struct berr *err)
{
	struct cgroup_hier h[CGROUP_HIER_MAX];
	cleanup_close int tfd = -1;
	size_t n = 0;
	int ret;

	if (unified_at_root(&h[0]))
		n = 1;
	else if ((ret = cgroup_hier_read(h, &n, err)) < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		bool unified = h[i].v2 && strcmp(h[i].mountpoint, "/sys/fs/cgroup") == 0;

		if (unified || (v2_only && h[i].v2)) {
			tfd = pathres_open(rootfd, dest, PATHRES_MKDIR, err);
			if (tfd < 0)
				return tfd;
			return mount_hierarchy(&h[i], tfd, cgroupns, attr, err);
		}
	}
	if (v2_only)
		return berr_fail(err, ENOENT, "the host has no cgroup2 hierarchy");
	return mount_v1_layout(rootfd, dest, h, n, cgroupns, attr, err);
}
