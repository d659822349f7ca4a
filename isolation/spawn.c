#include "isolation/spawn.h"

#include <signal.h>
#include <string.h>

#include "isolation/syscalls.h"

pid_t spawn_process(uint64_t flags, int *cgroup_fd, int *pidfd,
		    struct berr *err)
{
	struct clone_args args;
	long pid;

	memset(&args, 0, sizeof(args));
	args.flags = flags;
	args.exit_signal = SIGCHLD;
	if (pidfd) {
		args.flags |= CLONE_PIDFD;
		args.pidfd = (uint64_t)(uintptr_t)pidfd;
	}
	if (cgroup_fd && *cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)*cgroup_fd;
	}
	pid = sys_clone3(&args);
	if (pid < 0 && (args.flags & CLONE_INTO_CGROUP) &&
	    (errno == EINVAL || errno == E2BIG || errno == EOPNOTSUPP)) {
		/* An older kernel: the caller writes cgroup.procs instead. */
		args.flags &= ~CLONE_INTO_CGROUP;
		args.cgroup = 0;
		*cgroup_fd = -1;
		pid = sys_clone3(&args);
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
