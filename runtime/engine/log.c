#include "runtime/engine/log.h"
#include "spec/base/timestamp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static int write_record(int fd, const char *prefix, size_t plen, const char *data,
			size_t len, bool partial)
{
	struct iovec iov[3] = {
		{ (void *)prefix, plen },
		{ (void *)data, len },
		{ (void *)"\n", 1 },
	};
	char head[80];
	size_t total = plen + len + 1;
	ssize_t n;

	/* The tag comes last in the prefix. */
	memcpy(head, prefix, plen);
	head[plen - 2] = partial ? 'P' : 'F';
	iov[0].iov_base = head;
	n = writev(fd, iov, 3);
	return n == (ssize_t)total ? 0 : -EIO;
}

int daemon_log_write(int fd, enum daemon_log_stream s, const char *data, size_t len)
{
	char prefix[80], now[48];
	int plen, ret = 0;

	timestamp_now(now, sizeof(now));
	plen = snprintf(prefix, sizeof(prefix), "%s %s F ", now,
			s == LOG_STDERR ? "stderr" : "stdout");
	while (len) {
		const char *nl = memchr(data, '\n', len);
		size_t n = nl ? (size_t)(nl - data) : len;

		if (write_record(fd, prefix, (size_t)plen, data, n, !nl) < 0)
			ret = -EIO;
		if (!nl)
			break;
		data += n + 1;
		len -= n + 1;
	}
	return ret;
}

/* secs.frac in ns, for the times an int64 of ns holds (1677 to 2262);
 * a client's "since" beyond them is refused, not wrapped. */
static int to_ns(time_t secs, int64_t frac, int64_t *ns)
{
	if (secs > INT64_MAX / 1000000000LL - 1 || secs < INT64_MIN / 1000000000LL + 1)
		return -EINVAL;
	*ns = (int64_t)secs * 1000000000LL + frac;
	return 0;
}

int daemon_log_time(const char *s, int64_t *ns)
{
	struct tm tm;
	const char *p;
	char *end;
	int64_t frac = 0;
	int digits = 0;
	time_t secs;

	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p) {
		if (*p == '.') {
			for (p++; *p >= '0' && *p <= '9'; p++, digits++)
				if (digits < 9)
					frac = frac * 10 + (*p - '0');
			for (; digits < 9; digits++)
				frac *= 10;
		}
		if (*p != 'Z' && *p != '\0')
			return -EINVAL;
		secs = timegm(&tm);
		return to_ns(secs, frac, ns);
	}
	/* docker's since/until: seconds[.nanoseconds] */
	errno = 0;
	secs = (time_t)strtoll(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	if (*end == '.') {
		for (p = end + 1; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 9)
				frac = frac * 10 + (*p - '0');
		for (; digits < 9; digits++)
			frac *= 10;
		end = (char *)p;
	}
	if (*end)
		return -EINVAL;
	return to_ns(secs, frac, ns);
}

int daemon_log_parse(const char *line, size_t len, struct daemon_log_record *r)
{
	const char *sp1 = memchr(line, ' ', len), *sp2, *sp3;
	char tbuf[64];

	if (!sp1 || (size_t)(sp1 - line) >= sizeof(tbuf))
		return -EINVAL;
	sp2 = memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - line));
	if (!sp2)
		return -EINVAL;
	sp3 = sp2 + 2;
	if (sp3 > line + len || (sp3 < line + len && *sp3 != ' '))
		return -EINVAL;
	memcpy(tbuf, line, (size_t)(sp1 - line));
	tbuf[sp1 - line] = '\0';
	if (daemon_log_time(tbuf, &r->time_nano) < 0)
		return -EINVAL;
	r->time = line;
	r->time_len = (size_t)(sp1 - line);
	if (sp2 - sp1 - 1 == 6 && memcmp(sp1 + 1, "stdout", 6) == 0)
		r->stream = LOG_STDOUT;
	else if (sp2 - sp1 - 1 == 6 && memcmp(sp1 + 1, "stderr", 6) == 0)
		r->stream = LOG_STDERR;
	else
		return -EINVAL;
	r->partial = sp2[1] == 'P';
	r->content = sp3 < line + len ? sp3 + 1 : sp3;
	r->len = (size_t)(line + len - r->content);
	return 0;
}
