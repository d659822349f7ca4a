/* sha256 digests in the image store's "sha256:<hex>" form. */
#ifndef BERTH_IMAGES_IMAGE_DIGEST_H
#define BERTH_IMAGES_IMAGE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "spec/base/err.h"

#define IMAGE_DIGEST_LEN (7 + 64) /* "sha256:" + hex, without the NUL */

struct image_digest_ctx {
	uint64_t state[16]; /* opaque storage for the hash state */
	uint8_t more[256];
};

void image_digest_init(struct image_digest_ctx *c);
void image_digest_update(struct image_digest_ctx *c, const void *data, size_t len);
/* out: "sha256:<64 hex>" and a NUL. */
void image_digest_final(struct image_digest_ctx *c, char out[IMAGE_DIGEST_LEN + 1]);

void image_digest_buf(const void *data, size_t len, char out[IMAGE_DIGEST_LEN + 1]);
int image_digest_file(const char *path, char out[IMAGE_DIGEST_LEN + 1], struct berr *err);

#endif
