/* An image load in progress (image_load.c): layers unpacked into a work
 * directory under <data-root>/tmp, images waiting with their configs,
 * all committed to the store together under its lock, or all removed.
 * Shared by tarball loads and registry pulls (registry_pull.c). */
#ifndef BERTH_IMAGES_IMAGE_STAGE_H
#define BERTH_IMAGES_IMAGE_STAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/images/image_digest.h"
#include "runtime/images/image_load.h"
#include "spec/base/arena.h"
#include "spec/base/err.h"
#include "spec/image.h"

/* One image on its way into the store. */
struct pending_image {
	char id[IMAGE_DIGEST_LEN + 1];
	char *config;
	size_t config_len;
	char *created;
	char **layers; /* diff ids */
	size_t n_layers;
	char **tags;
	size_t n_tags;
	char *repo_digest; /* "name@sha256:..." the registry named it by, or NULL */
};

struct image_stage {
	const char *data_root;
	char *work; /* <data-root>/tmp/load-XXXXXX */
	char **unpacked_dirs; /* tmp dirs of unpacked layers, by diff id */
	char **unpacked_ids;
	size_t n_unpacked;
	struct pending_image *images;
	size_t n_images;
	struct arena arena;
};

int image_stage_init(struct image_stage *l, const char *data_root, struct berr *err);

/* Remove whatever was not committed. */
void image_stage_release(struct image_stage *l);

/* Append a copy of s to the NULL-terminated *v of *n entries. */
int image_stage_strv_add(char ***v, size_t *n, const char *s);

/* Unpack one layer blob (verified against blob_digest when given, unless
 * the caller verified it already) and check that its diff id, returned in
 * got, is want (when given).  The blob is kept with the layer. */
int image_stage_layer(struct image_stage *l, const char *blob, const char *blob_digest,
		      bool verified, const char *want, char got[IMAGE_DIGEST_LEN + 1],
		      struct berr *err);

/* Add an image from its config (tags normalized here); the config parsed
 * is returned for the caller to free.  Its layers are appended to the
 * last image's layers by the caller. */
int image_stage_image(struct image_stage *l, const char *config, size_t len, char *const *tags,
		      size_t n_tags, struct spec_image_config **parsed, struct berr *err);

/* Move the layers and images into the store; report each tag (or id). */
int image_stage_commit(struct image_stage *l, image_load_report_fn report, void *arg,
		       struct berr *err);

#endif
