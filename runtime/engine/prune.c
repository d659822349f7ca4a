#include "runtime/engine/prune.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/engine/internal.h"
#include "spec/base/cleanup.h"
#include "spec/base/strv.h"

static uint64_t upper_size(struct daemon *d, const char *id)
{
	cleanup_free char *upper = daemon_dir(d, id, "upper");

	return upper ? daemon_tree_bytes(upper) : 0;
}

static bool stopped(enum daemon_status s)
{
	return s == DS_CREATED || s == DS_EXITED || s == DS_DEAD;
}

int daemon_prune_containers(struct daemon *d, daemon_prune_fn want, void *arg,
			    char ***deleted, uint64_t *reclaimed, struct berr *err)
{
	char **ids = NULL;

	*reclaimed = 0;
	daemon_lock(d);
	for (struct daemon_container *c = d->containers; c; c = c->next)
		if (!c->removed && !c->busy && stopped(c->status) && want(c, arg) &&
		    strv_push(&ids, c->id) < 0) {
			daemon_unlock(d);
			strv_free(ids);
			return berr_set(err, ENOMEM, "prune");
		}
	daemon_unlock(d);
	for (size_t i = 0; ids && ids[i]; i++) {
		struct berr ignored;
		uint64_t size = upper_size(d, ids[i]);

		/* One started meanwhile is refused (not forced) and stays. */
		if (daemon_remove(d, ids[i], false, false, &ignored) < 0)
			continue;
		*reclaimed += size;
		if (strv_push(deleted, ids[i]) < 0) {
			strv_free(ids);
			return berr_set(err, ENOMEM, "prune");
		}
	}
	strv_free(ids);
	return 0;
}
