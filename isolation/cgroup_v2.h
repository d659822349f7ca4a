/* cgroup v2: one directory per container in the unified tree. */
#ifndef BERTH_ISOLATION_CGROUP_V2_H
#define BERTH_ISOLATION_CGROUP_V2_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "spec/config.h"
#include "spec/err.h"

/* mkdir -p dir below mnt; *created gets the shallowest new directory
 * (NULL when dir already existed: then it is refused, a container needs a
 * cgroup of its own). */
int cgroup_v2_create(const char *dir, const char *mnt, char **created,
		     struct berr *err);

/* Write res into dir, enabling the controllers it needs in every parent
 * up to mnt.  hybrid: the tree lacks the v1 controllers, say so. */
int cgroup_v2_apply(const char *dir, const char *mnt,
		    const struct spec_resources *res, bool hybrid,
		    struct berr *err);

int cgroup_v2_enter(const char *dir, pid_t pid, struct berr *err);
int cgroup_v2_pids(const char *dir, pid_t **pids, size_t *n, struct berr *err);
int cgroup_v2_signal_all(const char *dir, int sig, struct berr *err);

/* Kill what is left, wait for the cgroup to empty, rmdir it and its empty
 * parents up to and including created. */
int cgroup_v2_destroy(const char *dir, const char *created, struct berr *err);

#endif
