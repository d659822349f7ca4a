/* What a supervisor of containers outside this library (berthd and its
 * shim) needs of the host besides the lifecycle itself: the identity of
 * a process (its start time, so that a reused pid is never mistaken for
 * it) and pidfds, fd passing over unix sockets, and a container's
 * loopback interface.  Thin: the mechanisms are isolation/'s. */
#ifndef BERTH_RUNTIME_HOST_H
#define BERTH_RUNTIME_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/base/err.h"

/* The start time of pid (its identity with the pid); -ESRCH when gone. */
int rt_proc_start_time(pid_t pid, uint64_t *start_time);
/* Is the process that had this pid at this start time still running (a
 * zombie is not)? */
bool rt_proc_alive(pid_t pid, uint64_t start_time);
/* A pidfd for pid, checked against start_time; -ESRCH when gone. */
int rt_proc_pidfd(pid_t pid, uint64_t start_time, struct berr *err);
/* A pidfd for a child of the caller (not yet reaped, so the pid is its
 * own); -1 with errno set on failure. */
int rt_child_pidfd(pid_t pid);
int rt_proc_signal(int pidfd, int sig, struct berr *err);
/* Wait until the process behind pidfd has exited (it may belong to
 * another parent); timeout_ms < 0 waits forever.  -ETIMEDOUT. */
int rt_proc_wait_exit(int pidfd, int timeout_ms);

/* One message of data (at least one byte) and, if fd >= 0, one fd; and
 * its receipt (*fd gets a passed fd or -1; returns the bytes read). */
int rt_fd_send(int sock, const void *data, size_t len, int fd, struct berr *err);
long rt_fd_recv(int sock, void *data, size_t len, int *fd, struct berr *err);

/* Open path below rootfd as a process whose root it is would: symlinks,
 * "..", absolute paths resolve inside it, magic links are refused.
 * Returns the fd, or -1 with errno set. */
int rt_open_in_root(int rootfd, const char *path, int flags);

/* Set lo up in the network namespace of pid (a container's init). */
int rt_loopback_up(pid_t pid, struct berr *err);

#endif
