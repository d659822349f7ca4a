/* Dockerfiles (dockerfile_parse, as docker build reads them), then every
 * instruction's arguments split into words and expanded as the builder
 * does, against variables that are set, empty and unset. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "spec/base/strv.h"
#include "spec/dockerfile.h"

static const char *lookup(void *arg, const char *name)
{
	(void)arg;
	if (name[0] == 'A')
		return "value with spaces";
	if (name[0] == 'E')
		return "";
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dockerfile df = { 0 };
	struct berr err = { 0 };
	int ret = dockerfile_parse((const char *)data, size, &df, &err);

	fuzz_check_failure(ret, &err);
	if (ret < 0)
		return 0;
	fuzz_assert(df.n > 0 && (df.escape == '\\' || df.escape == '`'));
	for (size_t i = 0; i < df.n; i++) {
		const struct df_inst *in = &df.v[i];
		char **w = NULL, *one = NULL;

		fuzz_assert(in->cmd && in->args && in->flags && in->line > 0);
		fuzz_assert(!in->json || in->argv);
		ret = dockerfile_words(in->args, df.escape, lookup, NULL, &w, &err);
		fuzz_check_failure(ret, &err);
		strv_free(w);
		ret = dockerfile_expand(in->args, df.escape, lookup, NULL, &one, &err);
		fuzz_check_failure(ret, &err);
		free(one);
		for (size_t k = 0; in->flags[k]; k++)
			fuzz_assert(strncmp(in->flags[k], "--", 2) == 0);
	}
	dockerfile_free(&df);
	return 0;
}
