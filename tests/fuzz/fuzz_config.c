/* config.json as `berth create` reads it: the parser, then the checks
 * create makes before it touches anything; and create's own parse (the
 * seccomp profile set aside, then read from its bytes) against the whole
 * parse: the same config, or the same error. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "runtime/validate.h"
#include "spec/config.h"
#include "spec/config_write.h"

static void same_as_aside(const char *json, size_t size, int whole_ret,
			  const struct spec_config *whole, const struct berr *whole_err)
{
	struct spec_config *cfg = NULL;
	struct spec_span span;
	struct berr err = { 0 }, e1 = { 0 }, e2 = { 0 };
	char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	int ret = spec_config_parse_aside(json, size, &cfg, &span, &err);

	if (ret == 1) {
		fuzz_assert(span.off + span.len <= size && json[span.off] == '{');
		ret = spec_config_parse_seccomp(json, &span, cfg, &err);
	}
	fuzz_assert((ret < 0) == (whole_ret < 0));
	if (ret < 0) {
		fuzz_assert(strcmp(err.msg, whole_err->msg) == 0);
		spec_config_free(cfg);
		return;
	}
	ret = spec_config_write(whole, &a, &alen, &e1);
	fuzz_assert(spec_config_write(cfg, &b, &blen, &e2) == ret);
	fuzz_assert(ret < 0 || (alen == blen && memcmp(a, b, alen) == 0));
	free(a);
	free(b);
	spec_config_free(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spec_config *cfg = NULL;
	struct berr err = { 0 };
	int ret = spec_config_parse((const char *)data, size, &cfg, &err);

	fuzz_check_failure(ret, &err);
	same_as_aside((const char *)data, size, ret, cfg, &err);
	if (ret < 0) {
		fuzz_assert(cfg == NULL);
		return 0;
	}
	berr_clear(&err);
	fuzz_check_failure(validate_for_create(cfg, false, false, &err), &err);
	berr_clear(&err);
	fuzz_check_failure(validate_for_create(cfg, true, true, &err), &err);
	spec_config_free(cfg);
	/* The hooks-only parse of a config that parsed whole succeeds too. */
	berr_clear(&err);
	ret = spec_config_parse_hooks((const char *)data, size, &cfg, &err);
	fuzz_assert(ret == 0);
	spec_config_free(cfg);
	return 0;
}
