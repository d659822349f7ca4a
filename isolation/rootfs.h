/* The container's root: prepared in its new mount namespace, then made
 * the process's root with pivot_root (or MS_MOVE + chroot). */
#ifndef BERTH_ISOLATION_ROOTFS_H
#define BERTH_ISOLATION_ROOTFS_H

#include <stdbool.h>

#include "spec/base/err.h"

/* Stop mount events from reaching the host (propagation: MS_* | MS_REC
 * from rootfsPropagation, or 0 for the default rslave), then bind the
 * rootfs onto itself so it is a mount point of its own.  Returns an
 * O_PATH fd of it. */
int rootfs_prepare(const char *rootfs, unsigned long propagation,
		   struct berr *err);

/* Make rootfd the root: pivot_root and detach the old root, or with
 * no_pivot move the mount over / and chroot (for ramfs roots). */
int rootfs_enter(int rootfd, bool no_pivot, struct berr *err);

/* After everything is mounted: read-only root, and shared propagation if
 * the config asked for it. */
int rootfs_finish(bool readonly, unsigned long propagation, struct berr *err);

#endif
