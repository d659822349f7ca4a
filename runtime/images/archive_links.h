/* Symlinks between the members of an image archive.  docker save writes a
 * layer that several images share once and makes the other images'
 * layer.tar a relative symlink to it; `docker load` follows them.  The
 * outer archive is unpacked with regular files only, so such a link
 * becomes a hard link to the member it names, after every member is out:
 * a link that leaves the archive (absolute, or ".." above its root) or
 * names no member is refused. */
#ifndef BERTH_IMAGES_ARCHIVE_LINKS_H
#define BERTH_IMAGES_ARCHIVE_LINKS_H

#include <stddef.h>

#include "spec/base/err.h"

struct archive_links {
	char **from, **to; /* clean relative paths inside the archive */
	size_t n;
};

/* Record the symlink at rel (a clean path) with its target; the target is
 * resolved against rel's directory and must stay inside the archive. */
int archive_links_add(struct archive_links *l, const char *rel, const char *target,
		      struct berr *err);

/* Make every recorded link a hard link to its member, inside dir. */
int archive_links_apply(const struct archive_links *l, const char *dir, struct berr *err);

void archive_links_free(struct archive_links *l);

#endif
