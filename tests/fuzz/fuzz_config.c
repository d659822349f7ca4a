/* config.json as `berth create` reads it: the parser, then the checks
 * create makes before it touches anything. */
#include <string.h>

#include "fuzz.h"
#include "runtime/validate.h"
#include "spec/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spec_config *cfg = NULL;
	struct berr err = { 0 };
	int ret = spec_config_parse((const char *)data, size, &cfg, &err);

	fuzz_check_failure(ret, &err);
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
