/* process.json as `berth exec --process` reads it. */
#include <string.h>

#include "fuzz.h"
#include "spec/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena arena = { 0 };
	struct spec_process p;
	struct berr err = { 0 };
	int ret;

	memset(&p, 0, sizeof(p));
	ret = spec_process_parse((const char *)data, size, &arena, &p, &err);
	fuzz_check_failure(ret, &err);
	if (ret == 0)
		for (size_t i = 0; i < p.n_args; i++)
			fuzz_assert(p.args[i] != NULL);
	arena_release(&arena);
	return 0;
}
