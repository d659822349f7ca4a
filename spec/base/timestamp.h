/* The time as every record berth and berthd write carries it. */
#ifndef BERTH_BASE_TIMESTAMP_H
#define BERTH_BASE_TIMESTAMP_H

#include <stddef.h>
#include <time.h>

/* Now, in UTC, as RFC 3339 with nanoseconds ("2026-11-26T10:00:00.123456789Z"):
 * what the OCI state's "created", docker's timestamps and Go's parsers
 * all read.  size should be at least 40. */
void timestamp_now(char *buf, size_t size);

/* The same for the time ts. */
void timestamp_format(const struct timespec *ts, char *buf, size_t size);

#endif
