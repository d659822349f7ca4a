/* Splitting /proc/self/mountinfo lines (isolation/mountinfo.c). */
#include "tests/unit/helpers.h"

#include <string.h>

#include "isolation/mountinfo.h"

static void test_fields(void **state)
{
	char line[] = "36 35 0:32 / /sys/fs/cgroup/memory rw,nosuid shared:12 master:1 - "
		      "cgroup cgroup rw,memory\n";
	struct mountinfo_entry e;

	assert_true(mountinfo_split(line, &e));
	assert_string_equal(e.root, "/");
	assert_string_equal(e.mountpoint, "/sys/fs/cgroup/memory");
	assert_string_equal(e.fstype, "cgroup");
	assert_string_equal(e.superopts, "rw,memory");
}

/* The kernel writes a space, tab, newline or backslash in a path as \ooo. */
static void test_escapes(void **state)
{
	char line[] = "40 25 0:5 /a\\134b /mnt/with\\040space\\011tab rw - proc proc rw";
	struct mountinfo_entry e;

	assert_true(mountinfo_split(line, &e));
	assert_string_equal(e.root, "/a\\b");
	assert_string_equal(e.mountpoint, "/mnt/with space\ttab");
	assert_string_equal(e.fstype, "proc");
}

static void test_not_a_line(void **state)
{
	char no_sep[] = "36 35 0:32 / /mnt rw";
	char short_tail[] = "36 35 0:32 / /mnt rw - tmpfs";
	char short_head[] = "36 35 0:32 / - tmpfs tmpfs rw";
	struct mountinfo_entry e;

	assert_false(mountinfo_split(no_sep, &e));
	assert_false(mountinfo_split(short_tail, &e));
	assert_false(mountinfo_split(short_head, &e));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_not_a_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
