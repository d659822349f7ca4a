#include "isolation/mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "isolation/cgroup_mount.h"
#include "isolation/copyup.h"
#include "isolation/mount_fd.h"
#include "isolation/mount_opts.h"
#include "isolation/pathres.h"
#include "isolation/syscalls.h"
#include "spec/base/cleanup.h"

static bool is_bind(const struct spec_mount *m, const struct mount_opts *o)
{
	return o->bind || (m->type && strcmp(m->type, "bind") == 0);
}

/* Where a bind source lives: absolute, or relative to the bundle. */
static int bind_source(const struct mounts_ctx *ctx, const char *source,
		       char **out, struct berr *err)
{
	if (!source || !*source)
		return berr_fail(err, 0, "bind mount without a source");
	if (source[0] == '/' || !ctx->bundle)
		*out = strdup(source);
	else if (asprintf(out, "%s/%s", ctx->bundle, source) < 0)
		*out = NULL;
	if (!*out)
		return berr_sys(err, "bind source %s", source);
	return 0;
}

/* A read-only rbind of the host's sysfs (the /sys of rootless-style
 * configs) would keep the host's cgroup hierarchies below it writable:
 * a container whose root maps to a host uid that owns cgroup files could
 * change its own limits or the host's (the CVE-2023-25809 class).  So
 * "ro" on such a tree is recursive: nothing of the host's sysfs or what
 * is mounted on it is writable. */
static unsigned long long sysfs_tree_rattr(int mfd, const struct mount_opts *o)
{
	struct statfs fs;

	if (!o->rbind || !(o->attr_set & MOUNT_ATTR_RDONLY))
		return 0;
	if (fstatfs(mfd, &fs) < 0 || fs.f_type != SYSFS_MAGIC)
		return 0;
	return MOUNT_ATTR_RDONLY;
}

/* The source as a detached mount, with the mount's own attributes. */
static int bind_open(const struct mounts_ctx *ctx, const struct spec_mount *m,
		     const struct mount_opts *o, struct berr *err)
{
	cleanup_free char *src = NULL;
	cleanup_close int mfd = -1;
	int ret;

	ret = bind_source(ctx, m->source, &src, err);
	if (ret < 0)
		return ret;
	mfd = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
					       (o->rbind ? AT_RECURSIVE : 0));
	if (mfd < 0)
		return berr_sys(err, "bind source %s", src);
	/* Recursive attributes first, so that the top mount's own
	 * options (plain "ro" on an rbind) win over them. */
	ret = mount_fd_setattr(mfd, o->rattr_set | sysfs_tree_rattr(mfd, o), o->rattr_clr,
			       true, 0, err);
	if (ret == 0)
		ret = mount_fd_setattr(mfd, o->attr_set, o->attr_clr, false, 0, err);
	return ret < 0 ? ret : steal_fd(&mfd);
}

static int mount_bind(const struct mounts_ctx *ctx, const struct spec_mount *m,
		      const struct mount_opts *o, struct berr *err)
{
	cleanup_close int early = ctx->bind_fd;
	cleanup_close int tfd = -1;
	cleanup_close int mfd = -1;
	struct stat st;
	int ret;

	/* Opened here, the source is seen with the mounts made before it
	 * (config order); the parent's early copy serves only a source the
	 * user namespace may not reach. */
	mfd = bind_open(ctx, m, o, err);
	if (mfd < 0 && early >= 0 && (err->errnum == EACCES || err->errnum == EPERM)) {
		berr_clear(err);
		mfd = steal_fd(&early);
	}
	if (mfd < 0)
		return mfd;
	if (fstat(mfd, &st) < 0)
		return berr_sys(err, "bind source %s", m->source);
	tfd = pathres_open(ctx->rootfd, m->destination,
			   S_ISDIR(st.st_mode) ? PATHRES_MKDIR : PATHRES_MKFILE, err);
	if (tfd < 0)
		return tfd;
	ret = mount_fd_attach(mfd, tfd, err);
	if (ret == 0)
		ret = mount_fd_setattr(mfd, 0, 0, o->propagation_recursive,
				     o->propagation, err);
	return ret;
}

static int mount_remount(const struct mounts_ctx *ctx,
			 const struct spec_mount *m, const struct mount_opts *o,
			 struct berr *err)
{
	cleanup_close int tfd = pathres_open(ctx->rootfd, m->destination,
					     PATHRES_NOCREATE, err);
	int ret;

	if (tfd < 0)
		return tfd;
	ret = mount_fd_setattr(tfd, o->rattr_set, o->rattr_clr, true, 0, err);
	if (ret == 0)
		ret = mount_fd_setattr(tfd, o->attr_set, o->attr_clr, false,
				     o->propagation, err);
	return ret;
}

static int refuse_symlink(int rootfd, const char *dest, struct berr *err)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS,
	};
	const char *rel = dest;
	int fd;

	while (*rel == '/')
		rel++;
	fd = sys_openat2(rootfd, *rel ? rel : ".", &how);
	if (fd >= 0) {
		struct stat st;
		int ret = fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode) ? -ENOTDIR : 0;

		close(fd);
		if (ret < 0)
			return berr_fail(err, ENOTDIR, "destination %s is not a directory", dest);
		return 0;
	}
	if (errno == ELOOP)
		return berr_fail(err, ELOOP, "destination %s is a symlink", dest);
	return 0;
}

static int mount_fs(const struct mounts_ctx *ctx, const struct spec_mount *m,
		    const struct mount_opts *o, struct berr *err)
{
	cleanup_close int tfd = -1;
	cleanup_close int mfd = -1;
	int ret;

	/* proc and sysfs go only on real directories: a symlink there would
	 * move them (and the masks meant for them) elsewhere, the
	 * CVE-2019-19921 class. */
	if (!strcmp(m->type, "proc") || !strcmp(m->type, "sysfs")) {
		ret = refuse_symlink(ctx->rootfd, m->destination, err);
		if (ret < 0)
			return ret;
	}
	tfd = pathres_open(ctx->rootfd, m->destination, PATHRES_MKDIR, err);
	if (tfd < 0)
		return tfd;
	mfd = mount_fd_new_fs(m->type, m->source, o->data, o->n_data,
			    o->attr_set, err);
	if (mfd < 0)
		return mfd;
	if (o->tmpcopyup) {
		/* Fill the new tmpfs from what it is about to hide, while it
		 * is still detached and nobody else can see it. */
		ret = copyup_tree(ctx->rootfd, m->destination, mfd, err);
		if (ret < 0)
			return ret;
	}
	ret = mount_fd_attach(mfd, tfd, err);
	if (ret == 0)
		ret = mount_fd_setattr(mfd, 0, 0, o->propagation_recursive,
				     o->propagation, err);
	return ret;
}

bool mounts_is_dev(const struct spec_mount *m)
{
	const char *d = m->destination;
	size_t n;

	while (*d == '/')
		d++;
	n = strlen(d);
	while (n && d[n - 1] == '/')
		n--;
	return n == 3 && strncmp(d, "dev", 3) == 0;
}

bool mounts_dev_wants_readonly(const struct spec_mount *m)
{
	const char *data[m->n_options + 1];
	struct mount_opts o = { .data = data };

	if (!mounts_is_dev(m) || mount_opts_parse(m->options, m->n_options, &o, NULL) < 0)
		return false;
	return !o.remount && (o.attr_set & MOUNT_ATTR_RDONLY);
}

int mounts_dev_readonly(int rootfd, struct berr *err)
{
	cleanup_close int fd = pathres_open(rootfd, "/dev", PATHRES_NOCREATE, err);
	int ret;

	if (fd < 0)
		return fd;
	ret = mount_fd_setattr(fd, MOUNT_ATTR_RDONLY, 0, false, 0, err);
	return ret < 0 ? berr_wrap(err, ret, "make /dev read-only") : 0;
}

/* The options of m, with what mounts_apply changes before mounting. */
static int parse_opts(const struct spec_mount *m, struct mount_opts *o, struct berr *err)
{
	int ret = mount_opts_parse(m->options, m->n_options, o, err);

	if (ret == 0 && !o->remount && mounts_is_dev(m))
		o->attr_set &= ~(uint64_t)MOUNT_ATTR_RDONLY;
	return ret;
}

int mounts_bind_open(const struct mounts_ctx *ctx, const struct spec_mount *m)
{
	const char *data[m->n_options + 1];
	struct mount_opts o = { .data = data };
	struct berr ignored = { 0 };
	int fd;

	if (parse_opts(m, &o, &ignored) < 0 || o.remount || o.idmap || !is_bind(m, &o))
		return -1;
	fd = bind_open(ctx, m, &o, &ignored);
	return fd < 0 ? -1 : fd;
}

int mounts_apply(const struct mounts_ctx *ctx, const struct spec_mount *m,
		 struct berr *err)
{
	const char *data[m->n_options + 1];
	struct mount_opts o = { .data = data };
	int ret;

	ret = parse_opts(m, &o, err);
	if (ret < 0)
		goto fail;
	if (o.idmap) {
		ret = berr_fail(err, EOPNOTSUPP, "idmapped mounts are not supported yet");
		goto fail;
	}
	if (o.tmpcopyup && (!m->type || strcmp(m->type, "tmpfs") != 0)) {
		ret = berr_fail(err, 0, "tmpcopyup is only valid for tmpfs mounts");
		goto fail;
	}
	if (o.remount)
		ret = mount_remount(ctx, m, &o, err);
	else if (is_bind(m, &o))
		ret = mount_bind(ctx, m, &o, err);
	else if (!m->type || !*m->type)
		ret = berr_fail(err, 0, "mount has no type and is not a bind mount");
	else if (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0)
		ret = cgroup_mount(ctx->rootfd, m->destination,
				   strcmp(m->type, "cgroup2") == 0, ctx->cgroupns,
				   o.attr_set, err);
	else
		ret = mount_fs(ctx, m, &o, err);
	if (ret == 0)
		return 0;
fail:
	return berr_wrap(err, ret, "mount %s on %s",
			 m->type ? m->type : (m->source ? m->source : "none"),
			 m->destination);
}
