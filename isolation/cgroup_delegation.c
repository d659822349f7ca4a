/* Whether a caller without root has a cgroup v2 subtree of its own. */
#include "isolation/cgroup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isolation/cgroup_hier.h"

int cgroup_delegated(bool *delegated, char *why, size_t why_size, struct berr *err)
{
	const struct cgroup_hier v2 = { .v2 = true };
	enum cgroup_layout layout;
	char own[4096], dir[4200], procs[4300];
	int ret;

	*delegated = false;
	ret = cgroup_detect_layout(&layout, err);
	if (ret < 0)
		return ret;
	/* On a hybrid or legacy host the controllers live in v1
	 * hierarchies, which nobody delegates to a user. */
	if (layout != CGROUP_UNIFIED) {
		snprintf(why, why_size, "the host's cgroups are not unified cgroup v2");
		return 0;
	}
	ret = cgroup_hier_own_path(&v2, own, sizeof(own), err);
	if (ret < 0)
		return ret;
	snprintf(dir, sizeof(dir), "/sys/fs/cgroup%s", strcmp(own, "/") ? own : "");
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	/* Writing its own cgroup.procs is what moving a process to a child
	 * cgroup takes; the directory, what making that child takes. */
	if (access(dir, W_OK) < 0 || access(procs, W_OK) < 0) {
		snprintf(why, why_size, "its cgroup %s is not delegated to it (not writable)",
			 dir);
		return 0;
	}
	*delegated = true;
	return 0;
}
