/* Errors and their kinds (spec/base/err.h): the kind is chosen where the
 * error is made and survives the context callers add; errno never picks
 * it. */
#include "tests/unit/helpers.h"

#include "spec/base/err.h"

static void test_kinds(void **state)
{
	struct berr err;

	(void)state;
	/* A system call's ENOENT is internal: nothing says what is missing. */
	errno = ENOENT;
	assert_int_equal(berr_sys(&err, "open %s", "/x"), -ENOENT);
	assert_int_equal(err.kind, BERR_INTERNAL);
	assert_string_equal(err.msg, "open /x: No such file or directory");
	assert_int_equal(berr_fail(&err, EINVAL, "corrupt"), -EINVAL);
	assert_int_equal(err.kind, BERR_INTERNAL);

	assert_int_equal(berr_not_found(&err, "No such container: %s", "c"), -ENOENT);
	assert_int_equal(err.kind, BERR_NOT_FOUND);
	assert_string_equal(err.msg, "No such container: c");
	assert_int_equal(berr_invalid(&err, "bad"), -EINVAL);
	assert_int_equal(err.kind, BERR_INVALID);
	assert_int_equal(berr_unsupported(&err, "no"), -EOPNOTSUPP);
	assert_int_equal(err.kind, BERR_UNSUPPORTED);
	assert_int_equal(berr_conflict(&err, EBUSY, "busy"), -EBUSY);
	assert_int_equal(err.kind, BERR_CONFLICT);
	assert_int_equal(err.errnum, EBUSY);

	/* Context in front keeps the kind. */
	assert_int_equal(berr_wrap(&err, -EBUSY, "remove %s", "c"), -EBUSY);
	assert_int_equal(err.kind, BERR_CONFLICT);
	assert_string_equal(err.msg, "remove c: busy");
	/* A caller that knows better names the kind; a new error resets it. */
	assert_int_equal(berr_as(&err, -7, BERR_NOT_FOUND), -7);
	assert_int_equal(err.kind, BERR_NOT_FOUND);
	berr_set(&err, 0, "plain");
	assert_int_equal(err.kind, BERR_INTERNAL);
	berr_invalid(&err, "again");
	berr_clear(&err);
	assert_int_equal(err.kind, BERR_INTERNAL);
	assert_string_equal(err.msg, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
