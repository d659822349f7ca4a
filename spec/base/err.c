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
	e->kind = BERR_INTERNAL;
	return errnum ? -errnum : -EINVAL;
}

__attribute__((format(printf, 4, 0)))
static int vfail(struct berr *e, enum berr_kind kind, int errnum, const char *fmt, va_list ap)
{
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	e->errnum = errnum;
	e->kind = kind;
	return errnum ? -errnum : -EINVAL;
}

int berr_fail(struct berr *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail(e, BERR_INTERNAL, errnum, fmt, ap);
	va_end(ap);
	return ret;
}

int berr_failk(struct berr *e, enum berr_kind kind, int errnum, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail(e, kind, errnum, fmt, ap);
	va_end(ap);
	return ret;
}

int berr_as(struct berr *e, int ret, enum berr_kind kind)
{
	e->kind = kind;
	return ret;
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
	e->kind = BERR_INTERNAL;
	e->msg[0] = '\0';
}
