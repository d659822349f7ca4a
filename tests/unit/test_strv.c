/* String vectors: what a push leaves behind, on success and on failure. */
#include "tests/unit/helpers.h"

#include <errno.h>

#include "spec/base/strv.h"

static void test_push_copies_and_terminates(void **state)
{
	char **v = NULL;
	char word[] = "one";

	assert_int_equal(strv_push(&v, word), 0);
	word[0] = 'X'; /* the vector holds its own copy */
	assert_int_equal(strv_push(&v, "two"), 0);
	assert_int_equal(strv_len(v), 2);
	assert_string_equal(v[0], "one");
	assert_string_equal(v[1], "two");
	assert_null(v[2]);
	strv_free(v);
}

static void test_push_owned_takes_the_string(void **state)
{
	char **v = NULL;

	assert_int_equal(strv_push(&v, "a"), 0);
	assert_int_equal(strv_push_owned(&v, strdup("b")), 0);
	assert_int_equal(strv_len(v), 2);
	assert_string_equal(v[1], "b");
	assert_null(v[2]);
	strv_free(v);
}

/* A NULL string is an allocation that failed before the push: the
 * vector is left as it was. */
static void test_push_owned_null_is_enomem(void **state)
{
	char **v = NULL;

	assert_int_equal(strv_push_owned(&v, NULL), -ENOMEM);
	assert_null(v);
	assert_int_equal(strv_push(&v, "a"), 0);
	assert_int_equal(strv_push_owned(&v, NULL), -ENOMEM);
	assert_int_equal(strv_len(v), 1);
	assert_string_equal(v[0], "a");
	strv_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_copies_and_terminates),
		cmocka_unit_test(test_push_owned_takes_the_string),
		cmocka_unit_test(test_push_owned_null_is_enomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
