/* Bringing images into the store from tarballs: `docker load` archives
 * (docker save's manifest.json, or an OCI image layout with index.json;
 * gzip or not) and `docker import` rootfs tarballs.  Runs in berthd's
 * unpack helper, a process of its own (see cmd/berthd/helpers), so that the
 * daemon links no archive library and an archive is never unpacked inside
 * the daemon.
 *
 * Layers are unpacked without the store lock, then committed together
 * with the image records under it; what a failed load unpacked is
 * removed. */
#ifndef BERTH_IMAGES_IMAGE_LOAD_H
#define BERTH_IMAGES_IMAGE_LOAD_H

#include "spec/base/err.h"

/* What a load reports: kind "tag" (value a tag that now names an image),
 * "id" (an image that came without a tag) or "imported" (the new image's
 * id). */
typedef void (*image_load_report_fn)(void *arg, const char *kind, const char *value);

int image_load_archive(const char *data_root, const char *archive,
		       image_load_report_fn report, void *arg, struct berr *err);

/* repo may be NULL (no tag) and carries the tag ("name:tag"); message
 * becomes the image's comment. */
/* run_config: the config's "config" object (JSON, from docker import
 * --change), NULL for an empty one. */
int image_load_import(const char *data_root, const char *tarball, const char *repo,
		      const char *message, const char *run_config,
		      image_load_report_fn report, void *arg,
		      struct berr *err);

#endif
