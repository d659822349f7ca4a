/* cgroup v2: the container's directory in the unified tree. */
#ifndef BERTH_ISOLATION_CGROUP_V2_H
#define BERTH_ISOLATION_CGROUP_V2_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "spec/config.h"
#include "spec/base/err.h"
#include "spec/events.h"

/* The controllers (CGROUP_CTL_* bits) listed in dir/cgroup.controllers. */
unsigned cgroup_v2_controllers(const char *dir);

/* Enable in cgroup.subtree_control of every directory from mnt down to
 * dir's parent the controllers in need, and with all set every one
 * available there (as runc and crun do on a unified host, so that the
 * container's directory has all their files).  A controller in need that
 * cannot be enabled is an error naming the file; others are left as they
 * are. */
int cgroup_v2_enable(const char *dir, const char *mnt, unsigned need, bool all,
		     struct berr *err);

/* Write the fields of res whose controllers are in mask (CGROUP_CTL_*
 * bits) into dir, plus the unified keys when unified is set.  Fields v2
 * has no file for fail with an error that says so. */
int cgroup_v2_apply(const char *dir, const struct spec_resources *res,
		    unsigned mask, bool unified, struct berr *err);

/* SIGKILL through cgroup.kill; -ENOENT when the kernel lacks it. */
int cgroup_v2_kill(const char *dir);

int cgroup_v2_freeze(const char *dir, bool freeze, struct berr *err);
int cgroup_v2_is_frozen(const char *dir, bool *frozen);

/* Wait until no process is left (cgroup.events says so). */
int cgroup_v2_wait_empty(const char *dir, struct berr *err);
bool cgroup_v2_populated(const char *dir);

/* Statistics of the controllers in mask. */
int cgroup_v2_stats(const char *dir, unsigned mask, struct spec_stats *st,
		    struct berr *err);

/* The OOM count of dir/memory.events. */
int cgroup_v2_oom_count(const char *dir, uint64_t *count);

#endif
