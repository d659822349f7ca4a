/* Archives berthd streams out of its store and containers: a running
 * helper process whose stdout is the archive, read by the caller while it
 * runs, then waited for. */
#ifndef BERTH_ENGINE_ARCHIVE_H
#define BERTH_ENGINE_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "runtime/engine/engine.h"

struct daemon_archive {
	int fd;    /* read the archive here */
	int errfd; /* the helper's error line */
	pid_t pid;
	/* A stopped container whose root the helper mounts is held busy
	 * (a start waits) until the end. */
	struct daemon *d;
	struct daemon_container *held;
};

/* docker save: the images refs names, through the unpack helper. */
int daemon_archive_save(struct daemon *d, char *const *refs, size_t n,
			struct daemon_archive *out, struct berr *err);

/* docker export: a container's files (its writable layer on its image's
 * layers), through the unpack helper. */
int daemon_archive_export(struct daemon *d, const char *ref, struct daemon_archive *out,
			  struct berr *err);

/* docker cp: mode "cp-stat" (the path's stat as one JSON line),
 * "cp-out" (the path as a tar) or "cp-in" (file, a tar, extracted into
 * the directory path), in the container's root (tree_copy.h). */
struct daemon_cp {
	const char *mode, *path, *file;
	bool keep_owner, no_replace_dir;
};

int daemon_archive_cp(struct daemon *d, const char *ref, const struct daemon_cp *cp,
		      struct daemon_archive *out, struct berr *err);

/* Run a helper at path with argv, in (when >= 0) as its stdin. */
int daemon_archive_spawn(const char *path, const char *const *argv, int in,
			 struct daemon_archive *out, struct berr *err);

/* Close the archive's fds, wait for the helper and say how it ended. */
int daemon_archive_end(struct daemon_archive *a, struct berr *err);

#endif
