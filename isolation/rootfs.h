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

/* No mount namespace: bind the rootfs onto itself in the caller's mount
 * namespace and make that bind private (recursively), leaving the
 * caller's own mounts as they are.  Returns an O_PATH fd of it. */
int rootfs_prepare_in_place(const char *rootfs, struct berr *err);

/* Is rootfs the caller's own root directory (its root mount, not a bind
 * of it elsewhere)?  A path lookup of it never reaches a mount stacked
 * on it, so rootfs_prepare_in_place cannot work there. */
bool rootfs_is_caller_root(const char *rootfs);

/* The id of the mount fd is on (statx's stx_mnt_id). */
int rootfs_mount_id(int fd, int *id, struct berr *err);

/* Detach the rootfs bind made by rootfs_prepare_in_place, with all that
 * was mounted below it, if the mount on top of rootfs is still the one
 * with this id; anything else is left alone. */
int rootfs_release(const char *rootfs, int id, struct berr *err);

/* Make rootfd the process's root with chroot alone: without a mount
 * namespace there is no root of the container's own to pivot. */
int rootfs_chroot(int rootfd, struct berr *err);

/* After everything is mounted: read-only root, and shared propagation if
 * the config asked for it. */
int rootfs_finish(bool readonly, unsigned long propagation, struct berr *err);

#endif
