/* The OCI mounts of a container, made with the new mount API: every mount
 * is built detached (fsopen/fsmount or open_tree), given its attributes
 * there, and attached in one step with move_mount onto a target fd that
 * was resolved inside the root (see pathres.h).  A mount is therefore never
 * visible with the wrong flags, and no path string is trusted. */
#ifndef BERTH_ISOLATION_MOUNTS_H
#define BERTH_ISOLATION_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/config.h"
#include "spec/base/err.h"

struct mounts_ctx {
	int rootfd;          /* O_PATH fd of the container rootfs (bound) */
	const char *bundle;  /* relative bind sources resolve against it */
	bool cgroupns;       /* the container has its own cgroup namespace */
	/* A bind source opened by mounts_bind_open before the user
	 * namespace was entered, or -1: used only when the source cannot be
	 * opened from inside (EACCES, EPERM); closed either way. */
	int bind_fd;
};

/* For a bind mount: its source opened as a detached mount with the
 * mount's attributes set (open_tree), else -1: any other mount, or a
 * failure, which is left for mounts_apply to meet and report.  Called by
 * the parent before the container's user namespace exists, so that
 * sources only the host's root may reach still work. */
int mounts_bind_open(const struct mounts_ctx *ctx, const struct spec_mount *m);

/* Mount m inside the root.  A read-only mount at /dev is made writable:
 * the mount points and device nodes below it come later, and
 * mounts_dev_readonly makes it read-only at the end, as runc does. */
int mounts_apply(const struct mounts_ctx *ctx, const struct spec_mount *m,
		 struct berr *err);

/* Whether m is a mount at /dev that asks to be read-only (the last
 * mount at /dev decides). */
bool mounts_is_dev(const struct spec_mount *m);
bool mounts_dev_wants_readonly(const struct spec_mount *m);

/* Make the mount at /dev of the root rootfd read-only. */
int mounts_dev_readonly(int rootfd, struct berr *err);

#endif
