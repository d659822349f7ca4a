/* berth run by an unprivileged user: what differs from root's path.
 * The user gains nothing: the user namespace maps only its own id (or,
 * through newuidmap/newgidmap, the ranges the host gave it), and berth
 * writes nothing the user could not write. */
#ifndef BERTH_RUNTIME_ROOTLESS_H
#define BERTH_RUNTIME_ROOTLESS_H

#include <stdbool.h>
#include <sys/types.h>

#include "isolation/cgroup.h"
#include "spec/config.h"
#include "spec/base/err.h"

/* Whether the caller is unprivileged (its effective uid is not 0): it
 * writes maps through the helpers, and its child must stay dumpable until
 * they are written.  rt_rootless (runtime.h) is wider. */
bool rootless_caller(void);

/* The container's cgroup for an unprivileged caller.  With a delegated
 * cgroup v2 subtree it gets one there (*path, if it was the default
 * /berth/<id> or relative, becomes a path below the cgroup
 * cgroup_delegated_base picks: one free of processes, which may move the
 * caller into a leaf) and *none is false; it gets no device program
 * (attaching one needs CAP_SYS_ADMIN), so device rules are refused.
 * Without one, *cg is a cgroup of nothing (cgroup_none_init), *none is
 * true, and a config that asks for any resource is refused with the
 * reason. */
int rootless_cgroup(const struct spec_resources *res, const char *id, char **path,
		    struct cgroup *cg, bool *none, struct berr *err);

/* Write the user namespace's maps of pid.  Root writes them itself; an
 * unprivileged caller too when a map is only its own id (gid_map then
 * after setgroups "deny", as the kernel requires), and through
 * newuidmap/newgidmap otherwise. */
int rootless_write_maps(pid_t pid, const struct spec_linux *l, struct berr *err);

/* The processes of a container without a cgroup: those of its init's pid
 * namespace. */
int rootless_pids(pid_t init, pid_t **pids, size_t *n, struct berr *err);

/* Move this single-threaded process into a new user and mount namespace
 * where it is root (rt_rootless_enter's first start). */
int rootless_unshare(const char *user, struct berr *err);

#endif
