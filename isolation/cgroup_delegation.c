/* Whether a caller without root has a cgroup v2 subtree of its own. */
#include "isolation/cgroup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "isolation/cgroup_dir.h"
#include "isolation/cgroup_hier.h"
#include "spec/base/cleanup.h"

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

/* The leaf a delegated caller moves itself into when it is alone in its
 * cgroup (see cgroup_delegated_base). */
#define CALLER_LEAF "berth-caller"

/* Whether the caller may make and fill cgroups below dir and give them
 * controllers: what systemd's Delegate= hands over. */
static bool delegated_dir(const char *dir)
{
	char procs[4300], ctl[4300];

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	snprintf(ctl, sizeof(ctl), "%s/cgroup.subtree_control", dir);
	return access(dir, W_OK) == 0 && access(procs, W_OK) == 0 && access(ctl, W_OK) == 0;
}

/* Move this process into dir/CALLER_LEAF, made if missing. */
static int enter_leaf(const char *dir, struct berr *err)
{
	char leaf[4300];

	snprintf(leaf, sizeof(leaf), "%s/" CALLER_LEAF, dir);
	if (mkdir(leaf, 0755) < 0 && errno != EEXIST)
		return berr_sys(err, "create cgroup %s", leaf);
	return cgroup_dir_enter(leaf, getpid(), err);
}

int cgroup_delegated_base(char *base, size_t size, struct berr *err)
{
	const struct cgroup_hier v2 = { .v2 = true };
	cleanup_free pid_t *pids = NULL, *parent_pids = NULL;
	char own[4096], dir[4200], parent[4200], *slash;
	size_t n = 0, n_parent = 0;
	struct berr ignored;
	int ret;

	ret = cgroup_hier_own_path(&v2, own, sizeof(own), err);
	if (ret < 0)
		return ret;
	snprintf(dir, sizeof(dir), "/sys/fs/cgroup%s", strcmp(own, "/") ? own : "");
	ret = cgroup_dir_pids(dir, &pids, &n, err);
	if (ret < 0)
		return ret;
	snprintf(base, size, "%s", own);
	/* Alone in its cgroup (as under systemd-run --scope): the caller
	 * steps into a leaf of it, which empties it for the containers. */
	if (n == 1 && pids[0] == getpid())
		return enter_leaf(dir, err);
	/* Others (the user's shell) share it, and only they may move
	 * themselves: the containers go beside it, under its parent, when
	 * that is the caller's too and holds no process (systemd's
	 * user@.service with the shell in a scope below it). */
	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (strcmp(own, "/") == 0 || !slash)
		return 0;
	*slash = '\0';
	if (!delegated_dir(parent) ||
	    cgroup_dir_pids(parent, &parent_pids, &n_parent, &ignored) < 0 || n_parent)
		return 0;
	*strrchr(own, '/') = '\0';
	snprintf(base, size, "%s", own[0] ? own : "/");
	return 0;
}
