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

#endif
