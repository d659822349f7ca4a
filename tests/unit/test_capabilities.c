/* isolation/capabilities: the highest capability the kernel knows, asked
 * of prctl, is what the kernel says in /proc/sys/kernel/cap_last_cap. */
#include "tests/unit/helpers.h"

#include <fcntl.h>

#include "isolation/capabilities.h"
#include "spec/base/fsutil.h"

static void test_last_cap_is_the_kernels(void **state)
{
	char buf[16] = "";

	if (fsutil_read_at(AT_FDCWD, NULL, "/proc/sys/kernel/cap_last_cap", buf, sizeof(buf)) <= 0)
		fail_msg("read /proc/sys/kernel/cap_last_cap");
	assert_int_equal(caps_last_cap(), atoi(buf));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_last_cap_is_the_kernels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
