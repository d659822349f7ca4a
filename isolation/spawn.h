/* Creating the container's first process: one clone3 that makes the new
 * namespaces and places the child in its cgroup before it runs a single
 * instruction of its own. */
#ifndef BERTH_ISOLATION_SPAWN_H
#define BERTH_ISOLATION_SPAWN_H

#include <stdint.h>
#include <sys/types.h>

#include "spec/base/err.h"

/* Like fork(): returns 0 in the child and the pid in the parent.  flags
 * are CLONE_NEW*; cgroup_fd >= 0 asks for CLONE_INTO_CGROUP (dropped when
 * the kernel cannot: the parent's *cgroup_fd is closed and set to -1, so
 * the caller moves the child itself); *pidfd gets a pidfd of the child
 * when pidfd is not NULL. */
pid_t spawn_process(uint64_t flags, int *cgroup_fd, int *pidfd,
		    struct berr *err);

/* The same with CLONE_INTO_CGROUP required: -EOPNOTSUPP, and no child,
 * when the kernel cannot (the caller may then use spawn_process). */
pid_t spawn_process_into(uint64_t flags, int cgroup_fd, int *pidfd,
			 struct berr *err);

/* Like fork(), but the child is made a child of the caller's parent
 * (CLONE_PARENT), in the pid and time namespaces the caller joined for
 * its children; *pidfd gets a pidfd of it. */
pid_t spawn_sibling(int *pidfd, struct berr *err);

#endif
