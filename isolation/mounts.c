#include "isolation/mounts.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "isolation/cgroup_mount.h"
#include "isolation/copyup.h"
#include "isolation/mount_opts.h"
#include "isolation/pathres.h"
#include "isolation/syscalls.h"
#include "spec/base/cleanup.h"

int mounts_setattr(int fd, uint64_t set, uint64_t clr, bool recursive,
		   uint64_t propagation, struct berr *err)
{
	struct mount_attr attr = {
		.attr_set = set,
		.attr_clr = clr,
		.propagation = propagation,
	};
	unsigned int flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);

	if (!set && !clr && !propagation)
		return 0;
	if (mount_setattr(fd, "", flags, &attr, sizeof(attr)) < 0)
		return berr_sys(err, "set mount attributes");
	return 0;
}

int mounts_attach(int mntfd, int targetfd, struct berr *err)
{
	if (move_mount(mntfd, "", targetfd, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return berr_sys(err, "attach mount");
	return 0;
}

int mounts_bind_fd(int srcdirfd, const char *source, int targetfd,
		   bool recursive, uint64_t attr_set, struct berr *err)
{
	unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
	cleanup_close int fd = -1;
	int ret;

	if (recursive)
		flags |= AT_RECURSIVE;
	if (!*source)
		flags |= AT_EMPTY_PATH;
	fd = open_tree(srcdirfd, source, flags);
	if (fd < 0)
		return berr_sys(err, "bind %s", *source ? source : "fd");
	ret = mounts_setattr(fd, attr_set, 0, recursive, 0, err);
	if (ret < 0)
		return ret;
	return mounts_attach(fd, targetfd, err);
}

/* The kernel explains a rejected option in the fs context's log. */
static void fs_log(int fsfd, char *buf, size_t size)
{
	ssize_t n = read(fsfd, buf, size - 1);

	if (n <= 2) {
		buf[0] = '\0';
		return;
	}
	if (buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	memmove(buf, buf + 2, (size_t)n - 1); /* drop the "e " prefix */
}

static int fs_config(int fsfd, const char *opt, struct berr *err)
{
	cleanup_free char *key = strdup(opt);
	char *eq, log[256];
	int ret;

	if (!key)
		return berr_sys(err, "option %s", opt);
	eq = strchr(key, '=');
	if (eq) {
		*eq = '\0';
		ret = fsconfig(fsfd, FSCONFIG_SET_STRING, key, eq + 1, 0);
	} else {
		ret = fsconfig(fsfd, FSCONFIG_SET_FLAG, key, NULL, 0);
	}
	if (ret == 0)
		return 0;
	ret = errno;
	fs_log(fsfd, log, sizeof(log));
	if (log[0])
		return berr_set(err, ret, "option %s (%s)", opt, log);
	return berr_set(err, ret, "option %s", opt);
}

/* A new filesystem instance, configured and mounted detached. */
int mounts_fs_new(const char *type, const char *source,
		  const char *const *data, size_t n_data, uint64_t attr,
		  struct berr *err)
{
	cleanup_close int fsfd = -1;
	char log[256];
	int mfd, ret;

	fsfd = fsopen(type, FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return berr_sys(err, "filesystem type %s", type);
	if (source && *source &&
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
		return berr_sys(err, "source %s", source);
	for (size_t i = 0; i < n_data; i++) {
		ret = fs_config(fsfd, data[i], err);
		if (ret < 0)
			return ret;
	}
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		ret = errno;
		fs_log(fsfd, log, sizeof(log));
		if (log[0])
			return berr_set(err, ret, "create %s (%s)", type, log);
		return berr_set(err, ret, "create %s", type);
	}
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned int)attr);
	if (mfd < 0)
		return berr_sys(err, "mount %s", type);
	return mfd;
}

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

static int mount_bind(const struct mounts_ctx *ctx, const struct spec_mount *m,
		      const struct mount_opts *o, struct berr *err)
{
	cleanup_free char *src = NULL;
	cleanup_close int tfd = -1;
	cleanup_close int mfd = -1;
	struct stat st;
	int ret;

	ret = bind_source(ctx, m->source, &src, err);
	if (ret < 0)
		return ret;
	if (stat(src, &st) < 0)
		return berr_sys(err, "bind source %s", src);
	tfd = pathres_open(ctx->rootfd, m->destination,
			   S_ISDIR(st.st_mode) ? PATHRES_MKDIR : PATHRES_MKFILE, err);
	if (tfd < 0)
		return tfd;
	mfd = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
					       (o->rbind ? AT_RECURSIVE : 0));
	if (mfd < 0)
		return berr_sys(err, "bind %s", src);
	/* Recursive attributes first, so that the top mount's own
	 * options (plain "ro" on an rbind) win over them. */
	ret = mounts_setattr(mfd, o->rattr_set, o->rattr_clr, true, 0, err);
	if (ret == 0)
		ret = mounts_setattr(mfd, o->attr_set, o->attr_clr, false, 0, err);
	if (ret == 0)
		ret = mounts_attach(mfd, tfd, err);
	if (ret == 0)
		ret = mounts_setattr(mfd, 0, 0, o->propagation_recursive,
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
	ret = mounts_setattr(tfd, o->rattr_set, o->rattr_clr, true, 0, err);
	if (ret == 0)
		ret = mounts_setattr(tfd, o->attr_set, o->attr_clr, false,
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
	mfd = mounts_fs_new(m->type, m->source, o->data, o->n_data,
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
	ret = mounts_attach(mfd, tfd, err);
	if (ret == 0)
		ret = mounts_setattr(mfd, 0, 0, o->propagation_recursive,
				     o->propagation, err);
	return ret;
}

int mounts_apply(const struct mounts_ctx *ctx, const struct spec_mount *m,
		 struct berr *err)
{
	const char *data[m->n_options + 1];
	struct mount_opts o = { .data = data };
	int ret;

	ret = mount_opts_parse(m->options, m->n_options, &o, err);
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
