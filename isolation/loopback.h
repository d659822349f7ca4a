/* Bringing up the loopback interface of a container's network namespace
 * (berthd's "none" and "default" networks: loopback only). */
#ifndef BERTH_ISOLATION_LOOPBACK_H
#define BERTH_ISOLATION_LOOPBACK_H

#include <sys/types.h>

#include "spec/err.h"

/* Set lo up in the network namespace of pid.  Forks a short-lived child
 * that joins the namespace, so the caller's own namespace never changes;
 * call it from a single-threaded process. */
int loopback_up(pid_t pid, struct berr *err);

#endif
