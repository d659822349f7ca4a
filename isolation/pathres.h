/* Resolving paths inside a container's root without ever leaving it.
 *
 * Mount targets come from config.json but live in a rootfs the container
 * (or an image) controls: a symlink there must not be able to point a
 * mount at the host (the CVE-2021-30465 class).  Every lookup goes through
 * openat2(RESOLVE_IN_ROOT), so ".." and absolute symlinks stop at the root,
 * and the result is an O_PATH fd, never a string that could be swapped
 * between check and use. */
#ifndef BERTH_ISOLATION_PATHRES_H
#define BERTH_ISOLATION_PATHRES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "spec/base/err.h"

enum pathres_create {
	PATHRES_NOCREATE,
	PATHRES_MKDIR,  /* create missing directories, the last one too */
	PATHRES_MKFILE, /* create missing parents, the last one an empty file */
};

/* Open PATH under ROOTFD as O_PATH|O_CLOEXEC, creating what is missing as
 * asked.  Returns the fd or a negative errno (error set). */
int pathres_open(int rootfd, const char *path, enum pathres_create create,
		 struct berr *err);

/* Open the parent directory of PATH under ROOTFD (creating missing
 * directories) and point *leaf at the last component inside PATH.  For
 * creating files of other kinds (devices, symlinks) with *at calls. */
int pathres_parent(int rootfd, const char *path, char *leaf, size_t leaf_size,
		   struct berr *err);

/* openat2 with RESOLVE_IN_ROOT and the given flags; returns fd or -errno
 * without touching any error struct (callers decide what ENOENT means). */
int pathres_openat(int rootfd, const char *path, int flags, mode_t mode);

#endif
