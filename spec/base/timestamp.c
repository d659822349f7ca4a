#include "spec/base/timestamp.h"

#include <stdio.h>
#include <time.h>

/* The civil date of a day counted from 1970-01-01 (H. Hinnant's
 * days-to-civil, for the proleptic Gregorian calendar). */
static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
	long long era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (long long)yoe + era * 400 + (*m <= 2);
}

/* Not gmtime_r or strftime: glibc loads the time zone (it opens
 * /etc/localtime) at their first call, for a UTC stamp that needs none. */
void timestamp_format(const struct timespec *ts, char *buf, size_t size)
{
	long long days, secs, y;
	unsigned m, d;

	days = ts->tv_sec / 86400;
	secs = ts->tv_sec % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, size, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%09ldZ", y, m, d, secs / 3600,
		 secs / 60 % 60, secs % 60, ts->tv_nsec);
}

void timestamp_now(char *buf, size_t size)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	timestamp_format(&ts, buf, size);
}
