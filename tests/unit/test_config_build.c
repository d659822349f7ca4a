/* The helpers that build a config in an arena: a host's device node as
 * the container gets it. */
#include "tests/unit/helpers.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "spec/config.h"
#include "spec/config_build.h"

static void test_device_from_stat(void **state)
{
	struct arena a = { 0 };
	struct spec_device d;
	char path[] = "/dev/in-container";
	struct stat st = {
		.st_mode = S_IFBLK | 0660,
		.st_rdev = makedev(259, 7),
		.st_uid = 12,
		.st_gid = 34,
	};

	assert_int_equal(spec_build_device(&a, path, &st, &d), 0);
	path[1] = 'X'; /* the device holds its own copy */
	assert_int_equal(d.type, 'b');
	assert_string_equal(d.path, "/dev/in-container");
	assert_int_equal(d.major, 259);
	assert_int_equal(d.minor, 7);
	assert_true(d.file_mode_set);
	assert_int_equal(d.file_mode, 0660);
	assert_true(d.uid_set);
	assert_int_equal(d.uid, 12);
	assert_true(d.gid_set);
	assert_int_equal(d.gid, 34);

	st.st_mode = S_IFCHR | 04666;
	assert_int_equal(spec_build_device(&a, "/dev/c", &st, &d), 0);
	assert_int_equal(d.type, 'c');
	assert_int_equal(d.file_mode, 04666);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_from_stat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
