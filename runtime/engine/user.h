/* A docker --user ("name", "uid", "name:group", "uid:gid") resolved in
 * the container's own /etc/passwd and /etc/group, as dockerd does. */
#ifndef BERTH_ENGINE_USER_H
#define BERTH_ENGINE_USER_H

#include <stddef.h>

#include "spec/base/err.h"

#define USER_MAX_GROUPS 32

struct user_ids {
	unsigned uid, gid;
	unsigned groups[USER_MAX_GROUPS]; /* supplementary, without gid */
	size_t n_groups;
};

/* spec NULL or "": root.  rootfd: the container's root (O_PATH); its
 * symlinks resolve inside it. */
int user_resolve(int rootfd, const char *spec, struct user_ids *u, struct berr *err);

/* A group name (in the root's /etc/group) or id. */
int user_group(int rootfd, const char *group, unsigned *gid, struct berr *err);

#endif
