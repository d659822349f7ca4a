/* Shared by the seccomp unit tests. */
#ifndef BERTH_TESTS_UNIT_SECCOMP_HELPERS_H
#define BERTH_TESTS_UNIT_SECCOMP_HELPERS_H

#include "tests/unit/helpers.h"

#include "spec/config.h"

/* A config holding only this linux.seccomp (single quotes for double). */
static inline struct spec_config *profile(const char *seccomp)
{
	char *doc = NULL;
	char *json;
	struct spec_config *cfg = NULL;
	struct berr err = { 0 };

	assert_true(asprintf(&doc, "{'ociVersion':'1.2.0','root':{'path':'rootfs'},"
				   "'linux':{'seccomp':%s}}",
			     seccomp) > 0);
	json = squote_json(doc);
	free(doc);
	if (spec_config_parse(json, strlen(json), &cfg, &err) < 0)
		fail_msg("profile does not parse: %s", err.msg);
	free(json);
	return cfg;
}

#endif
