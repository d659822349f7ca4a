/* docker build's COPY and ADD, in berthd's unpack helper: files of the
 * build context copied into the step's root (entered with
 * tree_copy_enter: the image's layers under a fresh upper directory, which
 * the builder then commits as the step's layer).  The context is reached
 * through a directory fd opened before the chroot, every name resolved
 * inside it (openat2 RESOLVE_IN_ROOT), so a symlink in the context cannot
 * lead out; the destination resolves inside the chroot. */
#ifndef BERTH_IMAGES_BUILD_COPY_H
#define BERTH_IMAGES_BUILD_COPY_H

#include <stdbool.h>
#include <stddef.h>

#include "spec/base/err.h"

struct build_copy {
	int ctx;                /* the context directory */
	char *const *srcs;      /* relative to it; * ? [ are globs */
	size_t n_srcs;
	const char *dest;       /* absolute; a trailing / makes it a directory */
	const char *chown;      /* NULL: root; "user[:group]", names or ids */
	const char *inst;       /* COPY or ADD, for messages */
	bool extract;           /* ADD: a local tar archive is extracted */
	bool mkdir;             /* WORKDIR: no sources, dest made (root's, 0755) */
	bool keep_owner;        /* COPY --from: owners kept unless chown */
};

int build_copy_run(const struct build_copy *c, struct berr *err);

/* docker build's context: the tar at in (plain or compressed) extracted
 * into dir, the helper chrooted there first so that nothing of it lands
 * outside. */
int build_context_extract(const char *dir, int in, struct berr *err);

#endif
