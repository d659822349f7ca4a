/* berthd's volumes: docker's "local" driver.
 *
 * Layout on disk:
 *   <data-root>/volumes/<name>/
 *       volume                       the record: created, labels, the
 *                                    driver's options, whether anonymous
 *       _data/                       what containers see (the mountpoint)
 *
 * A volume with the local driver's options (type, device, o) has that
 * file system mounted on _data at its first use, until it is removed.
 *
 * A container's mounts are kept resolved in its record (daemon_spec's
 * mounts), one line each: "TYPE\tSOURCE\tTARGET\tOPTIONS", TYPE bind,
 * volume or tmpfs; SOURCE a host path, a volume's name, or empty for a
 * tmpfs; OPTIONS comma-separated: ro, a propagation, nocopy, and a tmpfs's
 * own mount options. */
#ifndef BERTH_ENGINE_VOLUME_H
#define BERTH_ENGINE_VOLUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/engine/engine.h"
#include "spec/base/err.h"

struct daemon_volume {
	char *name;
	char created[48];
	char **labels;  /* "key=value" */
	char **options; /* "key=value": type, device, o */
	bool anonymous;
	char *mountpoint;
	int users; /* containers that use it (list and inspect count them) */
};

void daemon_volume_free(struct daemon_volume *v);
void daemon_volumes_free(struct daemon_volume *v, size_t n);

/* Create (an existing name is returned as it is, as dockerd does);
 * name NULL or "": an anonymous volume with a generated name.  driver
 * NULL, "" or "local". */
int daemon_volume_create(struct daemon *d, const char *name, const char *driver,
			 char *const *labels, char *const *options, struct daemon_volume *out,
			 struct berr *err);
int daemon_volume_inspect(struct daemon *d, const char *name, struct daemon_volume *out,
			  struct berr *err);
int daemon_volume_list(struct daemon *d, struct daemon_volume **out, size_t *n,
		       struct berr *err);
/* -EBUSY (409) while a container uses it, force or not (as dockerd);
 * -ENOENT unless force. */
int daemon_volume_remove(struct daemon *d, const char *name, bool force, struct berr *err);
/* Remove the unused volumes: the anonymous ones, every one when all;
 * keep(v, arg) may spare more (filters).  *removed gets the names, *space
 * the bytes they held. */
int daemon_volume_prune(struct daemon *d, bool all,
			bool (*keep)(const struct daemon_volume *v, void *arg), void *arg,
			char ***removed, uint64_t *space, struct berr *err);
/* Bytes under a volume's mountpoint (daemon_tree_bytes). */
uint64_t daemon_volume_size(const struct daemon_volume *v);

/* One line of a container's mounts, split in place. */
struct daemon_mount {
	const char *type, *source, *target, *options;
};
int daemon_mount_split(char *line, struct daemon_mount *m);
bool daemon_mount_has(const char *options, const char *opt);
/* <data-root>/volumes/<name>/_data (malloc'd). */
char *daemon_volume_path(const char *data_root, const char *name);

#endif
