/* The state file of the state store (spec_state_file_parse, as
 * runtime/store.c reads it): a state read back is written again, and that
 * document reads back the same. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "spec/state.h"

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena arena = { 0 };
	struct spec_state s, back;
	struct berr err = { 0 };
	char *json = NULL;
	size_t len;
	int ret;

	memset(&s, 0, sizeof(s));
	ret = spec_state_file_parse((const char *)data, size, &arena, &s, &err);
	fuzz_check_failure(ret, &err);
	if (ret < 0)
		goto out;
	ret = spec_state_file_json(&s, &json, &len, &err);
	fuzz_check_failure(ret, &err);
	if (ret < 0)
		goto out;
	memset(&back, 0, sizeof(back));
	ret = spec_state_file_parse(json, len, &arena, &back, &err);
	if (ret < 0)
		fprintf(stderr, "written state does not read back: %s\n%.*s\n", err.msg,
			(int)len, json);
	fuzz_assert(ret == 0);
	fuzz_assert(same(s.id, back.id) && same(s.status, back.status) && s.pid == back.pid);
	fuzz_assert(same(s.bundle, back.bundle) && s.n_extra == back.n_extra);
	fuzz_assert(s.n_annotations == back.n_annotations);
out:
	free(json);
	arena_release(&arena);
	return 0;
}
