/* `docker save`: images of the store written as a docker-archive tar
 * (docker's legacy save format, which every `docker load` reads):
 *
 *   <config hex>.json        each image's config, its id
 *   <diff id hex>/layer.tar  each layer once, as it came (layer_store.h),
 *                            however many images list it
 *   manifest.json            [{"Config", "RepoTags", "Layers"}] per image
 *
 * An image named by a tag carries that tag; one named by id carries none;
 * a repository named without a tag or digest stands for every tag of it
 * in the store, as with docker.  Like loading, this runs in berthd's unpack helper. */
#ifndef BERTH_IMAGES_IMAGE_SAVE_H
#define BERTH_IMAGES_IMAGE_SAVE_H

#include <stddef.h>

#include "spec/base/err.h"

/* Write the images refs name (tags, ids or id prefixes) to fd.  Every
 * reference is resolved and every file opened, with the store locked,
 * before the first byte: a missing image or layer blob fails whole. */
int image_save(const char *data_root, char *const *refs, size_t n, int fd,
	       struct berr *err);

#endif
