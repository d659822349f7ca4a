/* Facts about host processes from /proc and pidfds. */
#ifndef BERTH_ISOLATION_PROC_H
#define BERTH_ISOLATION_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/base/err.h"

/* The start time of pid (field 22 of /proc/PID/stat) and whether it is a
 * zombie.  Returns -ESRCH when there is no such process. */
int proc_stat(pid_t pid, uint64_t *start_time, bool *zombie);

/* Is the process that had this pid at this start time still running (not
 * a zombie)?  A pid reused by another process counts as gone. */
bool proc_alive(pid_t pid, uint64_t start_time);

/* A pidfd for pid, checked against start_time so that a reused pid is
 * never signalled.  -ESRCH when gone. */
int proc_pidfd(pid_t pid, uint64_t start_time, struct berr *err);

/* Send sig through a pidfd. */
int proc_signal(int pidfd, int sig, struct berr *err);

/* Wait until the process behind pidfd has exited (not reaped: it may
 * belong to another parent). timeout_ms < 0 waits forever. */
int proc_wait_exit(int pidfd, int timeout_ms);

/* Every process in the pid namespace whose init is pid, as the host's
 * /proc shows them (malloc'd; the init first).  -ENOTSUP when pid shares
 * the caller's pid namespace: then they cannot be told apart. */
int proc_pidns_members(pid_t init, pid_t **pids, size_t *n, struct berr *err);

#endif
