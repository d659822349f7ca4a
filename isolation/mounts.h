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
};

/* Mount m inside the root. */
int mounts_apply(const struct mounts_ctx *ctx, const struct spec_mount *m,
		 struct berr *err);

#endif
