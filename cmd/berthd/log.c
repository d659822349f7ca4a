/* berthd's log: one logfmt line per message, to the log file or stderr. */
#include "http.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

/* main sets it from --log-file and reopens it on SIGHUP. */
int berthd_log_fd = 2;

void http_log(struct srv *s, int level, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	char buf[2048], now[32];
	struct tm tm;
	time_t t = time(NULL);
	va_list ap;
	int n;

	if (level > s->log_level)
		return;
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(buf, sizeof(buf), "time=\"%s\" level=%s msg=\"", now, names[level]);
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n - 3, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 3)
		n = (int)sizeof(buf) - 3;
	buf[n++] = '"';
	buf[n++] = '\n';
	if (write(berthd_log_fd, buf, (size_t)n) < 0) {
		/* nowhere else to say it */
	}
}
