/* A container's cgroup, behind one interface whatever the host's layout.
 *
 * The host may be unified (cgroup v2 only), hybrid (v1 controllers plus a
 * v2 tree) or legacy (v1 only).  The container's cgroup path is resolved
 * per hierarchy: an absolute cgroupsPath is taken from each hierarchy's
 * root, a relative one from the caller's own cgroup there (as runc does),
 * so that tests and nested callers keep their containers below themselves. */
#ifndef BERTH_ISOLATION_CGROUP_H
#define BERTH_ISOLATION_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "spec/config.h"
#include "spec/err.h"

enum cgroup_layout {
	CGROUP_UNIFIED, /* cgroup2 at the cgroup root */
	CGROUP_HYBRID,  /* v1 controllers plus cgroup2 at <root>/unified */
	CGROUP_LEGACY,  /* v1 only */
};

struct cgroup {
	enum cgroup_layout layout;
	/* The path as the container asked for it (cgroupsPath, or the
	 * default), before per-hierarchy resolution. */
	char *spec_path;
	/* The container's directory in the v2 tree, or NULL when the host
	 * has none. */
	char *v2_dir;
	/* The shallowest directory berth created in the v2 tree: delete
	 * removes the empty directories up to it, and nothing above. */
	char *v2_created;
};

/* What the host's layout is. */
int cgroup_detect_layout(enum cgroup_layout *layout, struct berr *err);

/* The path a container gets when its config says cgroupsPath (maybe NULL
 * or empty): the default is /berth/<id>.  Rejects ".." components. */
int cgroup_spec_path(const char *cgroups_path, const char *id, char **out,
		     struct berr *err);

/* Create the container's cgroup(s) and apply res (may be NULL).  On
 * failure nothing created is left behind. */
int cgroup_create(struct cgroup *cg, const char *spec_path,
		  const struct spec_resources *res, struct berr *err);

/* An fd on the v2 directory for clone3(CLONE_INTO_CGROUP), or -1 with no
 * error when there is no v2 tree. */
int cgroup_open_v2(const struct cgroup *cg, struct berr *err);

/* Put pid into the container's cgroups (every hierarchy). */
int cgroup_enter(const struct cgroup *cg, pid_t pid, struct berr *err);

/* The pids in the container's cgroup (all processes), malloc'd. */
int cgroup_pids(const struct cgroup *cg, pid_t **pids, size_t *n,
		struct berr *err);

/* Send sig to every process of the container. */
int cgroup_signal_all(const struct cgroup *cg, int sig, struct berr *err);

/* Kill every process, wait until the cgroup is empty, remove it and the
 * empty parents berth created.  A cgroup already gone is not an error. */
int cgroup_destroy(struct cgroup *cg, struct berr *err);

/* What the state store keeps of a cgroup between commands: a text of
 * "key=value" lines, owned by this module (malloc'd). */
char *cgroup_serialize(const struct cgroup *cg);
int cgroup_deserialize(struct cgroup *cg, const char *text, struct berr *err);

void cgroup_release(struct cgroup *cg);

#endif
