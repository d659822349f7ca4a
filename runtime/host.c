/* The host's processes, fd passing and loopback for supervisors outside
 * the library (host.h). */
#include "runtime/host.h"

#include <fcntl.h>

#include "isolation/fdpass.h"
#include "isolation/loopback.h"
#include "isolation/proc.h"
#include "isolation/syscalls.h"
#include "runtime/runtime.h"

int rt_proc_start_time(pid_t pid, uint64_t *start_time)
{
	return proc_stat(pid, start_time, NULL);
}

bool rt_proc_alive(pid_t pid, uint64_t start_time)
{
	return proc_alive(pid, start_time);
}

int rt_proc_pidfd(pid_t pid, uint64_t start_time, struct berr *err)
{
	return proc_pidfd(pid, start_time, err);
}

int rt_child_pidfd(pid_t pid)
{
	return sys_pidfd_open(pid, 0);
}

int rt_proc_signal(int pidfd, int sig, struct berr *err)
{
	return proc_signal(pidfd, sig, err);
}

int rt_proc_wait_exit(int pidfd, int timeout_ms)
{
	return proc_wait_exit(pidfd, timeout_ms);
}

int rt_fd_send(int sock, const void *data, size_t len, int fd, struct berr *err)
{
	return fdpass_send(sock, data, len, fd, err);
}

long rt_fd_recv(int sock, void *data, size_t len, int *fd, struct berr *err)
{
	return fdpass_recv(sock, data, len, fd, err);
}

int rt_loopback_up(pid_t pid, struct berr *err)
{
	return rt_rootless() ? loopback_up_in_child(pid, err) : loopback_up(pid, err);
}

int rt_open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)flags | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	return sys_openat2(rootfd, path, &how);
}
