#include "isolation/cgroup_hier.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isolation/mountinfo.h"
#include "spec/base/cleanup.h"

/* Keep the controller and name= options of a v1 superblock. */
static void controllers_of(char *superopts, char *out, size_t size)
{
	char *save = NULL, *opt;

	out[0] = '\0';
	for (opt = strtok_r(superopts, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		if (!strcmp(opt, "rw") || !strcmp(opt, "ro") || !strcmp(opt, "xattr") ||
		    !strcmp(opt, "noprefix") || !strcmp(opt, "clone_children") ||
		    !strcmp(opt, "cpuset_v2_mode") || !strncmp(opt, "release_agent=", 14))
			continue;
		if (out[0])
			strncat(out, ",", size - strlen(out) - 1);
		strncat(out, opt, size - strlen(out) - 1);
	}
}

int cgroup_hier_read(struct cgroup_hier *h, size_t *n, struct berr *err)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;

	*n = 0;
	if (!f)
		return berr_sys(err, "open /proc/self/mountinfo");
	while (getline(&line, &cap, f) > 0 && *n < CGROUP_HIER_MAX) {
		struct mountinfo_entry e;

		if (!mountinfo_split(line, &e))
			continue;
		if (strncmp(e.mountpoint, "/sys/fs/cgroup", 14) != 0)
			continue;
		if (strcmp(e.fstype, "cgroup2") && strcmp(e.fstype, "cgroup"))
			continue;
		snprintf(h[*n].mountpoint, sizeof(h[*n].mountpoint), "%s", e.mountpoint);
		h[*n].v2 = strcmp(e.fstype, "cgroup2") == 0;
		if (h[*n].v2)
			h[*n].controllers[0] = '\0';
		else
			controllers_of(e.superopts, h[*n].controllers, sizeof(h[*n].controllers));
		(*n)++;
	}
	return 0;
}

int cgroup_hier_own_path(const struct cgroup_hier *h, char *out, size_t size,
			 struct berr *err)
{
	cleanup_fclose FILE *f = fopen("/proc/self/cgroup", "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;

	if (!f)
		return berr_sys(err, "open /proc/self/cgroup");
	while (getline(&line, &cap, f) > 0) {
		char *ctrl = strchr(line, ':');
		char *path = ctrl ? strchr(ctrl + 1, ':') : NULL;

		if (!path)
			continue;
		*path++ = '\0';
		*ctrl++ = '\0';
		path[strcspn(path, "\n")] = '\0';
		if ((h->v2 && strcmp(line, "0") == 0 && !*ctrl) ||
		    (!h->v2 && strcmp(ctrl, h->controllers) == 0)) {
			snprintf(out, size, "%s", path);
			return 0;
		}
	}
	return berr_fail(err, ENOENT, "no entry for %s in /proc/self/cgroup",
			h->v2 ? "cgroup2" : h->controllers);
}
