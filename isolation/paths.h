/* linux.maskedPaths and linux.readonlyPaths, applied inside the new root. */
#ifndef BERTH_ISOLATION_PATHS_H
#define BERTH_ISOLATION_PATHS_H

#include <stddef.h>

#include "spec/base/err.h"

/* Hide each path: a directory under an empty read-only tmpfs, anything
 * else under the container's /dev/null.  Missing paths are skipped. */
int paths_mask(int rootfd, const char *const *paths, size_t n, struct berr *err);

/* Make each path (and what is mounted below it) read-only. */
int paths_readonly(int rootfd, const char *const *paths, size_t n,
		   struct berr *err);

#endif
