#include "isolation/spawn.h"

#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "isolation/syscalls.h"

static long clone_into(uint64_t flags, int cgroup_fd, int *pidfd)
{
	struct clone_args args;

	memset(&args, 0, sizeof(args));
	args.flags = flags;
	args.exit_signal = SIGCHLD;
	if (pidfd) {
		args.flags |= CLONE_PIDFD;
		args.pidfd = (uint64_t)(uintptr_t)pidfd;
	}
	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
	}
	return sys_clone3(&args);
}

/* What an older kernel says to CLONE_INTO_CGROUP (before any child). */
static bool no_clone_into_cgroup(int errnum)
{
	return errnum == EINVAL || errnum == E2BIG || errnum == EOPNOTSUPP;
}

pid_t spawn_process_into(uint64_t flags, int cgroup_fd, int *pidfd,
			 struct berr *err)
{
	long pid = clone_into(flags, cgroup_fd, pidfd);

	if (pid < 0 && no_clone_into_cgroup(errno))
		return berr_set(err, EOPNOTSUPP, "clone3 into a cgroup");
	if (pid < 0)
		return berr_sys(err, "clone3");
	return (pid_t)pid;
}

pid_t spawn_process(uint64_t flags, int *cgroup_fd, int *pidfd,
		    struct berr *err)
{
	long pid = clone_into(flags, cgroup_fd ? *cgroup_fd : -1, pidfd);

	if (pid < 0 && cgroup_fd && *cgroup_fd >= 0 && no_clone_into_cgroup(errno)) {
		/* An older kernel: the caller writes cgroup.procs instead, and
		 * learns so from the fd it no longer has (closed after the
		 * clone, whose child closes its own copy as it would have). */
		pid = clone_into(flags, -1, pidfd);
		if (pid != 0) {
			close(*cgroup_fd);
			*cgroup_fd = -1;
		}
	}
	if (pid < 0)
		return berr_sys(err, "clone3");
	return (pid_t)pid;
}

pid_t spawn_sibling(int *pidfd, struct berr *err)
{
	struct clone_args args;
	long pid;

	memset(&args, 0, sizeof(args));
	/* With CLONE_PARENT the exit signal is the caller's own (clone3
	 * wants 0 here). */
	args.flags = CLONE_PARENT | CLONE_PIDFD;
	args.pidfd = (uint64_t)(uintptr_t)pidfd;
	pid = sys_clone3(&args);
	if (pid < 0)
		return berr_sys(err, "clone3");
	return (pid_t)pid;
}

pid_t spawn_sibling_vfork(int (*fn)(void *), void *arg, void *stack, size_t size,
			  pid_t *pid, struct berr *err)
{
	/* glibc's clone() gives the child its own stack and calls fn there;
	 * CLONE_PARENT_SETTID writes the pid before the child runs. */
	int ret = clone(fn, (char *)stack + size,
			CLONE_VM | CLONE_VFORK | CLONE_PARENT | CLONE_PARENT_SETTID, arg, pid);

	if (ret < 0)
		return berr_sys(err, "clone");
	return (pid_t)ret;
}
