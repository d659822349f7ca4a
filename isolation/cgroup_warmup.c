/* See cgroup_warmup in cgroup.h.  The target is found by plain parsing
 * (cgroup_hier.c), not through libcgroup, whose process-wide tables are
 * large: a long-lived daemon that looks it up keeps its small footprint. */
#include "isolation/cgroup.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "isolation/cgroup_hier.h"

int cgroup_warmup_target(char **procs, struct berr *err)
{
	struct cgroup_hier h[CGROUP_HIER_MAX];
	char own[4096];
	size_t n;
	int ret;

	*procs = NULL;
	ret = cgroup_hier_read(h, &n, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		/* Any v1 hierarchy with a controller: the wait is global. */
		if (h[i].v2 || !h[i].controllers[0] || !strncmp(h[i].controllers, "name=", 5))
			continue;
		ret = cgroup_hier_own_path(&h[i], own, sizeof(own), err);
		if (ret < 0)
			return ret;
		if (asprintf(procs, "%s%s/cgroup.procs", h[i].mountpoint,
			     strcmp(own, "/") ? own : "") < 0)
			return berr_set(err, ENOMEM, "cgroup");
		return 0;
	}
	return 0;
}

void cgroup_warmup(const char *procs)
{
	int fd = open(procs, O_WRONLY | O_CLOEXEC);

	/* "0" is the writer itself: it stays where it is. */
	if (fd >= 0) {
		if (write(fd, "0", 1) < 0) {
			/* a lost head start, nothing more */
		}
		close(fd);
	}
}
