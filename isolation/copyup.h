/* tmpcopyup: a tmpfs mounted over a directory starts with that directory's
 * content, as podman's --read-only containers expect for /tmp, /run... */
#ifndef BERTH_ISOLATION_COPYUP_H
#define BERTH_ISOLATION_COPYUP_H

#include "spec/base/err.h"

/* Copy the tree at PATH under ROOTFD (resolved inside the root) into the
 * root of the detached mount MNTFD, keeping modes, owners and times. */
int copyup_tree(int rootfd, const char *path, int mntfd, struct berr *err);

#endif
