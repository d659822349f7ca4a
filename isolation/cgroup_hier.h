/* The host's cgroup hierarchies as this process sees them: what is
 * mounted under /sys/fs/cgroup (from /proc/self/mountinfo) and the
 * caller's own cgroup in each (from /proc/self/cgroup).  Plain parsing,
 * no library state: safe in any thread. */
#ifndef BERTH_ISOLATION_CGROUP_HIER_H
#define BERTH_ISOLATION_CGROUP_HIER_H

#include <stdbool.h>
#include <stddef.h>

#include "spec/base/err.h"

struct cgroup_hier {
	char mountpoint[256];
	char controllers[256]; /* "cpu,cpuacct", "name=systemd"; "" for v2 */
	bool v2;
};

#define CGROUP_HIER_MAX 24

/* Fills h (room for CGROUP_HIER_MAX) and *n. */
int cgroup_hier_read(struct cgroup_hier *h, size_t *n, struct berr *err);

/* The caller's own path in hierarchy h ("/" at its root). */
int cgroup_hier_own_path(const struct cgroup_hier *h, char *out, size_t size,
			 struct berr *err);

#endif
