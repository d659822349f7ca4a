/* docker commit: a new image from a container, its run config the
 * container's (user, env, command, entrypoint, workdir, labels, stop
 * signal) with the image's exposed ports, volumes and ONBUILD, changed by
 * Dockerfile instructions (--change: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL,
 * ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR; anything else is refused),
 * and its writable layer as a new layer (runtime/images/image_commit.h,
 * in the unpack helper). */
#ifndef BERTH_ENGINE_COMMIT_H
#define BERTH_ENGINE_COMMIT_H

#include <stdbool.h>

#include "runtime/engine/engine.h"
#include "spec/image.h"

struct daemon_commit {
	const char *tag;     /* repo[:tag], NULL for none */
	const char *comment, *author;
	char *const *changes; /* NULL-terminated */
	bool pause;           /* a running container is paused meanwhile */
};

/* id gets the new image's id (sha256:...). */
int daemon_commit(struct daemon *d, const char *ref, const struct daemon_commit *o,
		  char *id, size_t id_size, struct berr *err);

/* The run config (JSON) a commit writes: the container's, with changes
 * applied; exposed for the unit tests. */
int daemon_commit_config(const struct daemon_spec *s, const struct spec_image_run *img,
			 char *const *changes, char **json, struct berr *err);

#endif
