#include "spec/base/err.h"

#include <stdio.h>
#include <string.h>

int berr_set(struct berr *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (errnum && (size_t)n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(errnum));
	e->errnum = errnum;
	return errnum ? -errnum : -EINVAL;
}

int berr_fail(struct berr *e, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->errnum = errnum;
	return errnum ? -errnum : -EINVAL;
}

int berr_wrap(struct berr *e, int ret, const char *fmt, ...)
{
	char prefix[512];
	char old[sizeof(e->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	if (snprintf(e->msg, sizeof(e->msg), "%s: %s", prefix, old) >=
	    (int)sizeof(e->msg))
		/* Show that the message was cut rather than end mid-word. */
		memcpy(e->msg + sizeof(e->msg) - 4, "...", 4);
	return ret;
}

void berr_clear(struct berr *e)
{
	e->errnum = 0;
	e->msg[0] = '\0';
}
