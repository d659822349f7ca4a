/* Small file helpers every room may use. */
#ifndef BERTH_BASE_FSUTIL_H
#define BERTH_BASE_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "spec/base/err.h"

/* Write value to DIR/NAME (relative to dirfd).  err may be NULL when the
 * caller only wants the result.  Returns 0 or -errno. */
int fsutil_write_at(int dirfd, const char *dir, const char *name,
		    const char *value, struct berr *err);

/* Read up to size-1 bytes of DIR/NAME, NUL-terminated; returns the
 * length or -errno. */
ssize_t fsutil_read_at(int dirfd, const char *dir, const char *name,
		       char *buf, size_t size);

/* Read everything fd holds until end of file (malloc'd, NUL-terminated);
 * what names it in an error. */
int fsutil_read_fd(int fd, const char *what, char **out, size_t *len, struct berr *err);

/* Read a whole file (malloc'd, NUL-terminated). */
int fsutil_read_file(const char *path, char **out, size_t *len,
		     struct berr *err);

/* Replace PATH atomically: write a temporary file beside it, then rename. */
int fsutil_write_atomic(const char *path, const char *data, size_t len,
			mode_t mode, struct berr *err);

/* The same, with the new content on disk before its name replaces the
 * old (fdatasync, then rename): after a crash of the machine the file is
 * the old one or the new one, whole, never empty or torn. */
int fsutil_write_atomic_synced(const char *path, const char *data, size_t len,
			       mode_t mode, struct berr *err);

/* Make PATH and its name in its directory durable (fsync both), for a
 * file whose old content is gone once it is replaced. */
int fsutil_sync_path(const char *path, struct berr *err);

#endif
