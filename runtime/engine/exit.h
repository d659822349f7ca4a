/* The exit file: the shim records how its container's process (or an exec
 * session's) ended, and berthd reads it when it hears of the end, or on
 * its next start when it was down then. */
#ifndef BERTH_ENGINE_EXIT_H
#define BERTH_ENGINE_EXIT_H

#include <stdbool.h>
#include <stdint.h>

#include "spec/base/err.h"

struct daemon_exit {
	int code;           /* as docker reports it: 128 + signal when killed */
	int signal;         /* 0 when the process exited by itself */
	char finished[48];  /* RFC 3339; "" when not recorded */
	uint64_t oom_kills; /* the container's cgroup's count at the end */
};

int daemon_exit_write(const char *path, const struct daemon_exit *x, struct berr *err);

/* Read an exit file; -ENOENT when there is none (the process has not
 * ended, or its shim died first).  A file without a code is -EINVAL.  A
 * shim that an older berthd started outlives the upgrade and writes the
 * old key=value form: that is read too. */
int daemon_exit_read(const char *path, struct daemon_exit *x, struct berr *err);

#endif
