/* docker diff: what a container changed against its image, read from its
 * writable layer (overlayfs' upper directory): a whiteout is a deletion,
 * a path the image's layers have is a modification, any other an
 * addition.  Directories that were copied up to hold a change count as
 * modified, as with dockerd's overlay2. */
#ifndef BERTH_ENGINE_CHANGES_H
#define BERTH_ENGINE_CHANGES_H

#include <stddef.h>

#include "runtime/engine/engine.h"

enum daemon_change_kind { DC_MODIFIED = 0, DC_ADDED = 1, DC_DELETED = 2 };

struct daemon_change {
	char *path; /* absolute, inside the container */
	enum daemon_change_kind kind;
};

/* Sorted by path. */
int daemon_changes(struct daemon *d, const char *ref, struct daemon_change **out, size_t *n,
		   struct berr *err);
void daemon_changes_free(struct daemon_change *c, size_t n);

#endif
