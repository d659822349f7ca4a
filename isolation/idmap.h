/* User namespace id mappings, written by the parent for its child. */
#ifndef BERTH_ISOLATION_IDMAP_H
#define BERTH_ISOLATION_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "spec/config.h"
#include "spec/base/err.h"

/* Write uid_map and gid_map of pid.  deny_setgroups writes "deny" to
 * /proc/PID/setgroups first, which an unprivileged writer of gid_map
 * must do. */
int idmap_write(pid_t pid, const struct spec_id_mapping *uids, size_t n_uids,
		const struct spec_id_mapping *gids, size_t n_gids,
		bool deny_setgroups, struct berr *err);

/* Whether setgroups(2) is allowed in pid's user namespace (0: the
 * caller's): a namespace whose setgroups file says "deny" keeps the
 * groups it started with. */
bool idmap_setgroups_allowed(pid_t pid);

/* Write one map (uid_map with "newuidmap", gid_map with "newgidmap")
 * through that helper of Debian's uidmap, which lets an unprivileged user
 * map the ranges /etc/subuid and /etc/subgid give it.  The helper is
 * looked up in PATH and runs with the caller's own rights (it is setuid
 * root itself); its complaint becomes the error's message. */
int idmap_write_helper(pid_t pid, const char *helper, const struct spec_id_mapping *m,
		       size_t n, struct berr *err);

#endif
