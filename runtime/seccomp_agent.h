/* Handing a seccomp notification fd to the agent at
 * linux.seccomp.listenerPath, as the runtime-spec describes: one
 * connection, the container process state as JSON with the fd in
 * SCM_RIGHTS on the first sendmsg, then close. */
#ifndef BERTH_RUNTIME_SECCOMP_AGENT_H
#define BERTH_RUNTIME_SECCOMP_AGENT_H

#include <sys/types.h>

#include "spec/config.h"
#include "spec/base/err.h"
#include "spec/state.h"

/* pid: the process whose filter the listener belongs to (host view). */
int seccomp_agent_send(const struct spec_seccomp *s, const struct spec_state *state,
		       pid_t pid, int listener, struct berr *err);

/* At create: the agent's socket must be there when a rule notifies, so
 * that a missing agent fails the create and not the start.  An agent
 * that died and left its socket file is found at start (connection
 * refused): berth installs the filter, and so reaches the agent, then. */
int seccomp_agent_check(const struct spec_seccomp *s, struct berr *err);

#endif
