/* Session keyrings: the one a container's processes share.
 *
 * The kernel's keyrings are not namespaced.  A container's init joins a
 * session keyring named after the container, so that it shares neither
 * the host's keys nor another container's; an exec'd process joins the
 * same one by name, as runc's do.  The kernel finds a keyring by name
 * only for a caller with search permission on it (possession does not
 * count there), which a new keyring does not give: the init adds it. */
#ifndef BERTH_ISOLATION_KEYRING_H
#define BERTH_ISOLATION_KEYRING_H

#include "spec/base/err.h"

/* Who may find the keyring by name, besides its possessors.  The
 * kernel checks a caller against the owner's bits when the uids match,
 * else the group's when the gids do, else the others'. */
enum keyring_finder {
	KEYRING_FINDER_NONE,
	/* its owner: an exec'd process joins as uid 0, the owner */
	KEYRING_FINDER_OWNER,
	/* anyone: in a user namespace an exec'd process joins with the
	 * host's ids, which the namespace may map to the owner's or not
	 * (and a different uid may still match the gid); keyring names are
	 * per user namespace, so only that namespace's processes look it
	 * up */
	KEYRING_FINDER_ANYONE,
};

/* Join the session keyring called name, made when none that the caller
 * may search has that name.  Returns its serial (> 0). */
int keyring_join_session(const char *name, struct berr *err);

/* Add finder's search permission to the keyring serial (one we hold). */
int keyring_let_find(int serial, enum keyring_finder finder, struct berr *err);

#endif
