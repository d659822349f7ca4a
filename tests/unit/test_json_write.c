/* The JSON writer: exact output in both forms, and out-of-order calls
 * caught in jw_finish. */
#include "tests/unit/helpers.h"

#include "spec/json_read.h"
#include "spec/json_write.h"

/* Finish w, free it, and compare with want. */
static void expect_doc(struct jw *w, const char *want)
{
	struct berr err = { 0 };
	char *doc = NULL;
	size_t len = 0;

	if (jw_finish(w, &doc, &len, &err) < 0)
		fail_msg("jw_finish: %s", err.msg);
	assert_string_equal(doc, want);
	assert_int_equal(len, strlen(want));
	free(doc);
	jw_free(w);
}

static void expect_error(struct jw *w, const char *want)
{
	struct berr err = { 0 };
	char *doc = NULL;

	assert_int_equal(jw_finish(w, &doc, NULL, &err), -EINVAL);
	assert_null(doc);
	assert_string_equal(err.msg, want);
	jw_free(w);
}

static void write_sample(struct jw *w)
{
	jw_map_open(w);
	jw_kstr(w, "s", "a\"b\\c\n\x01/é");
	jw_kint(w, "neg", INT64_MIN);
	jw_kuint(w, "big", UINT64_MAX);
	jw_kbool(w, "t", true);
	jw_key(w, "n");
	jw_null(w);
	jw_kstr(w, "nullstr", NULL);
	jw_key(w, "empty_map");
	jw_map_open(w);
	jw_map_close(w);
	jw_key(w, "empty_list");
	jw_array_open(w);
	jw_array_close(w);
	jw_key(w, "list");
	jw_array_open(w);
	jw_int(w, 1);
	jw_str(w, "{ }");
	jw_map_open(w);
	jw_kbool(w, "f", false);
	jw_map_close(w);
	jw_array_close(w);
	jw_map_close(w);
}

static void test_compact(void **state)
{
	struct jw *w = jw_new(false);

	write_sample(w);
	expect_doc(w, "{\"s\":\"a\\\"b\\\\c\\n\\u0001/é\",\"neg\":-9223372036854775808,"
		      "\"big\":18446744073709551615,\"t\":true,\"n\":null,"
		      "\"nullstr\":null,\"empty_map\":{},\"empty_list\":[],"
		      "\"list\":[1,\"{ }\",{\"f\":false}]}");
}

static void test_pretty(void **state)
{
	struct jw *w = jw_new(true);

	write_sample(w);
	expect_doc(w, "{\n"
		      "  \"s\": \"a\\\"b\\\\c\\n\\u0001/é\",\n"
		      "  \"neg\": -9223372036854775808,\n"
		      "  \"big\": 18446744073709551615,\n"
		      "  \"t\": true,\n"
		      "  \"n\": null,\n"
		      "  \"nullstr\": null,\n"
		      "  \"empty_map\": {},\n"
		      "  \"empty_list\": [],\n"
		      "  \"list\": [\n"
		      "    1,\n"
		      "    \"{ }\",\n"
		      "    {\n"
		      "      \"f\": false\n"
		      "    }\n"
		      "  ]\n"
		      "}");
}

static void test_scalar_document(void **state)
{
	struct jw *w = jw_new(true);

	jw_str(w, "x");
	expect_doc(w, "\"x\"");
	w = jw_new(false);
	jw_array_open(w);
	jw_array_close(w);
	expect_doc(w, "[]");
}

static void test_embedded_json(void **state)
{
	struct jw *w = jw_new(false);
	const char *text = "{\"a\": [1, 2.5, -3e2, 18446744073709551615, null, true], \"b\": {}}";

	jw_map_open(w);
	jw_key(w, "seccomp");
	jw_json(w, text, strlen(text));
	jw_kint(w, "after", 1);
	jw_map_close(w);
	expect_doc(w, "{\"seccomp\":{\"a\":[1,2.5,-3e2,18446744073709551615,null,true],"
		      "\"b\":{}},\"after\":1}");

	w = jw_new(false);
	jw_array_open(w);
	jw_json(w, "{\"a\":", 5);
	jw_array_close(w);
	expect_error(w, "write JSON: embedded value: invalid JSON: parse error: premature EOF");
}

/* docker's labels: split at the first '=', a value may hold more of
 * them, a bare name is an empty value, and a long name is not cut. */
static void test_kv_map(void **state)
{
	char long_name[1025];
	char *kv[] = { "a=1", "b=x=y", "bare", "empty=", long_name, NULL };
	char *want;
	struct jw *w = jw_new(false);

	memset(long_name, 'k', 1000);
	strcpy(long_name + 1000, "=v");
	jw_map_open(w);
	jw_kv_map(w, "Labels", kv);
	jw_kv_map(w, "None", NULL);
	jw_map_close(w);
	assert_true(asprintf(&want, "{\"Labels\":{\"a\":\"1\",\"b\":\"x=y\",\"bare\":\"\","
				    "\"empty\":\"\",\"%.1000s\":\"v\"},\"None\":{}}",
			     long_name) > 0);
	expect_doc(w, want);
	free(want);
}

/* A parsed value written back as it came, numbers with their own text;
 * an absent one (NULL) is null. */
static void test_tree(void **state)
{
	const char *text = "{\"a\":[1,2.50,-3e2,18446744073709551616,null,true,false],\"b\":{\"c\":\"d\"}}";
	struct berr err = { 0 };
	yajl_val doc = NULL;
	struct jw *w = jw_new(false);

	assert_int_equal(jr_parse(text, strlen(text), &doc, &err), 0);
	jw_array_open(w);
	jw_tree(w, doc);
	jw_tree(w, NULL);
	jw_array_close(w);
	expect_doc(w, "[{\"a\":[1,2.50,-3e2,18446744073709551616,null,true,false],"
		      "\"b\":{\"c\":\"d\"}},null]");
	yajl_tree_free(doc);
}

static void test_kstrv(void **state)
{
	char *v[] = { "a", "b c", NULL };
	char *none[] = { NULL };
	struct jw *w = jw_new(false);

	jw_map_open(w);
	jw_kstrv(w, "two", v);
	jw_kstrv(w, "empty", none);
	jw_kstrv(w, "unset", NULL);
	jw_map_close(w);
	expect_doc(w, "{\"two\":[\"a\",\"b c\"],\"empty\":[],\"unset\":null}");
}

static void test_value_where_key_belongs(void **state)
{
	struct jw *w = jw_new(false);

	jw_map_open(w);
	jw_str(w, "looks like a key");
	jw_str(w, "value");
	jw_map_close(w);
	expect_error(w, "write JSON: a string where a map key belongs");
}

static void test_key_outside_map(void **state)
{
	struct jw *w = jw_new(false);

	jw_array_open(w);
	jw_key(w, "k");
	jw_array_close(w);
	expect_error(w, "write JSON: key \"k\" outside a map or where a value is due");
}

static void test_key_after_key(void **state)
{
	struct jw *w = jw_new(false);

	jw_map_open(w);
	jw_key(w, "a");
	jw_key(w, "b");
	expect_error(w, "write JSON: key \"b\" outside a map or where a value is due");
}

static void test_mismatched_close(void **state)
{
	struct jw *w = jw_new(false);

	jw_map_open(w);
	jw_array_close(w);
	expect_error(w, "write JSON: an array closed where none is open");

	w = jw_new(false);
	jw_array_open(w);
	jw_map_close(w);
	expect_error(w, "write JSON: a map closed where none is open or a value is due");

	w = jw_new(false);
	jw_map_open(w);
	jw_key(w, "dangling");
	jw_map_close(w);
	expect_error(w, "write JSON: a map closed where none is open or a value is due");
}

static void test_incomplete_and_extra(void **state)
{
	struct jw *w = jw_new(false);

	jw_map_open(w);
	jw_kint(w, "a", 1);
	expect_error(w, "write JSON: the document is incomplete");

	w = jw_new(false);
	expect_error(w, "write JSON: the document is incomplete");

	w = jw_new(false);
	jw_int(w, 1);
	jw_int(w, 2);
	expect_error(w, "write JSON: a number after the end of the document");
}

static void test_first_error_wins(void **state)
{
	struct jw *w = jw_new(false);

	jw_array_close(w);
	jw_key(w, "later");
	jw_map_close(w);
	expect_error(w, "write JSON: an array closed where none is open");
}

static void test_null_writer(void **state)
{
	struct berr err = { 0 };
	char *doc = NULL;

	/* What a caller sees when jw_new ran out of memory. */
	jw_map_open(NULL);
	jw_kstr(NULL, "k", "v");
	jw_json(NULL, "{}", 2);
	jw_map_close(NULL);
	assert_int_equal(jw_finish(NULL, &doc, NULL, &err), -ENOMEM);
	assert_string_equal(err.msg, "write JSON: Cannot allocate memory");
	jw_free(NULL);
}

static void test_cleanup_attribute(void **state)
{
	struct berr err = { 0 };
	char *doc = NULL;

	{
		cleanup_jw struct jw *w = jw_new(false);

		jw_array_open(w);
		jw_array_close(w);
		assert_int_equal(jw_finish(w, &doc, NULL, &err), 0);
	}
	assert_string_equal(doc, "[]");
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compact),
		cmocka_unit_test(test_pretty),
		cmocka_unit_test(test_scalar_document),
		cmocka_unit_test(test_embedded_json),
		cmocka_unit_test(test_kv_map),
		cmocka_unit_test(test_kstrv),
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_value_where_key_belongs),
		cmocka_unit_test(test_key_outside_map),
		cmocka_unit_test(test_key_after_key),
		cmocka_unit_test(test_mismatched_close),
		cmocka_unit_test(test_incomplete_and_extra),
		cmocka_unit_test(test_first_error_wins),
		cmocka_unit_test(test_null_writer),
		cmocka_unit_test(test_cleanup_attribute),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
