/* The runtime-spec's "container process state": what a seccomp agent
 * receives on linux.seccomp.listenerPath along with the notification
 * fd. */
#ifndef BERTH_SPEC_PROCESS_STATE_H
#define BERTH_SPEC_PROCESS_STATE_H

#include <stddef.h>
#include <sys/types.h>

#include "spec/base/err.h"
#include "spec/state.h"

/* {"ociVersion", "fds": [names], "pid", "metadata", "state": {...}},
 * compact, no trailing newline.  pid is the process that installed the
 * filter, as the runtime sees it; metadata may be NULL. */
int spec_process_state_json(const struct spec_state *state, pid_t pid,
			    const char *metadata, const char *const *fds,
			    size_t n_fds, char **out, size_t *len,
			    struct berr *err);

#endif
