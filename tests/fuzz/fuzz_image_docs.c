/* The image documents berthd reads from archives and stores: an image
 * config, a docker-archive manifest.json, an OCI index.json and image
 * manifest (spec/image.c).  The first byte chooses the reader. */
#include <string.h>

#include "fuzz.h"
#include "spec/image.h"

static void check_descriptors(const struct spec_oci_descriptor *d, size_t n)
{
	/* image_load.c builds blob paths from digest + 7: every digest
	 * handed out must be a valid one. */
	for (size_t i = 0; i < n; i++)
		fuzz_assert(d[i].digest && spec_image_digest_valid(d[i].digest));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data + 1;
	struct arena arena = { 0 };
	struct berr err = { 0 };
	int ret = 0;

	if (size < 1)
		return 0;
	size--;
	switch (data[0] % 4) {
	case 0: {
		struct spec_image_config *c = NULL;

		ret = spec_image_config_parse(json, size, &c, &err);
		if (ret == 0) {
			for (size_t i = 0; i < c->n_diff_ids; i++)
				fuzz_assert(c->diff_ids[i]);
			spec_image_config_free(c);
		}
		break;
	}
	case 1: {
		struct spec_archive_image *imgs = NULL;
		size_t n = 0;

		ret = spec_archive_manifest_parse(json, size, &arena, &imgs, &n, &err);
		if (ret == 0)
			for (size_t i = 0; i < n; i++)
				for (size_t j = 0; j < imgs[i].n_layers; j++)
					fuzz_assert(imgs[i].layers[j]);
		break;
	}
	case 2: {
		struct spec_oci_descriptor *d = NULL;
		size_t n = 0;

		ret = spec_oci_index_parse(json, size, &arena, &d, &n, &err);
		if (ret == 0)
			check_descriptors(d, n);
		break;
	}
	case 3: {
		struct spec_oci_manifest m;

		memset(&m, 0, sizeof(m));
		ret = spec_oci_manifest_parse(json, size, &arena, &m, &err);
		if (ret == 0) {
			check_descriptors(&m.config, 1);
			check_descriptors(m.layers, m.n_layers);
		}
		break;
	}
	}
	fuzz_check_failure(ret, &err);
	arena_release(&arena);
	return 0;
}
