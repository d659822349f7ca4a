/* docker export: a container's files as one tar.  Its writable layer on
 * top of its image's layers, mounted read-only (overlayfs, with no upper
 * directory: whiteouts and opaque directories apply as they do for the
 * container) in a mount namespace of the caller's own, so that nothing is
 * left mounted on the host whatever happens; then the tree written as a
 * tar with owners, modes, times, symlinks, hard links, devices and
 * extended attributes.  Runs in berthd's unpack helper. */
#ifndef BERTH_IMAGES_TREE_EXPORT_H
#define BERTH_IMAGES_TREE_EXPORT_H

#include <stddef.h>

#include "spec/base/err.h"

/* diff_ids bottom first; upper is the container's writable layer.  The
 * calling process enters a new mount namespace. */
int tree_export(const char *data_root, const char *upper, char *const *diff_ids, size_t n,
		int fd, struct berr *err);

/* Write the tree at dir as a tar to fd (names relative, no "./"). */
int tree_export_dir(const char *dir, int fd, struct berr *err);

/* The same for the entry name of dir (and what it holds), named so. */
int tree_export_path(const char *dir, const char *name, int fd, struct berr *err);

#endif
