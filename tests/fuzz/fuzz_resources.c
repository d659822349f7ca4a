/* linux.resources as `berth update -r` reads it. */
#include <string.h>

#include "fuzz.h"
#include "spec/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena arena = { 0 };
	struct spec_resources r;
	struct berr err = { 0 };
	int ret;

	memset(&r, 0, sizeof(r));
	ret = spec_resources_parse((const char *)data, size, &arena, &r, &err);
	fuzz_check_failure(ret, &err);
	if (ret == 0)
		for (size_t i = 0; i < r.n_unified; i++)
			fuzz_assert(r.unified[i].key && r.unified[i].value);
	arena_release(&arena);
	return 0;
}
