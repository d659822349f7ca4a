/* docker commit: a container's writable layer (overlayfs' upper
 * directory) becomes a layer on top of its image's, in a new image.  The
 * upper directory is written as a layer tar in docker's form (overlay
 * whiteouts as ".wh.NAME", opaque directories as ".wh..wh..opq"; the
 * empty mount points berthd makes for /etc/hostname, hosts and
 * resolv.conf left out, as dockerd leaves its own), unpacked into the
 * store like any loaded layer, and the new config is the parent's with
 * the given run config, the layer's diff id and a history entry.  Runs in
 * berthd's unpack helper. */
#ifndef BERTH_IMAGES_IMAGE_COMMIT_H
#define BERTH_IMAGES_IMAGE_COMMIT_H

#include "runtime/images/image_digest.h"
#include "spec/base/err.h"

struct image_commit_in {
	const char *upper;
	const char *parent;     /* the image's id */
	const char *run_config; /* JSON: the new config's "config" object */
	const char *comment, *author, *created_by;
	const char *tag;        /* NULL: no tag */
};

int image_commit(const char *data_root, const struct image_commit_in *in,
		 char id[IMAGE_DIGEST_LEN + 1], struct berr *err);

/* Write the upper directory at dir as a docker layer tar to fd. */
int image_commit_layer_tar(const char *dir, int fd, struct berr *err);

#endif
