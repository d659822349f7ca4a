/* The options of an OCI mount, sorted into what the new mount API wants:
 * mount attributes (per mount, maybe recursive), propagation, superblock
 * flags and the filesystem's own options. */
#ifndef BERTH_ISOLATION_MOUNT_OPTS_H
#define BERTH_ISOLATION_MOUNT_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/base/err.h"

struct mount_opts {
	uint64_t attr_set, attr_clr;   /* MOUNT_ATTR_* for the top mount */
	uint64_t rattr_set, rattr_clr; /* MOUNT_ATTR_* for the whole tree (rro...) */
	uint64_t propagation;          /* MS_PRIVATE/MS_SLAVE/MS_SHARED/MS_UNBINDABLE */
	bool propagation_recursive;
	bool bind, rbind, remount, tmpcopyup;
	bool idmap, ridmap;
	/* Options handed to the filesystem: "k" (a flag) or "k=v", plus the
	 * generic superblock flags (sync, dirsync, mand, lazytime, silent). */
	const char **data;
	size_t n_data;
};

/* Sort n options into o.  o->data must point at room for n entries; its
 * strings are the caller's. */
int mount_opts_parse(const char *const *opts, size_t n, struct mount_opts *o,
		     struct berr *err);

#endif
