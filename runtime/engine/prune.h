/* docker container prune: every container that is not running (created,
 * exited, dead) and that keep() accepts goes, with the bytes its writable
 * layer held. */
#ifndef BERTH_ENGINE_PRUNE_H
#define BERTH_ENGINE_PRUNE_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/engine/engine.h"

/* Called with the daemon locked: true to prune c. */
typedef bool (*daemon_prune_fn)(const struct daemon_container *c, void *arg);

/* The removed ids are appended to *deleted (NULL-terminated, malloc'd). */
int daemon_prune_containers(struct daemon *d, daemon_prune_fn want, void *arg,
			    char ***deleted, uint64_t *reclaimed, struct berr *err);

#endif
