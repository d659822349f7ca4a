/* Removed containers' directories, deleted off the path a client waits
 * on (trash.c says why that is safe). */
#ifndef BERTH_ENGINE_TRASH_H
#define BERTH_ENGINE_TRASH_H

#include <pthread.h>
#include <stdbool.h>

#include "spec/base/err.h"

struct daemon_trash {
	char *dir; /* <data-root>/removing */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool pending, stop, started;
};

/* Create the removing directory, delete what a killed berthd left in it,
 * start the thread. */
int daemon_trash_open(struct daemon_trash *t, const char *data_root, struct berr *err);
/* Take dir (a removed container's, id its name, its rootfs perhaps
 * still mounted) off the data root now and delete it later; deleted here
 * when it cannot be moved. */
int daemon_trash_put(struct daemon_trash *t, const char *dir, const char *id, struct berr *err);
/* Finish what is pending and stop the thread. */
void daemon_trash_close(struct daemon_trash *t);

#endif
