#include "isolation/cgroup_mount.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "isolation/mounts.h"
#include "isolation/pathres.h"
#include "spec/cleanup.h"

/* One cgroup hierarchy as the host mounts it. */
struct hierarchy {
	char mountpoint[256];
	char controllers[256]; /* "cpu,cpuacct", "name=systemd"; "" for v2 */
	bool v2;
};

#define MAX_HIERARCHIES 24

/* Keep the controller and name= options of a v1 superblock. */
static void controllers_of(char *superopts, char *out, size_t size)
{
	char *save = NULL, *opt;

	out[0] = '\0';
	for (opt = strtok_r(superopts, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		if (!strcmp(opt, "rw") || !strcmp(opt, "ro") || !strcmp(opt, "xattr") ||
		    !strcmp(opt, "noprefix") || !strcmp(opt, "clone_children") ||
		    !strcmp(opt, "cpuset_v2_mode") || !strncmp(opt, "release_agent=", 14))
			continue;
		if (out[0])
			strncat(out, ",", size - strlen(out) - 1);
		strncat(out, opt, size - strlen(out) - 1);
	}
}

static int read_hierarchies(struct hierarchy *h, size_t *n, struct berr *err)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;

	*n = 0;
	if (!f)
		return berr_sys(err, "open /proc/self/mountinfo");
	while (getline(&line, &cap, f) > 0 && *n < MAX_HIERARCHIES) {
		char mnt[256], fstype[32], superopts[512];
		char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %*s %255s", mnt) != 1 ||
		    sscanf(sep + 3, "%31s %*s %511s", fstype, superopts) != 2)
			continue;
		if (strncmp(mnt, "/sys/fs/cgroup", 14) != 0)
			continue;
		if (strcmp(fstype, "cgroup2") && strcmp(fstype, "cgroup"))
			continue;
		snprintf(h[*n].mountpoint, sizeof(h[*n].mountpoint), "%s", mnt);
		h[*n].v2 = strcmp(fstype, "cgroup2") == 0;
		if (h[*n].v2)
			h[*n].controllers[0] = '\0';
		else
			controllers_of(superopts, h[*n].controllers, sizeof(h[*n].controllers));
		(*n)++;
	}
	return 0;
}

/* The caller's own path in hierarchy h, from /proc/self/cgroup. */
static int own_path(const struct hierarchy *h, char *out, size_t size,
		    struct berr *err)
{
	cleanup_fclose FILE *f = fopen("/proc/self/cgroup", "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;

	if (!f)
		return berr_sys(err, "open /proc/self/cgroup");
	while (getline(&line, &cap, f) > 0) {
		char *ctrl = strchr(line, ':');
		char *path = ctrl ? strchr(ctrl + 1, ':') : NULL;

		if (!path)
			continue;
		*path++ = '\0';
		*ctrl++ = '\0';
		path[strcspn(path, "\n")] = '\0';
		if ((h->v2 && strcmp(line, "0") == 0 && !*ctrl) ||
		    (!h->v2 && strcmp(ctrl, h->controllers) == 0)) {
			snprintf(out, size, "%s", path);
			return 0;
		}
	}
	return berr_fail(err, ENOENT, "no entry for %s in /proc/self/cgroup",
			h->v2 ? "cgroup2" : h->controllers);
}

/* A fresh v1 superblock takes its controllers as flags, "name=" as a
 * string: fsconfig treats both forms of option the same way. */
static int new_cgroup_fs(const struct hierarchy *h, uint64_t attr,
			 struct berr *err)
{
	char copy[256];
	const char *opts[16];
	size_t n = 0;
	char *save = NULL, *o;

	if (h->v2)
		return mounts_fs_new("cgroup2", "cgroup2", NULL, 0, attr, err);
	snprintf(copy, sizeof(copy), "%s", h->controllers);
	for (o = strtok_r(copy, ",", &save); o && n < 16; o = strtok_r(NULL, ",", &save))
		opts[n++] = o;
	return mounts_fs_new("cgroup", "cgroup", opts, n, attr, err);
}

static int mount_hierarchy(const struct hierarchy *h, int targetfd,
			   bool cgroupns, uint64_t attr, struct berr *err)
{
	cleanup_close int mfd = -1;
	char own[1024], src[1400];
	int ret;

	if (cgroupns) {
		mfd = new_cgroup_fs(h, attr, err);
		if (mfd < 0)
			return mfd;
		return mounts_attach(mfd, targetfd, err);
	}
	ret = own_path(h, own, sizeof(own), err);
	if (ret < 0)
		return ret;
	snprintf(src, sizeof(src), "%s%s", h->mountpoint, own);
	return mounts_bind_fd(AT_FDCWD, src, targetfd, false, attr, err);
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

static int mount_v1_layout(int rootfd, const char *dest, struct hierarchy *h,
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
	mfd = mounts_fs_new("tmpfs", "tmpfs", tmpfs_opts, 1,
			    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, err);
	if (mfd < 0)
		return mfd;
	ret = mounts_attach(mfd, tfd, err);
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
	return mounts_setattr(mfd, attr & MOUNT_ATTR_RDONLY, 0, false, 0, err);
}

int cgroup_mount(int rootfd, const char *dest, bool v2_only, bool cgroupns,
		 uint64_t attr, struct berr *err)
{
	struct hierarchy h[MAX_HIERARCHIES];
	cleanup_close int tfd = -1;
	size_t n = 0;
	int ret;

	ret = read_hierarchies(h, &n, err);
	if (ret < 0)
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
