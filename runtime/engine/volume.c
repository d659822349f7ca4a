/* The engine's volume calls (volume.h): the store's (volume_store.c)
 * under the daemon's lock, with their events. */
#include "runtime/engine/volume.h"
#include "runtime/engine/internal.h"

#include <stdlib.h>
#include <string.h>

#include "spec/base/cleanup.h"

int daemon_volume_create(struct daemon *d, const char *name, const char *driver,
			 char *const *labels, char *const *options, struct daemon_volume *out,
			 struct berr *err)
{
	struct daemon_volume old;
	struct berr ignored;
	bool existed;
	int ret;

	if (driver && *driver && strcmp(driver, "local") != 0)
		return berr_unsupported(err,
				 "volume driver \"%s\" is not supported by berthd (only local is)",
				 driver);
	daemon_lock(d);
	existed = name && *name && daemon_volume_load(d->o.data_root, name, &old, &ignored) == 0;
	if (existed)
		daemon_volume_free(&old);
	ret = daemon_volume_create_locked(d, name, labels, options, out, err);
	if (ret == 0) {
		out->users = daemon_volume_users_locked(d, out->name);
		if (!existed)
			daemon_event_volume_locked(d, "create", out->name);
	}
	daemon_unlock(d);
	return ret;
}

int daemon_volume_inspect(struct daemon *d, const char *name, struct daemon_volume *out,
			  struct berr *err)
{
	int ret = daemon_volume_load(d->o.data_root, name, out, err);

	if (ret == 0) {
		daemon_lock(d);
		out->users = daemon_volume_users_locked(d, name);
		daemon_unlock(d);
	}
	return ret;
}

int daemon_volume_list(struct daemon *d, struct daemon_volume **out, size_t *n,
		       struct berr *err)
{
	int ret;

	daemon_lock(d);
	ret = daemon_volume_list_locked(d, out, n, err);
	daemon_unlock(d);
	return ret;
}

int daemon_volume_remove(struct daemon *d, const char *name, bool force, struct berr *err)
{
	int ret;

	daemon_lock(d);
	ret = daemon_volume_remove_locked(d, name, force, err);
	if (ret == 0)
		daemon_event_volume_locked(d, "destroy", name);
	daemon_unlock(d);
	return ret;
}

int daemon_volume_prune(struct daemon *d, bool all,
			bool (*keep)(const struct daemon_volume *v, void *arg), void *arg,
			char ***removed, uint64_t *space, struct berr *err)
{
	struct daemon_volume *vs;
	size_t n, k = 0;
	int ret;

	*removed = NULL;
	*space = 0;
	daemon_lock(d);
	ret = daemon_volume_list_locked(d, &vs, &n, err);
	if (ret == 0)
		*removed = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; ret == 0 && *removed && i < n; i++) {
		uint64_t size;

		if (vs[i].users || (!all && !vs[i].anonymous) || (keep && keep(&vs[i], arg)))
			continue;
		size = daemon_volume_size(&vs[i]);
		if (daemon_volume_remove_locked(d, vs[i].name, false, err) < 0) {
			berr_clear(err);
			continue;
		}
		daemon_event_volume_locked(d, "destroy", vs[i].name);
		*space += size;
		(*removed)[k++] = steal_ptr(vs[i].name);
	}
	daemon_unlock(d);
	if (ret == 0 && !*removed)
		ret = berr_set(err, ENOMEM, "prune volumes");
	daemon_volumes_free(vs, ret == 0 ? n : 0);
	return ret;
}

/* Bytes of the regular files below dirfd (consumed), not crossing into
 * other file systems' directories. */
