/* The environment a container's process gets, as runc makes it. */
#ifndef BERTH_ISOLATION_PROCESS_ENV_H
#define BERTH_ISOLATION_PROCESS_ENV_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "spec/base/err.h"

/* Each key once, with its last value, where it first appeared; then
 * HOME, when missing or empty, from passwd (an open file of the
 * container's /etc/passwd, or NULL) for uid, "/" when uid is not there.
 * *out (strings borrowed from env, or made here) is one malloc'd block
 * with *n_out entries and a NULL after them. */
int process_env_final(const char *const *env, size_t n, uid_t uid, FILE *passwd,
		      const char ***out, size_t *n_out, struct berr *err);

/* The container's /etc/passwd (under the current root), or NULL when it
 * is missing or not a regular file: a FIFO planted there must not block
 * the runtime. */
FILE *process_open_passwd(void);

#endif
