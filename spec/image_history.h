/* The "history" of an OCI image config: one entry per build step, oldest
 * first; an entry with empty_layer made no layer (ENV, CMD, ...), the
 * others match rootfs.diff_ids in order. */
#ifndef BERTH_SPEC_IMAGE_HISTORY_H
#define BERTH_SPEC_IMAGE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "spec/base/arena.h"
#include "spec/base/err.h"

struct spec_image_history {
	const char *created, *created_by, *author, *comment;
	bool empty_layer;
};

/* *n is 0 when the config has no history. */
int spec_image_history_parse(const char *json, size_t len, struct arena *a,
			     struct spec_image_history **out, size_t *n, struct berr *err);

#endif
