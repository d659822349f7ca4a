#include "runtime/images/image_digest.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "spec/base/cleanup.h"

_Static_assert(sizeof(struct sha256_ctx) <= sizeof(struct image_digest_ctx),
	       "image_digest_ctx too small for nettle's sha256 state");

void image_digest_init(struct image_digest_ctx *c)
{
	sha256_init((struct sha256_ctx *)c);
}

void image_digest_update(struct image_digest_ctx *c, const void *data, size_t len)
{
	sha256_update((struct sha256_ctx *)c, len, data);
}

void image_digest_final(struct image_digest_ctx *c, char out[IMAGE_DIGEST_LEN + 1])
{
	uint8_t raw[SHA256_DIGEST_SIZE];

	sha256_digest((struct sha256_ctx *)c, sizeof(raw), raw);
	memcpy(out, "sha256:", 7);
	for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
		sprintf(out + 7 + 2 * i, "%02x", raw[i]);
}

void image_digest_buf(const void *data, size_t len, char out[IMAGE_DIGEST_LEN + 1])
{
	struct image_digest_ctx c;

	image_digest_init(&c);
	image_digest_update(&c, data, len);
	image_digest_final(&c, out);
}

int image_digest_file(const char *path, char out[IMAGE_DIGEST_LEN + 1], struct berr *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct image_digest_ctx c;
	char buf[65536];
	ssize_t n;

	if (fd < 0)
		return berr_sys(err, "open %s", path);
	image_digest_init(&c);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		image_digest_update(&c, buf, (size_t)n);
	if (n < 0)
		return berr_sys(err, "read %s", path);
	image_digest_final(&c, out);
	return 0;
}
