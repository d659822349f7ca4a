/* Archives berthd streams out of its store and containers: a running
 * helper process whose stdout is the archive, read by the caller while it
 * runs, then waited for. */
#ifndef BERTH_ENGINE_ARCHIVE_H
#define BERTH_ENGINE_ARCHIVE_H

#include <stddef.h>
#include <sys/types.h>

#include "runtime/engine/engine.h"

struct daemon_archive {
	int fd;    /* read the archive here */
	int errfd; /* the helper's error line */
	pid_t pid;
};

/* docker save: the images refs names, through the unpack helper. */
int daemon_archive_save(struct daemon *d, char *const *refs, size_t n,
			struct daemon_archive *out, struct berr *err);

/* docker export: a container's files (its writable layer on its image's
 * layers), through the unpack helper. */
int daemon_archive_export(struct daemon *d, const char *ref, struct daemon_archive *out,
			  struct berr *err);

/* Close the archive's fds, wait for the helper and say how it ended. */
int daemon_archive_end(struct daemon_archive *a, struct berr *err);

#endif
