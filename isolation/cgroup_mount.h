/* The "cgroup" mount of a container (/sys/fs/cgroup inside it). */
#ifndef BERTH_ISOLATION_CGROUP_MOUNT_H
#define BERTH_ISOLATION_CGROUP_MOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "spec/base/err.h"

/* Mount the container's view of the cgroup tree at DEST under ROOTFD.
 *
 * On a unified host (or when v2_only, type "cgroup2") that is one cgroup2
 * mount; on a hybrid or legacy host it is a tmpfs holding one mount per
 * host hierarchy, as runc lays it out.  With a cgroup namespace each is a
 * fresh cgroup filesystem, whose root the kernel shows as the container's
 * own cgroup; without one, berth binds the container's own cgroup
 * directory instead of exposing the host's whole tree.  attr carries
 * MOUNT_ATTR_* (usually RDONLY) for every mount made. */
int cgroup_mount(int rootfd, const char *dest, bool v2_only, bool cgroupns,
		 uint64_t attr, struct berr *err);

#endif
