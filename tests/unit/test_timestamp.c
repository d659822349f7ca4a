/* Timestamps: the hand-made UTC calendar against the C library's. */
#include "tests/unit/helpers.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "spec/base/timestamp.h"

static void expect_like_libc(time_t t, long nsec)
{
	struct timespec ts = { .tv_sec = t, .tv_nsec = nsec };
	char want[64], got[64];
	struct tm tm;
	size_t n;

	assert_non_null(gmtime_r(&t, &tm));
	n = strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(want + n, sizeof(want) - n, ".%09ldZ", nsec);
	timestamp_format(&ts, got, sizeof(got));
	assert_string_equal(got, want);
}

static void test_known_dates(void **state)
{
	struct timespec ts = { .tv_sec = 951782400, .tv_nsec = 5 };
	char got[64];

	timestamp_format(&ts, got, sizeof(got));
	assert_string_equal(got, "2000-02-29T00:00:00.000000005Z");
	expect_like_libc(0, 0);
	expect_like_libc(-1, 999999999);
	expect_like_libc(68169600, 1);       /* 1972-02-29, a leap day */
	expect_like_libc(4102444799, 123);   /* 2099-12-31T23:59:59 */
	expect_like_libc(4107542400, 0);     /* 2100-03-01: 2100 is no leap year */
	expect_like_libc(253402300799, 0);   /* 9999-12-31T23:59:59 */
}

/* Every day of four centuries, at a second that is not midnight. */
static void test_every_day_matches(void **state)
{
	for (time_t t = -2208988800 + 45296; t < 10413792000; t += 86400)
		expect_like_libc(t, 42);
}

static void test_now_is_utc(void **state)
{
	char got[64];

	timestamp_now(got, sizeof(got));
	assert_int_equal(strlen(got), 30);
	assert_int_equal(got[10], 'T');
	assert_int_equal(got[29], 'Z');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_dates),
		cmocka_unit_test(test_every_day_matches),
		cmocka_unit_test(test_now_is_utc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
