/* Mounts through file descriptors (the new mount API): a mount is built
 * detached, given its attributes, then attached onto a target fd in one
 * step, so it is never visible with the wrong flags. */
#ifndef BERTH_ISOLATION_MOUNT_FD_H
#define BERTH_ISOLATION_MOUNT_FD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/base/err.h"

/* A new filesystem of TYPE, configured with the "k"/"k=v" options in
 * data and mounted detached with MOUNT_ATTR_* attr.  Returns the mount fd. */
int mount_fd_new_fs(const char *type, const char *source,
		    const char *const *data, size_t n_data, uint64_t attr,
		    struct berr *err);

/* Attach a detached mount onto the O_PATH fd targetfd. */
int mount_fd_attach(int mntfd, int targetfd, struct berr *err);

/* Bind SOURCE (relative to srcdirfd; "" for srcdirfd itself) onto the fd
 * TARGETFD, recursive or not, with attributes (MOUNT_ATTR_*) set on the
 * copy before it is attached (on the whole copy when recursive). */
int mount_fd_bind(int srcdirfd, const char *source, int targetfd,
		  bool recursive, uint64_t attr_set, struct berr *err);

/* Set MOUNT_ATTR_* on the mount at fd (AT_RECURSIVE when recursive). */
int mount_fd_setattr(int fd, uint64_t set, uint64_t clr, bool recursive,
		     uint64_t propagation, struct berr *err);

#endif
