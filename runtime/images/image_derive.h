/* docker build's metadata steps (ENV, CMD, LABEL, ...): a new image with
 * its parent's layers and a new run config, its history entry marked
 * empty_layer as dockerd marks it.  Writes only the config blob and the
 * record, so berthd calls it itself (no archive, no helper). */
#ifndef BERTH_IMAGES_IMAGE_DERIVE_H
#define BERTH_IMAGES_IMAGE_DERIVE_H

#include "runtime/images/image_digest.h"
#include "spec/base/err.h"

struct image_derive_in {
	const char *parent;     /* the parent's id; NULL or "": none (scratch) */
	const char *run_config; /* JSON: the "config" object */
	const char *author, *created_by;
};

int image_derive(const char *data_root, const struct image_derive_in *in,
		 char id[IMAGE_DIGEST_LEN + 1], struct berr *err);

#endif
