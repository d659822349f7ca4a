/* berthd run by a user other than root (README.md, "Rootless"). */
#ifndef BERTH_RUNTIME_ENGINE_ROOTLESS_H
#define BERTH_RUNTIME_ENGINE_ROOTLESS_H

#include "spec/base/err.h"

struct daemon_rootless {
	char run[4096];  /* $XDG_RUNTIME_DIR/berth: state, and the socket */
	char sock[4200];
	char data[4096]; /* ~/.local/share/berth */
};

/* The defaults of a rootless berthd. */
int daemon_rootless_defaults(struct daemon_rootless *r, struct berr *err);

/* Make the data root and the state root, then enter the user namespace
 * (rt_rootless_enter: the one an earlier berthd left running containers
 * in, or a new one): before any thread exists. */
int daemon_rootless_enter(const char *data_root, const char *root, struct berr *err);

/* At a clean stop: let the namespaces go if nothing runs in them
 * (rt_rootless_leave). */
void daemon_rootless_leave(const char *root);

#endif
