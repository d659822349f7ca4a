/* berthd run by a user other than root (README.md, "Rootless"). */
#ifndef BERTH_CMD_BERTHD_ROOTLESS_H
#define BERTH_CMD_BERTHD_ROOTLESS_H

#include "spec/base/err.h"

struct berthd_rootless {
	char run[4096];  /* $XDG_RUNTIME_DIR/berth: state, and the socket */
	char sock[4200];
	char data[4096]; /* ~/.local/share/berth */
};

/* The defaults of a rootless berthd. */
int berthd_rootless_defaults(struct berthd_rootless *r, struct berr *err);

/* Make the data root, then enter the user namespace (rt_rootless_enter):
 * before any thread exists. */
int berthd_rootless_enter(const char *data_root, struct berr *err);

#endif
