/* Bringing up the loopback interface of a container's network namespace
 * (berthd's "none" and "default" networks: loopback only). */
#ifndef BERTH_ISOLATION_LOOPBACK_H
#define BERTH_ISOLATION_LOOPBACK_H

#include <sys/types.h>

#include "spec/base/err.h"

/* Set lo up in the network namespace of pid.  The calling thread joins
 * that namespace for as long as it takes to make a socket there, then
 * returns to its own. */
int loopback_up(pid_t pid, struct berr *err);

/* The same from a child process, for a caller that could not return:
 * root only in a user namespace (rootless berthd) may join a namespace
 * of its own, not go back to the host's. */
int loopback_up_in_child(pid_t pid, struct berr *err);

#endif
