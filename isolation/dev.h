/* /dev inside the container: the standard devices, the symlinks programs
 * expect, and linux.devices. */
#ifndef BERTH_ISOLATION_DEV_H
#define BERTH_ISOLATION_DEV_H

#include <stdbool.h>
#include <stddef.h>

#include "spec/config.h"
#include "spec/base/err.h"

/* Create null, zero, full, random, urandom and tty (unless devices
 * overrides them), the symlinks fd, stdin, stdout, stderr, ptmx and core,
 * then every device in devices.  In a user namespace mknod is not
 * allowed, so the host's device node is bind-mounted instead. */
int dev_setup(int rootfd, const struct spec_device *devices, size_t n,
	      bool userns, struct berr *err);

/* Create one device node at d->path under rootfd. */
int dev_create(int rootfd, const struct spec_device *d, bool userns,
	       struct berr *err);

#endif
