/* spec_config_parse_only (exec's parse of a stored config) and the tree
 * builder under it (jr_parse_keep): the sections it keeps read exactly as
 * in a whole parse, for every config real clients sent; the rest is left
 * out but still checked as JSON. */
#include "tests/unit/helpers.h"

#include <glob.h>

#include "spec/config.h"
#include "spec/config_write.h"
#include "spec/json_read.h"

static const char *const exec_sections[] = { "process", "linux.personality", NULL };

/* The process as the writer spells it: two parses that agree on it write
 * the same bytes. */
static char *process_text(const struct spec_process *p)
{
	struct berr err = { 0 };
	char *out = NULL;
	size_t len;

	if (spec_process_write(p, &out, &len, &err) < 0)
		fail_msg("write the process: %s", err.msg);
	return out;
}

static void same_as_whole(const char *path)
{
	struct spec_config *whole = NULL, *only = NULL;
	struct berr err = { 0 };
	char *a, *b;
	size_t len;
	char *json = read_fixture(path, &len);

	if (spec_config_parse(json, len, &whole, &err) < 0)
		fail_msg("%s: %s", path, err.msg);
	if (spec_config_parse_only(json, len, exec_sections, &only, &err) < 0)
		fail_msg("%s: %s", path, err.msg);
	assert_int_equal(only->process_set, whole->process_set);
	a = process_text(&whole->process);
	b = process_text(&only->process);
	assert_string_equal(a, b);
	assert_int_equal(only->linux.personality.set, whole->linux.personality.set);
	assert_int_equal(only->linux.personality.domain, whole->linux.personality.domain);
	assert_int_equal(only->linux.personality.n_flags, whole->linux.personality.n_flags);
	assert_string_equal(only->oci_version, whole->oci_version);
	assert_string_equal(only->root.path, whole->root.path);
	/* Nothing else is built or read. */
	assert_int_equal(only->n_mounts, 0);
	assert_false(only->linux.seccomp.set);
	assert_int_equal(only->linux.n_namespaces, 0);
	assert_false(only->linux.resources.set);
	assert_null(only->linux.cgroups_path);
	assert_int_equal(only->n_annotations, 0);
	assert_null(only->hostname);
	free(a);
	free(b);
	free(json);
	spec_config_free(whole);
	spec_config_free(only);
}

static void test_same_as_whole(void **state)
{
	glob_t g;

	same_as_whole(FIXTURES "/full.config.json");
	assert_int_equal(glob(FIXTURES "/clients/*.config.json", 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 12);
	for (size_t i = 0; i < g.gl_pathc; i++)
		same_as_whole(g.gl_pathv[i]);
	globfree(&g);
}

/* The values a parse keeps are yajl_tree's: every type, numbers with
 * their flags as yajl_tree sets them. */
static void test_kept_values(void **state)
{
	static const char *const keep[] = { "a.b", "c", NULL };
	char *json = squote_json("{'a':{'b':{'s':'x','t':true,'f':false,'n':null,"
				 "'i':-42,'d':1.5,'big':18446744073709551615,'l':[1,[2],{}]},"
				 "'skipped':[1,2,{'x':3}]},'c':7,'d':{'e':1}}");
	yajl_val doc = NULL, b, v;
	struct berr err = { 0 };

	if (jr_parse_keep(json, strlen(json), keep, &doc, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(YAJL_IS_OBJECT(doc));
	assert_int_equal(doc->u.object.len, 2); /* a and c */
	assert_null(jr_get(doc, "d"));
	assert_int_equal(jr_get(doc, "a")->u.object.len, 1); /* b only */
	b = jr_get(jr_get(doc, "a"), "b");
	assert_string_equal(YAJL_GET_STRING(jr_get(b, "s")), "x");
	assert_true(YAJL_IS_TRUE(jr_get(b, "t")));
	assert_true(YAJL_IS_FALSE(jr_get(b, "f")));
	assert_null(jr_get(b, "n")); /* null reads as absent */
	assert_int_equal(b->u.object.len, 8);
	v = jr_get(b, "i");
	assert_true(YAJL_IS_INTEGER(v));
	assert_int_equal(YAJL_GET_INTEGER(v), -42);
	v = jr_get(b, "d");
	assert_false(YAJL_IS_INTEGER(v));
	assert_true(YAJL_IS_DOUBLE(v));
	v = jr_get(b, "big");
	assert_false(YAJL_IS_INTEGER(v));
	assert_string_equal(YAJL_GET_NUMBER(v), "18446744073709551615");
	v = jr_get(b, "l");
	assert_int_equal(v->u.array.len, 3);
	assert_int_equal(v->u.array.values[1]->u.array.len, 1);
	assert_true(YAJL_IS_OBJECT(v->u.array.values[2]));
	assert_int_equal(YAJL_GET_INTEGER(jr_get(doc, "c")), 7);
	yajl_tree_free(doc);
	free(json);
}

/* What is left out is still JSON: a syntax error anywhere fails the parse,
 * with the message a whole parse gives. */
static void test_skipped_still_checked(void **state)
{
	const char *bad[] = {
		"{\"process\": {}, \"linux\": {\"seccomp\": [1, }}",
		"{\"process\": {}, \"mounts\": [\"\\x\"]}",
		"{\"process\": {}} trailing",
		"{\"root\": {\"path\": \"/r\"}, \"hooks\": {\"a\" 1}}",
	};
	struct spec_config *c = NULL;
	struct berr whole = { 0 }, only = { 0 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_true(spec_config_parse(bad[i], strlen(bad[i]), &c, &whole) < 0);
		assert_true(spec_config_parse_only(bad[i], strlen(bad[i]), exec_sections, &c,
						   &only) < 0);
		assert_non_null(strstr(only.msg, "invalid JSON"));
		assert_string_equal(only.msg, whole.msg);
	}
}

/* The nesting is bounded in the parts left out too (the tree builder
 * counts it as it goes; no scan of the text before). */
static void test_skipped_nesting_bounded(void **state)
{
	size_t depth = 300, n = 0;
	char *json = malloc(2 * depth + 64);
	struct spec_config *c = NULL;
	struct berr err = { 0 };

	assert_non_null(json);
	n += (size_t)sprintf(json, "{\"process\": {}, \"mounts\": ");
	memset(json + n, '[', depth);
	memset(json + n + depth, ']', depth);
	strcpy(json + n + 2 * depth, "}");
	assert_true(spec_config_parse_only(json, strlen(json), exec_sections, &c, &err) < 0);
	assert_string_equal(err.msg, "invalid JSON: nested deeper than 256 levels");
	/* 255 levels below the top object are still taken. */
	depth = 255;
	n = (size_t)sprintf(json, "{\"ociVersion\": \"1.0\", \"root\": {\"path\": \"/\"}, \"x\": ");
	memset(json + n, '[', depth);
	memset(json + n + depth, ']', depth);
	strcpy(json + n + 2 * depth, "}");
	if (spec_config_parse_only(json, strlen(json), exec_sections, &c, &err) < 0)
		fail_msg("%s", err.msg);
	spec_config_free(c);
	free(json);
}

/* The kept sections are read as in a whole parse: their errors too. */
static void test_kept_errors(void **state)
{
	char *json = squote_json("{'ociVersion':'1.0.0','root':{'path':'/r'},"
				 "'process':{'cwd':'/','args':['x'],'rlimits':[{'type':'RLIMIT_NOFILE','hard':'a'}]},"
				 "'linux':{'seccomp':'not read'}}");
	struct spec_config *c = NULL;
	struct berr err = { 0 };

	assert_true(spec_config_parse_only(json, strlen(json), exec_sections, &c, &err) < 0);
	assert_non_null(strstr(err.msg, ".process.rlimits[0]"));
	free(json);
	/* A section off the kept paths is not read: its errors do not count. */
	json = squote_json("{'ociVersion':'1.0.0','root':{'path':'/r'},"
			   "'process':{'cwd':'/','args':['x']},'linux':{'seccomp':'not read'}}");
	if (spec_config_parse_only(json, strlen(json), exec_sections, &c, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(c->process_set);
	assert_false(c->linux.seccomp.set);
	spec_config_free(c);
	free(json);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_whole),
		cmocka_unit_test(test_kept_values),
		cmocka_unit_test(test_skipped_still_checked),
		cmocka_unit_test(test_skipped_nesting_bounded),
		cmocka_unit_test(test_kept_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
