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

/* A new filesystem of TYPE, configured with the "k"/"k=v" options in
 * data and mounted detached with MOUNT_ATTR_* attr.  Returns the mount fd. */
int mounts_fs_new(const char *type, const char *source,
		  const char *const *data, size_t n_data, uint64_t attr,
		  struct berr *err);

/* Attach a detached mount onto the O_PATH fd targetfd. */
int mounts_attach(int mntfd, int targetfd, struct berr *err);

/* Bind SOURCE (relative to srcdirfd; "" for srcdirfd itself) onto the fd
 * TARGETFD, recursive or not, with attributes (MOUNT_ATTR_*) set on the
 * copy before it is attached (on the whole copy when recursive). */
int mounts_bind_fd(int srcdirfd, const char *source, int targetfd,
		   bool recursive, uint64_t attr_set, struct berr *err);

/* Set MOUNT_ATTR_* on the mount at fd (AT_RECURSIVE when recursive). */
int mounts_setattr(int fd, uint64_t set, uint64_t clr, bool recursive,
		   uint64_t propagation, struct berr *err);

#endif
