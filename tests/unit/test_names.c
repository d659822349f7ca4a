/* The name tables and signal parsing. */
#include "tests/unit/helpers.h"

#include <signal.h>
#include <sys/resource.h>

#include "spec/names.h"

static void test_signal_numbers(void **state)
{
	assert_int_equal(names_signal("9"), 9);
	assert_int_equal(names_signal("15"), 15);
	assert_int_equal(names_signal("1"), 1);
	assert_int_equal(names_signal("64"), SIGRTMAX);
}

static void test_signal_names(void **state)
{
	assert_int_equal(names_signal("KILL"), SIGKILL);
	assert_int_equal(names_signal("SIGKILL"), SIGKILL);
	assert_int_equal(names_signal("TERM"), SIGTERM);
	assert_int_equal(names_signal("SIGUSR1"), SIGUSR1);
	assert_int_equal(names_signal("WINCH"), SIGWINCH);
	/* runc upper-cases names before looking them up */
	assert_int_equal(names_signal("kill"), SIGKILL);
	assert_int_equal(names_signal("sigHup"), SIGHUP);
}

static void test_signal_realtime(void **state)
{
	assert_int_equal(names_signal("SIGRTMIN+3"), SIGRTMIN + 3);
	assert_int_equal(names_signal("RTMIN+3"), SIGRTMIN + 3);
	assert_int_equal(names_signal("RTMAX-1"), SIGRTMAX - 1);
	assert_int_equal(names_signal("SIGRTMAX-1"), SIGRTMAX - 1);
	assert_int_equal(names_signal("RTMIN"), SIGRTMIN);
	assert_int_equal(names_signal("SIGRTMAX"), SIGRTMAX);
	assert_int_equal(names_signal("RTMIN+0"), SIGRTMIN);
	assert_int_equal(names_signal("RTMAX-0"), SIGRTMAX);
	/* glibc keeps two realtime signals, leaving RTMIN 34 to RTMAX 64 */
	assert_int_equal(names_signal("RTMIN+30"), SIGRTMAX);
	assert_int_equal(names_signal("RTMIN+31"), -1);
	assert_int_equal(names_signal("RTMAX-30"), SIGRTMIN);
	assert_int_equal(names_signal("RTMAX-31"), -1);
}

static void test_signal_junk(void **state)
{
	static const char *const junk[] = {
		"", "0", "-9", "+9", " 9", "9 ", "9x", "65", "99999999999999999999",
		"SIG", "SIGFOO", "FOO", "SIG9", "SIGSIGKILL", "KILL ",
		"RTMIN+", "RTMIN-1", "RTMAX+1", "RTMIN+ 3", "RTMIN++3", "RTMIN3",
		"RTMINUS", "RTMAX-999", "RTMIN+64",
		"SIGVERYLONGNAMEINDEED",
	};

	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		if (names_signal(junk[i]) != -1)
			fail_msg("\"%s\" parsed as %d", junk[i], names_signal(junk[i]));
}

static void test_lookup(void **state)
{
	long v = -1;

	assert_int_equal(names_lookup(names_rlimits, "RLIMIT_NOFILE", &v), 0);
	assert_int_equal(v, RLIMIT_NOFILE);
	assert_int_equal(names_lookup(names_rlimits, "rlimit_nofile", &v), -1);
	assert_int_equal(names_lookup(names_namespaces, "network", &v), 0);
	assert_int_equal(v, NS_NETWORK);
	assert_string_equal(names_name(names_hooks, HOOK_START_CONTAINER), "startContainer");
	assert_string_equal(names_name(names_capabilities, 21), "CAP_SYS_ADMIN");
	assert_null(names_name(names_capabilities, NAMES_CAP_LAST + 1));
}

static void test_tables_complete(void **state)
{
	size_t n = 0;

	/* Capabilities 0..NAMES_CAP_LAST, each once and in order, so the
	 * parser's bit masks cover exactly what berth names. */
	for (const struct name_value *c = names_capabilities; c->name; c++, n++)
		assert_int_equal(c->value, (long)n);
	assert_int_equal(n, NAMES_CAP_LAST + 1);

	for (int t = 0; t < NS_TYPES; t++)
		assert_non_null(names_name(names_namespaces, t));
	for (int k = 0; k < HOOK_KINDS; k++)
		assert_non_null(names_name(names_hooks, k));
	for (int r = 0; r < RLIM_NLIMITS; r++)
		assert_non_null(names_name(names_rlimits, r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signal_numbers),
		cmocka_unit_test(test_signal_names),
		cmocka_unit_test(test_signal_realtime),
		cmocka_unit_test(test_signal_junk),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_tables_complete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
