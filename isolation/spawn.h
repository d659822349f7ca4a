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

/* The same as a vfork: the child runs fn(arg) on stack (size bytes of the
 * caller's memory, not in use by the caller) in the caller's memory, and the caller sleeps until
 * the child has called execve or exited.  No page table is copied and
 * neither side takes copy-on-write faults, which is most of what a fork
 * of a runtime costs.  *pid is written (in that shared memory) before
 * the child runs, as the caller's pid namespace counts it, so the child
 * can report its own pid.  fn must end in execve or _exit, and the child
 * must not enter a user or time namespace (the kernel refuses both to a
 * process that shares its memory).  Returns the pid, or a negative errno
 * and no child. */
pid_t spawn_sibling_vfork(int (*fn)(void *), void *arg, void *stack, size_t size,
			  pid_t *pid, struct berr *err);

#endif
